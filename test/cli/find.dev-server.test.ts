import { CancellationClient } from '../../client/cancellation-client';
import { type ListedCancellation } from '../../client/visibility';
import { useTemporalWithRebilly } from '../support/rebilly-fixture';
import { createDevServerEnv } from '../support/temporal-env';
import { cliRunner } from './cli-runner';

type Row = ListedCancellation & { uiUrl: string };

const UI = 'https://temporal-ui.example.com/ops';

describe('finding a run by what an operator knows, with its Web UI link', () => {
  const t = useTemporalWithRebilly(createDevServerEnv);
  const { cli, json } = cliRunner(t, { TEMPORAL_UI_URL: UI });
  const input = (requestId: string, orderId: string, timing: object = { mode: 'immediate' }) => ({
    requestId,
    provider: 'rebilly',
    target: { orderId },
    timing,
  });
  const link = (workflowId: string, runId: string) =>
    `${UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;

  /** Visibility is eventually consistent: ask until the rows are there (or give up and show them). */
  async function listUntil(args: string[], done: (rows: Row[]) => boolean): Promise<Row[]> {
    let rows: Row[] = [];
    for (let i = 0; i < 40 && !done(rows); i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      rows = await json<Row[]>(['list', ...args]);
    }
    return rows;
  }

  test('list --provider rebilly --order-id lists every run of that order and its verification, and no other order', async () => {
    // No grace: the verification run starts as soon as the cancellation completes.
    const client = new CancellationClient(t.w.temporal, t.w.taskQueue, {
      ids: t.w.client.ids,
      runOptions: { verificationGraceSeconds: 0 },
    });
    t.sim.addOrder({ id: 'find-ord-1' });
    t.sim.addOrder({ id: 'find-ord-2' });
    const one = await client.request(input('find-req-1', 'find-ord-1'));
    const other = await client.request(input('find-req-2', 'find-ord-2'));
    const done = await client.result(one.workflowId);
    await client.result(other.workflowId);
    // A second cancellation of the same order: a new run under the same workflow id.
    const later = await client.request(
      input('find-req-1b', 'find-ord-1', { mode: 'at', at: new Date(Date.now() + 86_400_000).toISOString() }),
    );
    expect(later).toMatchObject({ workflowId: one.workflowId, disposition: 'started' });
    expect(later.runId).not.toBe(one.runId);

    const rows = await listUntil(['--provider', 'rebilly', '--order-id', 'find-ord-1'], (r) => r.length >= 3);
    expect(rows.map((r) => r.workflowId)).toEqual([one.workflowId, one.workflowId, one.workflowId]);
    const runs = rows.filter((r) => r.kind === 'cancellation');
    expect(runs.map((r) => r.runId).sort()).toEqual([one.runId, later.runId].sort());
    expect(runs.find((r) => r.runId === later.runId)).toMatchObject({
      stage: 'scheduled',
      requestId: 'find-req-1b',
    });
    const verification = rows.find((r) => r.kind === 'verification');
    expect(verification?.verificationWorkflowId).toBe(done.verification?.workflowId);
    for (const r of rows) expect(r.uiUrl).toBe(link(r.verificationWorkflowId ?? r.workflowId, r.runId));

    const others = await listUntil(
      ['--provider', 'rebilly', '--order-id', 'find-ord-2'],
      (r) => r.length >= 2,
    );
    expect(new Set(others.map((r) => r.workflowId))).toEqual(new Set([other.workflowId]));
    expect(others.map((r) => r.runId)).not.toContain(one.runId);

    // The table shows the link too.
    const table = await cli([
      'list',
      '--provider',
      'rebilly',
      '--order-id',
      'find-ord-1',
      '--stage',
      'scheduled',
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(link(one.workflowId, later.runId));
    expect(table.stdout).not.toContain(one.runId);
  });

  test('list --customer prints each run with its link', async () => {
    t.sim.addOrder({ id: 'find-ord-c' });
    const r = await t.w.client.request({ ...input('find-req-c', 'find-ord-c'), customerId: 'cust-4812' });
    const rows = await listUntil(['--customer', 'cust-4812'], (x) => x.length > 0);
    expect(rows).toEqual([
      expect.objectContaining({ workflowId: r.workflowId, uiUrl: link(r.workflowId, r.runId) }),
    ]);
  });

  test("status and request print the run's link, naming the namespace and the workflow id", async () => {
    t.sim.addOrder({ id: 'find-ord-s' });
    const started = await json<{ workflowId: string; runId: string; uiUrl: string }>(
      ['request', '-'],
      JSON.stringify(
        input('find-req-s', 'find-ord-s', {
          mode: 'at',
          at: new Date(Date.now() + 86_400_000).toISOString(),
        }),
      ),
    );
    expect(started.uiUrl).toBe(link(started.workflowId, started.runId));
    const status = await json(['status', started.workflowId]);
    expect(status).toMatchObject({ runId: started.runId, uiUrl: link(started.workflowId, started.runId) });
    const table = await cli(['status', started.workflowId]);
    expect(table.stdout).toContain(
      `${UI}/namespaces/default/workflows/${encodeURIComponent(started.workflowId)}/`,
    );
    // Without TEMPORAL_UI_URL: the dev server's UI.
    const plain = await cli(['status', started.workflowId, '--json'], undefined, { TEMPORAL_UI_URL: '' });
    expect(JSON.parse(plain.stdout)).toMatchObject({
      uiUrl: expect.stringMatching(/^http:\/\/localhost:8233\/namespaces\/default\//),
    });
    await t.w.client.withdraw(started.workflowId);
  });

  test('a bad target names the field and the option, and a target option needs its provider', async () => {
    const bad = await cli([
      'list',
      '--provider',
      'payway',
      '--account-id',
      'xyz',
      '--user-product-id',
      'p',
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr)).toMatchObject({
      error: { type: 'InvalidRequest', field: 'target.accountId' },
    });
    const text = await cli(['list', '--provider', 'payway', '--account-id', 'xyz', '--user-product-id', 'p']);
    expect(text.stderr).toContain('target.accountId (--account-id): must be 24 hexadecimal characters');
    const wrong = await cli(['list', '--provider', 'keliweb', '--order-id', 'o']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--order-id is not a field of keliweb targets');
    const noProvider = await cli(['list', '--order-id', 'o']);
    expect(noProvider.code).toBe(2);
    expect(noProvider.stderr).toContain('--order-id needs --provider');
    const badUi = await cli(['status', 'cancellation/rebilly/x'], undefined, { TEMPORAL_UI_URL: 'ui:8233' });
    expect(badUi.code).not.toBe(0);
  });
});
