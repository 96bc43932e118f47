import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { AesGcmCodec } from '../../codec/aes-gcm-codec';
import { dataConverterFor } from '../../codec/data-converter';
import { CancellationClient } from '../../client/cancellation-client';
import { type CallbackEvent } from '../../common/callbacks';
import { CALLBACK_HOST_NOT_ALLOWED } from '../../common/errors';
import { type CancellationRequestInput } from '../../common/request';
import { RebillySimulator } from '../../simulators/rebilly';
import { WORKFLOW_TYPE } from '../../workflows/definitions';
import { depsFor } from '../support/provider-harness';
import { REBILLY_KEY, REBILLY_ORG } from '../support/rebilly-fixture';
import { createDevServerEnv, startWorker, type RunningWorker } from '../support/temporal-env';
import { CallbackReceiver } from './receiver';

// Completion callbacks end to end: a real dev server, the Rebilly simulator, and real HTTP
// receivers on 127.0.0.1 that check signatures the way the contract tells a backend to.

const SECRET = randomBytes(24).toString('hex');

/** Everything a reader of a history could see: its fields and every byte string, as text. */
function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value === null || typeof value !== 'object') return String(value);
  return Object.values(value as Record<string, unknown>)
    .map(textOf)
    .join('\n');
}
const codec = new AesGcmCodec({ keys: new Map([['A', randomBytes(32)]]), currentKeyId: 'A' });

