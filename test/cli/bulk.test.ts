import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { countRequestLines, requestLines, runBulk, type BulkCounts } from '../../client/bulk';
import { type RequestAccepted } from '../../client/cancellation-client';
import { bulkProgress } from '../../client/cli/bulk-progress';
import { IdempotencyConflictError, InvalidRequestError } from '../../client/errors';

const request = (requestId: string, orderId = `ord-${requestId}`) =>
  JSON.stringify({ requestId, provider: 'rebilly', target: { orderId }, timing: { mode: 'immediate' } });

async function* linesOf(lines: string[]) {
  yield* lines;
}

const accepted = (
  input: unknown,
  disposition: RequestAccepted['disposition'] = 'started',
): RequestAccepted => {
  const requestId = (input as { requestId: string }).requestId;
  return {
    workflowId: `wf-${requestId}`,
    runId: `run-${requestId}`,
    disposition,
    requestId,
    stage: 'scheduled',
  };
};

const yieldTurns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('runBulk', () => {
  test('refused lines carry their line number (blank lines counted) and the field', async () => {
    const lines = [
      request('a'),
      '',
      '   ',
      request('b', 'bad id!'),
      '{ "requestId": ',
      JSON.stringify({
        requestId: 'c',
        provider: 'rebilly',
        target: { orderId: 'x' },
        timing: { mode: 'at', at: '2020-01-01T00:00:00Z' },
      }),
      JSON.stringify({ requestId: 'd', provider: 'nope', target: {}, timing: { mode: 'immediate' } }),
      request('e'),
    ];
    const submitted: unknown[] = [];
    const s = await runBulk(linesOf(lines), {
      submit: async (input) => (submitted.push(input), accepted(input)),
    });
    expect(s).toMatchObject({ requests: 6, started: 2, refused: 4, failed: 0, interrupted: false });
    expect(submitted.map((i) => (i as { requestId: string }).requestId)).toEqual(['a', 'e']);
    expect(s.results.map((r) => [r.line, r.outcome, r.error?.field])).toEqual([
      [1, 'started', undefined],
      [4, 'refused', 'target.orderId'],
      [5, 'refused', '(request)'],
      [6, 'refused', 'timing.at'],
      [7, 'refused', 'provider'],
      [8, 'started', undefined],
    ]);
    expect(s.results[1]).toMatchObject({
      requestId: 'b',
      error: { message: expect.stringContaining('Rebilly id') },
    });
    expect(s.results[2]?.error?.message).toContain('not valid JSON');
    expect(s.results[0]).toMatchObject({ workflowId: 'wf-a', runId: 'run-a' });
  });

  test('never has more than `concurrency` starts in flight, and does use that many', async () => {
    let inFlight = 0;
    let most = 0;
    const s = await runBulk(linesOf(Array.from({ length: 10 }, (_, i) => request(`c${i}`))), {
      concurrency: 3,
      submit: async (input) => {
        most = Math.max(most, ++inFlight);
        await yieldTurns(5);
        inFlight--;
        return accepted(input);
      },
    });
    expect(s.started).toBe(10);
    expect(most).toBe(3);
  });

  test('counts existing, in-progress, refused-by-client and failed starts; failures are typed', async () => {
    const s = await runBulk(
      linesOf([request('s'), request('x'), request('p'), request('i'), request('v'), request('f')]),
      {
        submit: async (input) => {
          const id = (input as { requestId: string }).requestId;
          if (id === 'x') return accepted(input, 'existing');
          if (id === 'p') return { ...accepted(input, 'in-progress'), requestId: 'other-request' };
          if (id === 'i') throw new IdempotencyConflictError('i', 'wf-i');
          if (id === 'v')
            throw new InvalidRequestError('timing.at', 'timing.at: must not be in the past', [
              { field: 'timing.at', message: 'must not be in the past' },
            ]);
          if (id === 'f') throw new Error('connection lost');
          return accepted(input);
        },
      },
    );
    expect(s).toMatchObject({ requests: 6, started: 1, existing: 1, inProgress: 1, refused: 1, failed: 2 });
    expect(s.results[2]).toMatchObject({ outcome: 'in-progress', runningRequestId: 'other-request' });
    expect(s.results[3]).toMatchObject({ outcome: 'failed', error: { type: 'IdempotencyConflict' } });
    expect(s.results[4]).toMatchObject({
      outcome: 'refused',
      error: { field: 'timing.at', message: 'must not be in the past' },
    });
    expect(s.results[5]).toMatchObject({
      outcome: 'failed',
      error: { type: 'Error', message: 'connection lost' },
    });
  });

  test('without submit it only validates (dry run)', async () => {
    const s = await runBulk(linesOf([request('a'), request('b', 'bad id!')]));
    expect(s).toMatchObject({ requests: 2, valid: 1, refused: 1, started: 0 });
  });

  test('an abort stops taking lines; what was started is reported, the rest is not touched', async () => {
    const stop = new AbortController();
    const submitted: string[] = [];
    const s = await runBulk(linesOf(Array.from({ length: 10 }, (_, i) => request(`a${i}`))), {
      concurrency: 2,
      signal: stop.signal,
      submit: async (input) => {
        submitted.push((input as { requestId: string }).requestId);
        return accepted(input);
      },
      onProgress: (c: Readonly<BulkCounts>) => c.done === 3 && stop.abort(),
    });
    expect(s.interrupted).toBe(true);
    expect(s.started).toBe(submitted.length);
    expect(submitted.length).toBeLessThan(10);
    expect(s.results.map((r) => r.line)).toEqual(submitted.map((_, i) => i + 1));
  });
});

describe('request lines from a file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bulk-unit-'));

  test('streams the lines (CRLF too); blank lines are kept for numbering and not counted', async () => {
    const file = path.join(dir, 'r.ndjson');
    writeFileSync(file, `${request('a')}\r\n\r\n${request('b')}\n`);
    const seen: string[] = [];
    for await (const line of await requestLines(file)) seen.push(line);
    expect(seen).toEqual([request('a'), '', request('b')]);
    expect(await countRequestLines(file)).toBe(2);
  });

  test('lines are not lost while the caller does something else before reading them', async () => {
    const file = path.join(dir, 'late.ndjson');
    writeFileSync(file, [request('a'), request('b'), request('c')].join('\n'));
    const lines = await requestLines(file);
    await yieldTurns(20);
    expect((await runBulk(lines)).valid).toBe(3);
  });

  test('a missing file is an error naming it', async () => {
    await expect(requestLines(path.join(dir, 'missing.ndjson'))).rejects.toThrow(
      /cannot read .*missing\.ndjson/,
    );
  });
});

describe('the progress bar', () => {
  const counts = {
    requests: 3,
    done: 3,
    started: 2,
    existing: 0,
    inProgress: 0,
    valid: 0,
    refused: 1,
    failed: 0,
  };

  test('only at a terminal, and never with --json', () => {
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    expect(bulkProgress({ json: false, stream: new PassThrough() })).toBeUndefined();
    expect(bulkProgress({ json: true, stream: tty })).toBeUndefined();
  });

  test('at a terminal it shows lines done of the total and the counts so far', () => {
    let out = '';
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
    tty.on('data', (d: Buffer) => (out += d.toString()));
    const bar = bulkProgress({ json: false, stream: tty, total: 3 });
    expect(bar).toBeDefined();
    bar?.update(counts);
    bar?.stop();
    expect(out).toContain('3/3');
    expect(out).toContain('started 2');
    expect(out).toContain('refused 1');
  });
});
