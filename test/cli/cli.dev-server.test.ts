import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useTemporalWithRebilly } from '../support/rebilly-fixture';
import { createDevServerEnv } from '../support/temporal-env';
import { cliRunner } from './cli-runner';

describe('the cancellations CLI against the dev server', () => {
  const t = useTemporalWithRebilly(createDevServerEnv);
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-test-'));

  const { cli, json } = cliRunner(t);
  const requestFile = (orderId: string, requestId: string, timing: object) => {
    t.sim.addOrder({ id: orderId });
    const file = path.join(dir, `${requestId}.json`);
    writeFileSync(file, JSON.stringify({ requestId, provider: 'rebilly', target: { orderId }, timing }));
    return file;
  };
  const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

  test('setup registers the search attributes idempotently', async () => {
    const out = await json(['setup']);
    expect(out).toMatchObject({ added: [], namespace: 'default' });
    expect(out.present).toEqual(expect.arrayContaining(['CancellationStage', 'CancellationVerification']));
  });

  test('request, status, reschedule, expedite and result with --json; a table without it', async () => {
    const file = requestFile('cli-ord-1', 'cli-req-1', { mode: 'at', at: inADay() });
    const started = await json(['request', file]);
    expect(started).toMatchObject({ disposition: 'started', stage: 'scheduled' });
    const id = String(started.workflowId);

    expect(await json(['status', id])).toMatchObject({
      stage: 'scheduled',
      provider: 'rebilly',
      attempts: 0,
    });
    const table = await cli(['status', id]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/stage\s*│\s*scheduled/);

    const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
    expect(await json(['reschedule', id, later])).toMatchObject({ scheduledFor: later });
    expect(await json(['expedite', id])).toMatchObject({ workflowId: id });
    expect(await json(['result', id])).toMatchObject({
      status: 'completed',
      provider: 'rebilly',
      attempts: 1,
    });
    expect(t.sim.calls('PUT', 'cxl-cli-req-1')).toHaveLength(1);
  });

  test('request from standard input, list by stage and provider, withdraw', async () => {
    t.sim.addOrder({ id: 'cli-ord-2' });
    const body = JSON.stringify({
      requestId: 'cli-req-2',
      provider: 'rebilly',
      target: { orderId: 'cli-ord-2' },
      timing: { mode: 'at', at: inADay() },
    });
    const id = String((await json(['request', '-'], body)).workflowId);
    let rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 20 && !rows.some((r) => r.workflowId === id); i++) {
      rows = (await json(['list', '--stage', 'scheduled', '--provider', 'rebilly'])) as unknown as Array<
        Record<string, unknown>
      >;
    }
    expect(rows.find((r) => r.workflowId === id)).toMatchObject({
      stage: 'scheduled',
      requestId: 'cli-req-2',
    });
    expect(await json(['withdraw', id, '--reason', 'kept the plan'])).toMatchObject({ stage: 'withdrawn' });
    expect(await json(['result', id])).toMatchObject({ status: 'withdrawn' });
  });

  test('withdraw after submission fails with a clear message and a non-zero exit', async () => {
    const file = requestFile('cli-ord-3', 'cli-req-3', { mode: 'immediate' });
    const id = String((await json(['request', file])).workflowId);
    await json(['result', id]);
    const r = await cli(['withdraw', id]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('cannot withdraw: the cancellation is already completed');
  });

  test('an invalid field is named, and nothing is started', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        requestId: 'cli-bad',
        provider: 'payway',
        target: { accountId: 'xyz', userProductId: 'p' },
        timing: { mode: 'immediate' },
      }),
    );
    const r = await cli(['request', file, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({
      error: { type: 'InvalidRequest', field: 'target.accountId' },
    });
    const text = await cli(['request', file]);
    expect(text.stderr).toContain('target.accountId: must be 24 hexadecimal characters');
  });

  test('a missing file, bad JSON and an unknown workflow id are errors on stderr', async () => {
    const missing = await cli(['request', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
    const badJson = path.join(dir, 'broken.json');
    writeFileSync(badJson, '{ "requestId": ');
    const broken = await cli(['request', badJson]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not valid JSON');
    const unknown = await cli(['status', 'cancellation/rebilly/order-nobody']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('no cancellation with workflow id cancellation/rebilly/order-nobody');
    const unknownWithdraw = await cli(['withdraw', 'cancellation/rebilly/order-nobody']);
    expect(unknownWithdraw.code).toBe(4);
  });

  test('--help on every command', async () => {
    const commands = [
      'setup',
      'worker',
      'request',
      'status',
      'withdraw',
      'reschedule',
      'expedite',
      'result',
      'list',
      'bulk',
    ];
    const results = await Promise.all(commands.map((c) => cli([c, '--help'])));
    results.forEach((r, i) => {
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: cancellations ${commands[i]}`);
      expect(r.stdout).toContain('--json');
    });
  });
});
