import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  activitySignal,
  earlierProgress,
  recordProgress,
  withKeepAlive,
} from '../../activities/providers/activity-context';
import {
  NOTHING_POSTED,
  currentActivityRun,
  postRecordOf,
} from '../../activities/providers/billing-care-attempt';

/** An activity environment whose heartbeats are collected. */
function environment(info: { attempt?: number; heartbeatDetails?: unknown } = {}) {
  // The failing call below is expected: keep its warning out of the test output.
  const env = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  return { env, beats };
}

describe('outside an activity (contract tests call the functions directly)', () => {
  test('there is nothing to abort, record or read, and calls run as they are', async () => {
    expect(activitySignal()).toBeUndefined();
    expect(() => recordProgress({ step: 1 })).not.toThrow();
    expect(earlierProgress()).toBeUndefined();
    expect(currentActivityRun()).toBeUndefined();
    expect(await withKeepAlive(async () => 'done')).toBe('done');
  });
});

describe('inside an activity', () => {
  test("the HTTP call gets the activity's cancellation signal", async () => {
    const { env } = environment();
    const signal = await env.run(async () => activitySignal());
    expect(signal).toBe(env.context.cancellationSignal);
  });

  test('progress is heartbeated, and a retry reads what the earlier attempt recorded', async () => {
    const { env, beats } = environment({ attempt: 2, heartbeatDetails: { posted: true } });
    const earlier = await env.run(async () => {
      recordProgress({ posted: false });
      return earlierProgress();
    });
    expect(beats).toEqual([{ posted: false }]);
    expect(earlier).toEqual({ posted: true });
  });

  describe('keep-alive heartbeats (on a fake clock)', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    /** Starts withKeepAlive around a call that ends when `finish` is called. */
    function slowCall(env: MockActivityEnvironment, before: () => void = () => undefined) {
      let finish: (value: string) => void = () => undefined;
      const result = env.run(() =>
        withKeepAlive(() => {
          before();
          return new Promise<string>((resolve) => (finish = resolve));
        }),
      );
      return { result, finish: (value: string) => finish(value) };
    }

    test('a call slower than a second heartbeats what this attempt recorded, each second, until it ends', async () => {
      const { env, beats } = environment({ heartbeatDetails: 'from an earlier attempt' });
      const call = slowCall(env, () => recordProgress('mine'));
      await jest.advanceTimersByTimeAsync(999);
      expect(beats).toEqual(['mine']);
      await jest.advanceTimersByTimeAsync(1);
      expect(beats).toEqual(['mine', 'mine']);
      await jest.advanceTimersByTimeAsync(1000);
      expect(beats).toEqual(['mine', 'mine', 'mine']);
      call.finish('ok');
      expect(await call.result).toBe('ok');
      await jest.advanceTimersByTimeAsync(5000);
      expect(beats).toHaveLength(3);
    });

    test("without anything recorded, it repeats the earlier attempt's details, never nothing", async () => {
      const { env, beats } = environment({ heartbeatDetails: { posted: true } });
      const call = slowCall(env);
      await jest.advanceTimersByTimeAsync(1000);
      expect(beats).toEqual([{ posted: true }]);
      call.finish('ok');
      await call.result;
    });

    test('a failing call stops the heartbeats too', async () => {
      const { env, beats } = environment();
      const result = env.run(() => withKeepAlive(() => Promise.reject(new Error('no answer'))));
      await expect(result).rejects.toThrow('no answer');
      await jest.advanceTimersByTimeAsync(5000);
      expect(beats).toEqual([]);
    });
  });

  test('currentActivityRun exposes the attempt, the details and the heartbeat', async () => {
    const { env, beats } = environment({ attempt: 3, heartbeatDetails: NOTHING_POSTED });
    const run = await env.run(async () => {
      const r = currentActivityRun();
      r?.heartbeat({ posted: true });
      return r;
    });
    expect(run).toMatchObject({ attempt: 3, heartbeatDetails: { posted: false } });
    expect(beats).toEqual([{ posted: true }]);
  });
});

describe('postRecordOf: what an earlier Billing Care attempt may have posted', () => {
  const run = (heartbeatDetails: unknown) => ({ attempt: 2, heartbeatDetails, heartbeat: () => undefined });

  test('reads a record of a POST that may have left', () => {
    const record = {
      posted: true,
      effective: '2030-01-31T00:00:00Z',
      bundle: { bundleId: 'b-1', validTo: null },
    };
    expect(postRecordOf(run(record))).toEqual(record);
    expect(postRecordOf(run({ posted: true, effective: '2030-01-31T00:00:00+01:00' }))).toEqual({
      posted: true,
      effective: '2030-01-31T00:00:00+01:00',
    });
  });

  test('anything else means no POST of ours is in flight', () => {
    expect(postRecordOf(undefined)).toBeUndefined();
    expect(postRecordOf(run(undefined))).toBeUndefined();
    expect(postRecordOf(run(NOTHING_POSTED))).toBeUndefined();
    expect(postRecordOf(run({ posted: true }))).toBeUndefined();
    expect(postRecordOf(run({ posted: true, effective: 'tomorrow' }))).toBeUndefined();
    expect(
      postRecordOf(run({ posted: true, effective: '2030-01-31T00:00:00Z', bundle: { bundleId: 1 } })),
    ).toBeUndefined();
  });
});
