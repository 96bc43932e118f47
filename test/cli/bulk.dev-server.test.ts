import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BulkLineResult } from '../../client/bulk';
import { useTemporalWithRebilly } from '../support/rebilly-fixture';
import { createDevServerEnv } from '../support/temporal-env';
import { cliRunner } from './cli-runner';

interface BulkJson {
  requests: number;
  started: number;
  existing: number;
  inProgress: number;
  refused: number;
  failed: number;
  interrupted: boolean;
  results: Array<BulkLineResult & { uiUrl?: string }>;
}

describe('cancellations bulk against the dev server', () => {
  const t = useTemporalWithRebilly(createDevServerEnv);
  const { cli, json } = cliRunner(t);
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-bulk-'));

  const line = (requestId: string, orderId: string, timing: object = { mode: 'immediate' }) =>
    JSON.stringify({ requestId, provider: 'rebilly', target: { orderId }, timing });

  /** 30 request lines and a blank one; lines 7, 16 and 24 are bad, each in its own way. */
  function thirtyLines(): { text: string[]; orders: string[] } {
    const text: string[] = [];
    const orders: string[] = [];
    for (let n = 1; text.length < 31; n++) {
      const at = text.length + 1;
      if (at === 7) text.push(line('bulk-bad-7', 'not an id!'));
      else if (at === 12) text.push('');
      else if (at === 16)
        text.push(line('bulk-bad-16', 'bulk-ord-x', { mode: 'at', at: '2020-01-01T00:00:00Z' }));
      else if (at === 24) text.push('{"requestId": "bulk-bad-24", "provider": ');
      else {
        const orderId = `bulk-ord-${n}`;
        t.sim.addOrder({ id: orderId });
        orders.push(orderId);
        text.push(line(`bulk-req-${n}`, orderId));
      }
    }
    return { text, orders };
  }

  test('30 lines with 3 bad ones; a run cut short and run again starts only the rest; a third run starts nothing', async () => {
    const { text, orders } = thirtyLines();
    expect(orders).toHaveLength(27);
    const full = path.join(dir, 'thirty.ndjson');
    writeFileSync(full, `${text.join('\n')}\n`);
    // As if the first run had been interrupted after line 10.
    const firstTen = path.join(dir, 'first-ten.ndjson');
    writeFileSync(firstTen, `${text.slice(0, 10).join('\n')}\n`);

    const partial = await json<BulkJson>(['bulk', firstTen, '--concurrency', '4'], undefined, 2);
    expect(partial).toMatchObject({ requests: 10, started: 9, refused: 1, failed: 0 });

    const first = await json<BulkJson>(['bulk', full, '--concurrency', '8'], undefined, 2);
    expect(first).toMatchObject({
      requests: 30,
      started: 18,
      existing: 9,
      refused: 3,
      failed: 0,
      interrupted: false,
    });
    const refused = first.results.filter((r) => r.outcome === 'refused');
    expect(refused.map((r) => [r.line, r.requestId, r.error?.field])).toEqual([
      [7, 'bulk-bad-7', 'target.orderId'],
      [16, 'bulk-bad-16', 'timing.at'],
      [24, undefined, '(request)'],
    ]);
    expect(refused[2]?.error?.message).toContain('not valid JSON');
    const accepted = first.results.filter((r) => r.outcome !== 'refused');
    expect(new Set(accepted.map((r) => r.workflowId)).size).toBe(27);
    for (const r of accepted)
      expect(r.uiUrl).toContain(
        `/namespaces/default/workflows/${encodeURIComponent(r.workflowId!)}/${r.runId}`,
      );

    // Every cancellation done, then count what reached the provider.
    await Promise.all(accepted.map((r) => t.w.client.result(r.workflowId!)));
    for (const orderId of orders) expect(t.sim.writes(orderId)).toHaveLength(1);
    const writes = t.sim.writes().length;

    const again = await json<BulkJson>(['bulk', full], undefined, 2);
    expect(again).toMatchObject({ requests: 30, started: 0, existing: 27, refused: 3, failed: 0 });
    const runOf = new Map(accepted.map((r) => [r.line, r.runId]));
    for (const r of again.results.filter((x) => x.outcome === 'existing'))
      expect(r.runId).toBe(runOf.get(r.line));
    expect(t.sim.writes().length).toBe(writes);
  });

  test('from standard input, with a summary table and the refused lines on stderr, no progress bar in a pipe', async () => {
    t.sim.addOrder({ id: 'bulk-stdin-1' });
    t.sim.addOrder({ id: 'bulk-stdin-2' });
    const input = [
      line('bulk-stdin-req-1', 'bulk-stdin-1'),
      line('bulk-stdin-req-bad', 'bulk-stdin-2', { mode: 'at', at: 'tomorrow' }),
      '',
      line('bulk-stdin-req-2', 'bulk-stdin-2'),
    ].join('\n');
    const r = await cli(['bulk', '-'], input);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/started\s*│\s*2/);
    expect(r.stdout).toMatch(/refused\s*│\s*1/);
    expect(r.stderr).toContain('line 2: refused (requestId bulk-stdin-req-bad): timing.at:');
    expect(r.stderr).not.toContain('bulk [');

    const clean = await cli(
      ['bulk', '-'],
      input
        .split('\n')
        .filter((l) => !l.includes('-bad'))
        .join('\n'),
    );
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/existing\s*│\s*2/);
  });

  test('a missing file is an error and nothing starts; --dry-run needs no worker and starts nothing', async () => {
    const missing = await cli(['bulk', path.join(dir, 'nope.ndjson')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');

    const file = path.join(dir, 'dry.ndjson');
    writeFileSync(file, `${line('bulk-dry-1', 'bulk-dry-1')}\n${line('bulk-dry-2', 'bad id')}\n`);
    const writes = t.sim.writes().length;
    const dry = await json<BulkJson & { valid: number }>(['bulk', file, '--dry-run'], undefined, 2);
    expect(dry).toMatchObject({ requests: 2, valid: 1, refused: 1, started: 0 });
    const rows = await json<unknown[]>(['list', '--provider', 'rebilly', '--order-id', 'bulk-dry-1']);
    expect(rows).toEqual([]);
    expect(t.sim.writes().length).toBe(writes);
  });
});
