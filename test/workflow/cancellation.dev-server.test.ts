import { execFileSync } from 'node:child_process';
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
    const result = await t.w.client.result(accepted[0]!.workflowId);
    expect(result.status).toBe('completed');
    expect(t.sim.calls('PUT', 'cxl-dev-req-20')).toHaveLength(1);
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
});