describe('completion callbacks on the Temporal dev server (Rebilly simulator, real receivers)', () => {
  let env: TestWorkflowEnvironment;
  let sim: RebillySimulator;
  let w: RunningWorker;
  let client: CancellationClient;
  /** Allow-listed; fails the first attempts of each delivery when told to. */
  const receiver = new CallbackReceiver(SECRET);
  /** Allow-listed; never answers 2xx. */
  const down = new CallbackReceiver(SECRET);
  /** Listening, but not in the worker's allow-list. */
  const outsider = new CallbackReceiver(SECRET);
  const urls = { receiver: '', down: '', outsider: '' };

  beforeAll(async () => {
    urls.receiver = await receiver.start();
    urls.down = await down.start();
    urls.outsider = await outsider.start();
    down.failFirst = Number.POSITIVE_INFINITY;
    down.failWith = 500;
    sim = new RebillySimulator({ organizationId: REBILLY_ORG, apiKey: REBILLY_KEY });
    const deps = depsFor({
      REBILLY_BASE_URL: await sim.start(),
      REBILLY_ORGANIZATION_ID: REBILLY_ORG,
      REBILLY_API_KEY: REBILLY_KEY,
      // `localhost` (any port) is listed to show that the outsider's 127.0.0.1 port is not.
      CANCELLATIONS_CALLBACK_HOSTS: `localhost, 127.0.0.1:${receiver.port}, 127.0.0.1:${down.port}`,
      CANCELLATIONS_CALLBACK_SECRET: SECRET,
      CANCELLATIONS_CALLBACK_FIRST_RETRY_MS: '200',
    });
    env = await createDevServerEnv();
    w = await startWorker(env, deps, { dataConverter: dataConverterFor(codec) });
    // Verification due at once, so the verification's event comes within the test.
    client = new CancellationClient(w.temporal, w.taskQueue, { runOptions: { verificationGraceSeconds: 0 } });
  });
  afterAll(async () => {
    await w?.stop();
    await env?.teardown();
    await sim?.stop();
    await Promise.all([receiver.stop(), down.stop(), outsider.stop()]);
  });
  beforeEach(() => {
    receiver.failFirst = 0;
    sim.automation = 'applies';
  });

  const request = (orderId: string, over: Partial<CancellationRequestInput> = {}) => {
    sim.addOrder({ id: orderId });
    return {
      requestId: `req-${orderId}`,
      provider: 'rebilly',
      target: { orderId },
      timing: { mode: 'immediate' },
      customerId: `cus-${orderId}`,
      callbackUrl: urls.receiver,
      ...over,
    } as CancellationRequestInput;
  };
  const runIdOf = async (workflowId: string) =>
    (await w.temporal.workflow.getHandle(workflowId).describe()).runId;
  const deliveryRun = async (workflowId: string, type: CallbackEvent['type'], runOf = workflowId) =>
    w.temporal.workflow.getHandle(`${workflowId}/callback/${type}/${await runIdOf(runOf)}`);
  const failureTypeOf = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    return cause instanceof ApplicationFailure ? cause.type : String(cause);
  };
  const byType = (events: CallbackEvent[], type: CallbackEvent['type']) => {
    const found = events.filter((e) => e.type === type);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  test('completed and verified: signed, delivered after two 503s with the same delivery id, once each', async () => {
    receiver.failFirst = 2;
    const { workflowId } = await client.request(request('cb-ord-1'));
    const result = await client.result(workflowId);
    expect(result).toMatchObject({ status: 'completed', verification: { status: 'pending' } });

    const events = await receiver.waitForEvents(workflowId, 2);
    const completed = byType(events, 'cancellation.completed');
    expect(completed).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f-]{36}$/),
      type: 'cancellation.completed',
      createdAt: expect.any(String),
      data: result,
    });
    const verified = byType(events, 'cancellation.verified');
    expect(verified.data).toEqual({
      ...result,
      verification: {
        ...result.verification,
        status: 'verified',
        checkedAt: expect.any(String),
        providerState: expect.any(String),
      },
    });
    expect(verified.id).not.toBe(completed.id);
    for (const event of [completed, verified]) {
      // Every attempt carried the same delivery id and a valid signature; only the third got 200.
      expect(receiver.attemptsOf(event.id).map((a) => [a.signatureValid, a.answered])).toEqual([
        [true, 503],
        [true, 503],
        [true, 200],
      ]);
    }
    const delivery = await deliveryRun(workflowId, 'cancellation.completed');
    await expect(delivery.result()).resolves.toMatchObject({ status: 200, attempt: 3 });
    // The delivery run's input (URL, result) went through the data converter like every payload.
    const history = textOf(await delivery.fetchHistory());
    expect(history).toContain('deliverCallback'); // readable: the activity type is plaintext
    expect(history).not.toContain('cb-ord-1');
    expect(history).not.toContain('/hooks/cancellations');
  });

  test('a receiver that always fails changes nothing for the cancellation', async () => {
    const { workflowId } = await client.request(request('cb-ord-down', { callbackUrl: urls.down }));
    const result = await client.result(workflowId);
    expect(result).toMatchObject({ status: 'completed', attempts: 1, confirmation: { level: 'effective' } });
    const delivery = await deliveryRun(workflowId, 'cancellation.completed');
    for (
      let i = 0;
      i < 300 && down.attempts.filter((a) => a.type === 'cancellation.completed').length < 3;
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const tried = down.attempts.filter((a) => a.type === 'cancellation.completed');
    expect(tried.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tried.map((a) => a.id)).size).toBe(1);
    expect(down.events.size).toBe(0);
    expect((await delivery.describe()).status.name).toBe('RUNNING'); // still retrying, within its 24 h
    expect((await w.temporal.workflow.getHandle(workflowId).describe()).status.name).toBe('COMPLETED');
    await delivery.terminate('test over');
  });

  test('a host not in the allow-list gets nothing; the delivery run fails, the cancellation completes', async () => {
    const { workflowId } = await client.request(request('cb-ord-out', { callbackUrl: urls.outsider }));
    const result = await client.result(workflowId);
    expect(result.status).toBe('completed');
    const delivery = await deliveryRun(workflowId, 'cancellation.completed');
    expect(await failureTypeOf(delivery.result())).toBe(CALLBACK_HOST_NOT_ALLOWED);
    const verification = w.temporal.workflow.getHandle(result.verification!.workflowId!);
    await verification.result();
    const verifiedDelivery = await deliveryRun(workflowId, 'cancellation.verified', verification.workflowId);
    expect(await failureTypeOf(verifiedDelivery.result())).toBe(CALLBACK_HOST_NOT_ALLOWED);
    expect(outsider.attempts).toHaveLength(0);
  });

  test('withdrawn: the withdrawal is announced', async () => {
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const { workflowId } = await client.request(request('cb-ord-w', { timing: { mode: 'at', at } }));
    await client.withdraw(workflowId, 'changed their mind');
    const result = await client.result(workflowId);
    const [event] = await receiver.waitForEvents(workflowId, 1);
    expect(event).toMatchObject({ type: 'cancellation.withdrawn', data: result });
    expect(result.status).toBe('withdrawn');
  });

  test('failed: a provider refusal is announced with its error', async () => {
    const input = request('cb-ord-f');
    sim.orders.delete('cb-ord-f'); // Rebilly refuses a cancellation of an unknown order: final
    const { workflowId } = await client.request(input);
    const result = await client.result(workflowId);
    expect(result).toMatchObject({ status: 'failed', error: { type: 'ProviderRejected' } });
    const [event] = await receiver.waitForEvents(workflowId, 1);
    expect(event).toMatchObject({ type: 'cancellation.failed', data: result });
  });

  test('failed: a request refused by the workflow (another SDK, no client checks) is announced too', async () => {
    const workflowId = 'cancellation/rebilly/cb-invalid';
    const handle = await w.temporal.workflow.start(WORKFLOW_TYPE, {
      workflowId,
      taskQueue: w.taskQueue,
      args: [{ ...request('cb-ord-bad'), timing: { mode: 'someday' } }],
    });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const [event] = await receiver.waitForEvents(workflowId, 1);
    expect(event).toMatchObject({
      type: 'cancellation.failed',
      data: { status: 'failed', error: { type: 'InvalidRequest', field: 'timing.mode' } },
    });
  });

  test('not-applied: a provider that forgets the cancellation is announced by the verification', async () => {
    sim.automation = 'forgets';
    const input = request('cb-ord-na', { timing: { mode: 'end-of-billing-period', deferTo: 'provider' } });
    // The period ends in a few seconds: the verification reads Rebilly right after.
    sim.orders.get('cb-ord-na')!.renewalTime = new Date(Date.now() + 3000).toISOString();
    const { workflowId } = await client.request(input);
    const result = await client.result(workflowId);
    expect(result.confirmation?.level).toBe('scheduled');
    const events = await receiver.waitForEvents(workflowId, 2);
    byType(events, 'cancellation.completed');
    const notApplied = byType(events, 'cancellation.not-applied');
    expect(notApplied.data).toMatchObject({
      status: 'completed',
      verification: { status: 'not-applied', workflowId: result.verification?.workflowId },
    });
  });
});
