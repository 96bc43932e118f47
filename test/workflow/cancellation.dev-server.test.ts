import { execFileSync } from 'node:child_process';
import { CancellationClient } from '../../client/cancellation-client';
import { IdempotencyConflictError, InvalidRequestError } from '../../client/errors';
import { type CancellationRequestInput } from '../../common/request';
import { devServerExecutable } from '../../scripts/temporal-binaries';
import { useTemporalWithRebilly } from '../support/rebilly-fixture';
import { createDevServerEnv } from '../support/temporal-env';

describe('cancellation workflow on the Temporal dev server (Rebilly simulator)', () => {
  const t = useTemporalWithRebilly(createDevServerEnv);

  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  const input = (orderId: string, requestId: string, over: Partial<CancellationRequestInput> = {}) =>
    ({
      requestId,
      provider: 'rebilly',
      target: { orderId },
      timing: { mode: 'at', at: inAnHour },
      customerId: 'cus-dev-1',
      ...over,
    }) as CancellationRequestInput;

  test('the same request again returns the same run; other parameters under the same requestId are refused', async () => {
    t.sim.addOrder({ id: 'dev-ord-1' });
    const first = await t.w.client.request(input('dev-ord-1', 'dev-req-1'));
    expect(first.disposition).toBe('started');
    const again = await t.w.client.request(input('dev-ord-1', 'dev-req-1'));
    expect(again).toMatchObject({
      workflowId: first.workflowId,
      runId: first.runId,
      disposition: 'existing',
    });
    await expect(
      t.w.client.request(input('dev-ord-1', 'dev-req-1', { reason: { code: 'unused' } })),
    ).rejects.toBeInstanceOf(IdempotencyConflictError);
    const other = await t.w.client.request(input('dev-ord-1', 'dev-req-other'));
    expect(other).toMatchObject({ runId: first.runId, disposition: 'in-progress', requestId: 'dev-req-1' });

    await t.w.client.withdraw(first.workflowId);
    const replay = await t.w.client.request(input('dev-ord-1', 'dev-req-1'));
    expect(replay).toMatchObject({ runId: first.runId, disposition: 'existing', stage: 'withdrawn' });
  });

  test('twenty concurrent identical submissions give one workflow and one provider call', async () => {
    t.sim.addOrder({ id: 'dev-ord-20' });
    const req = input('dev-ord-20', 'dev-req-20', { timing: { mode: 'immediate' } });
    const accepted = await Promise.all(Array.from({ length: 20 }, () => t.w.client.request(req)));
    expect(new Set(accepted.map((a) => a.runId)).size).toBe(1);
    const dispositions = accepted.map((a) => a.disposition);
    expect(dispositions.filter((d) => d === 'started')).toHaveLength(1);
    expect(dispositions.filter((d) => d === 'existing')).toHaveLength(19);
    const result = await t.w.client.result(accepted[0]!.workflowId);
    expect(result.status).toBe('completed');
    expect(t.sim.calls('PUT', 'cxl-dev-req-20')).toHaveLength(1);
    expect(t.sim.writes('dev-ord-20')).toHaveLength(1);
  });

  test('search attributes are visible to a visibility query and to `temporal workflow list`', async () => {
    t.sim.addOrder({ id: 'dev-ord-sa' });
    const { workflowId } = await t.w.client.request(input('dev-ord-sa', 'dev-req-sa'));
    let listed: Awaited<ReturnType<typeof t.w.client.list>> = [];
    for (let i = 0; i < 40 && !listed.some((l) => l.workflowId === workflowId); i++) {
      listed = await t.w.client.list({ stage: 'scheduled', provider: 'rebilly' });
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(listed.find((l) => l.workflowId === workflowId)).toMatchObject({
      provider: 'rebilly',
      stage: 'scheduled',
      requestId: 'dev-req-sa',
    });

    const cli = devServerExecutable().executable;
    if (cli.type !== 'existing-path') throw new Error('no temporal CLI binary was provisioned');
    const address = t.env.connection.options.address;
    const out = execFileSync(
      cli.path,
      [
        'workflow',
        'list',
        '--address',
        address,
        '--query',
        `CancellationRequestId = 'dev-req-sa'`,
        '-o',
        'json',
      ],
      { encoding: 'utf8' },
    );
    expect(out).toContain(workflowId);
    await t.w.client.withdraw(workflowId);
  });

  test('invalid input is refused before anything starts, naming the field', async () => {
    const bad = { ...input('dev-ord-bad', 'dev-req-bad'), target: { orderId: 'has spaces' } };
    const err = await t.w.client.request(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as InvalidRequestError).field).toBe('target.orderId');
    expect(await t.w.client.list({ provider: 'rebilly' })).not.toContainEqual(
      expect.objectContaining({ requestId: 'dev-req-bad' }),
    );
  });

  test('static summary and details make the run readable in the Web UI', async () => {
    t.sim.addOrder({ id: 'dev-ord-ui' });
    const { workflowId } = await t.w.client.request(
      input('dev-ord-ui', 'dev-req-ui', { reason: { code: 'unused' } }),
    );
    const d = await t.env.client.workflow.getHandle(workflowId).describe();
    expect(await d.staticSummary()).toBe('Cancel Rebilly order dev-ord-ui (at a date)');
    expect(await d.staticDetails()).toContain('- **Reason** unused');
    await t.w.client.withdraw(workflowId);
  });

  test('verification: verified and not-applied are shown by status, `list --verification` and a visibility query', async () => {
    // No grace, and periods that end two seconds from now: the verification runs while we watch.
    const client = new CancellationClient(t.w.temporal, t.w.taskQueue, {
      ids: t.w.client.ids,
      runOptions: { verificationGraceSeconds: 0 },
    });
    const atRenewal = { timing: { mode: 'end-of-billing-period', deferTo: 'provider' } } as const;
    const run = async (orderId: string) => {
      t.sim.addOrder({ id: orderId, renewalTime: new Date(Date.now() + 2000).toISOString() });
      const { workflowId } = await client.request(input(orderId, `req-${orderId}`, atRenewal));
      const result = await client.result(workflowId);
      expect(result.confirmation?.level).toBe('scheduled');
      const child = t.env.client.workflow.getHandle(result.verification!.workflowId!);
      return { workflowId, outcome: await child.result().catch((e: unknown) => e) };
    };

    const applied = await run('dev-ord-verified');
    expect(applied.outcome).toMatchObject({ status: 'verified' });
    t.sim.automation = 'forgets';
    const forgotten = await run('dev-ord-forgotten').finally(() => (t.sim.automation = 'applies'));
    expect((forgotten.outcome as { cause?: { type?: string } }).cause?.type).toBe('CancellationNotApplied');

    expect((await client.status(applied.workflowId)).verification?.status).toBe('verified');
    expect((await client.status(forgotten.workflowId)).verification?.status).toBe('not-applied');
    const listedAs = async (verification: 'verified' | 'not-applied') => {
      for (let i = 0; i < 40; i++) {
        const rows = await client.list({ verification, provider: 'rebilly' });
        if (rows.length > 0) return rows.map((r) => r.workflowId);
        await new Promise((r) => setTimeout(r, 250));
      }
      return [];
    };
    expect(await listedAs('not-applied')).toEqual([forgotten.workflowId]);
    expect(await listedAs('verified')).toContain(applied.workflowId);
    const raw: string[] = [];
    for await (const wf of t.env.client.workflow.list({ query: `CancellationVerification = 'not-applied'` }))
      raw.push(wf.workflowId);
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatch(new RegExp(`^${forgotten.workflowId}/verification/`));
  });
});
