import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { CALLBACK_DELIVERY_WORKFLOW_TYPE, type CallbackEvent } from '../../common/callbacks';
import { CALLBACK_UNAVAILABLE } from '../../common/errors';
import { type CallbackDeliveryInput } from '../../workflows/callback-delivery';
import { depsFor } from '../support/provider-harness';
import { createTimeSkippingEnv, startWorker, type RunningWorker } from '../support/temporal-env';
import { CallbackReceiver } from './receiver';

// The production retry policy of a delivery (no CANCELLATIONS_CALLBACK_FIRST_RETRY_MS): a receiver
// that is down for good is tried with growing intervals for 24 hours, then the delivery run fails.

const SECRET = 'time-skipping-secret-0123456789';
const HOUR = 3_600_000;

describe('callback delivery retries on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let w: RunningWorker;
  const down = new CallbackReceiver(SECRET);
  let url = '';

  beforeAll(async () => {
    url = await down.start();
    down.failFirst = Number.POSITIVE_INFINITY;
    env = await createTimeSkippingEnv();
    w = await startWorker(
      env,
      depsFor({
        CANCELLATIONS_CALLBACK_HOSTS: `127.0.0.1:${down.port}`,
        CANCELLATIONS_CALLBACK_SECRET: SECRET,
      }),
    );
  });
  afterAll(async () => {
    await w?.stop();
    await env?.teardown();
    await down.stop();
  });

  test('a receiver down for good: retried with backoff, same delivery id, given up after 24 hours', async () => {
    const event: CallbackEvent = {
      id: 'evt_11111111-2222-4333-8444-555555555555',
      type: 'cancellation.withdrawn',
      createdAt: new Date().toISOString(),
      data: {
        requestId: 'r-ts',
        workflowId: 'cancellation/rebilly/ts',
        provider: 'rebilly',
        status: 'withdrawn',
        requestedAt: new Date().toISOString(),
        attempts: 0,
      },
    };
    const input: CallbackDeliveryInput = { url, event };
    const handle = await w.temporal.workflow.start(CALLBACK_DELIVERY_WORKFLOW_TYPE, {
      workflowId: 'cancellation/rebilly/ts/callback/cancellation.withdrawn/run-1',
      taskQueue: w.taskQueue,
      args: [input],
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe(CALLBACK_UNAVAILABLE);
    const events = (await handle.fetchHistory()).events ?? [];
    const ms = (e: (typeof events)[number] | undefined) =>
      Number(e?.eventTime?.seconds ?? 0) * 1000 + Math.floor((e?.eventTime?.nanos ?? 0) / 1e6);
    const elapsed = ms(events.at(-1)) - ms(events[0]);
    // Temporal stops when the next interval would end past the 24-hour budget.
    expect(elapsed).toBeGreaterThan(22 * HOUR);
    expect(elapsed).toBeLessThanOrEqual(24 * HOUR);
    // 10 s doubling to an hour: nine attempts in the first 1.5 h, then about one an hour.
    expect(down.attempts.length).toBeGreaterThan(25);
    expect(down.attempts.length).toBeLessThan(40);
    expect(new Set(down.attempts.map((a) => a.id))).toEqual(new Set([event.id]));
    expect(down.attempts.every((a) => a.signatureValid && a.answered === 503)).toBe(true);
  });
});
