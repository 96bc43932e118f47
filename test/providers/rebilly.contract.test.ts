import { createRebillyActivities, rebillyCancellationId } from '../../activities/providers/rebilly';
import { type SubmitCommand } from '../../activities/providers/types';
import { RebillySimulator } from '../../simulators/rebilly';
import { depsFor, detailsOf, failureOf } from '../support/provider-harness';

const ORG = 'org-test';
const KEY = 'sk_sandbox_secret_123';

describe('Rebilly activities against the Rebilly simulator', () => {
  const sim = new RebillySimulator({ organizationId: ORG, apiKey: KEY });
  let acts: ReturnType<typeof createRebillyActivities>;

  beforeAll(async () => {
    const url = await sim.start();
    acts = createRebillyActivities(
      depsFor({ REBILLY_BASE_URL: url, REBILLY_ORGANIZATION_ID: ORG, REBILLY_API_KEY: KEY }),
    );
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.addOrder({ id: 'ord-1', renewalTime: '2027-01-01T00:00:00.000Z' });
  });

  const command = (over: Partial<SubmitCommand<'rebilly'>> = {}): SubmitCommand<'rebilly'> => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: { orderId: 'ord-1' },
    effect: 'now',
    reasonCode: 'too_expensive',
    comment: 'moving away',
    requestedBy: 'system',
    ...over,
  });

  test('submit sends the documented PUT upsert with REB-APIKEY and a deterministic id', async () => {
    const receipt = await acts.submitCancellation(command());
    const [call] = sim.calls('PUT');
    expect(call?.path).toBe(`/organizations/${ORG}/order-cancellations/cxl-req~1`);
    expect(call?.headers['reb-apikey']).toBe(KEY);
    expect(call?.contentType).toMatch(/^application\/json/);
    expect(call?.body).toEqual({
      orderId: 'ord-1',
      churnTimePolicy: 'now',
      canceledBy: 'merchant', // system -> merchant
      reason: 'too-expensive',
      prorated: false,
      description: 'moving away | requested by system | request req:1',
    });
    expect(receipt).toMatchObject({
      alreadyExisted: false,
      providerReference: { cancellationId: 'cxl-req~1' },
    });
    expect(sim.orders.get('ord-1')?.status).toBe('canceled');
  });

  test('provider-deferred submit uses at-next-renewal and takes effect at renewalTime', async () => {
    const receipt = await acts.submitCancellation(
      command({ effect: 'end-of-period', requestedBy: 'customer' }),
    );
    expect(sim.calls('PUT')[0]?.body).toMatchObject({
      churnTimePolicy: 'at-next-renewal',
      canceledBy: 'customer',
    });
    expect(receipt.effectiveAt).toBe('2027-01-01T00:00:00.000Z');
    const confirmation = await acts.confirmCancellation({
      requestId: 'req:1',
      workflowId: 'wf',
      target: { orderId: 'ord-1' },
      effect: 'end-of-period',
      receipt,
    });
    expect(confirmation).toMatchObject({
      providerState: 'order active',
      effectiveAt: '2027-01-01T00:00:00.000Z',
    });
  });

  test('a long request id still gives a valid Rebilly id of at most 50 chars', () => {
    const id = rebillyCancellationId('x'.repeat(64));
    expect(id.length).toBeLessThanOrEqual(50);
    expect(id).toMatch(/^[@~\-.\w]+$/);
    expect(rebillyCancellationId('x'.repeat(64))).toBe(id);
  });

  test('a lost response, retried, leaves exactly one cancellation', async () => {
    sim.addFault({ method: 'PUT', fault: { kind: 'lost-response' } });
    const lost = await failureOf(() => acts.submitCancellation(command()));
    expect(lost.type).toBe('ProviderUnavailable');
    expect(lost.nonRetryable).toBe(false);
    const retried = await acts.submitCancellation(command());
    expect(retried.alreadyExisted).toBe(true);
    expect(sim.cancellations.size).toBe(1);
    expect(sim.calls('PUT')).toHaveLength(2);
  });

  test('cancelling an order another request already cancelled counts as done', async () => {
    await acts.submitCancellation(command({ requestId: 'first' }));
    const second = await acts.submitCancellation(command({ requestId: 'second' }));
    expect(second.alreadyExisted).toBe(true);
    expect(sim.cancellations.size).toBe(1);
  });

  test('422 is non-retryable and names the provider field', async () => {
    const f = await failureOf(() => acts.submitCancellation(command({ target: { orderId: 'missing' } })));
    expect(f.type).toBe('ProviderRejected');
    expect(f.nonRetryable).toBe(true);
    expect(detailsOf(f)).toMatchObject({ status: 422, field: 'orderId' });
    expect(f.message).toContain('Order not found');
  });

  test('429 is retryable no earlier than X-RateLimit-Retry-After (a Unix timestamp)', async () => {
    sim.addFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 30 } });
    const f = await failureOf(() => acts.submitCancellation(command()));
    expect(f.type).toBe('ProviderRateLimited');
    expect(f.nonRetryable).toBe(false);
    expect(Number(f.nextRetryDelay)).toBeGreaterThanOrEqual(28_000);
    expect(Number(f.nextRetryDelay)).toBeLessThanOrEqual(31_000);
  });

  test('5xx and a hang past the timeout are retryable', async () => {
    sim.addFault({ fault: { kind: 'status', status: 503 } });
    expect((await failureOf(() => acts.submitCancellation(command()))).type).toBe('ProviderUnavailable');
    sim.addFault({ fault: { kind: 'hang' } });
    const hang = await failureOf(() => acts.submitCancellation(command()));
    expect(hang.type).toBe('ProviderUnavailable');
    expect(hang.message).toContain('ETIMEDOUT');
  });

  test('a wrong API key is refused as the provider would, and the key never shows in the error', async () => {
    const wrong = createRebillyActivities(
      depsFor({ REBILLY_BASE_URL: sim.url, REBILLY_ORGANIZATION_ID: ORG, REBILLY_API_KEY: 'nope-secret' }),
    );
    const f = await failureOf(() => wrong.submitCancellation(command()));
    expect(f.type).toBe('ProviderAuthFailed');
    expect(f.nonRetryable).toBe(true);
    expect(JSON.stringify({ m: f.message, d: f.details })).not.toContain('nope-secret');
  });

  test('missing settings fail fast, naming the variable', async () => {
    const unconfigured = createRebillyActivities(depsFor({ REBILLY_BASE_URL: sim.url }));
    const f = await failureOf(() => unconfigured.submitCancellation(command()));
    expect(f.type).toBe('ProviderNotConfigured');
    expect(f.message).toContain('REBILLY_ORGANIZATION_ID');
    expect(sim.requests).toHaveLength(0);
  });

  test('readPeriodEnd reads renewalTime from the order', async () => {
    await expect(acts.readPeriodEnd({ orderId: 'ord-1' })).resolves.toEqual({
      periodEnd: '2027-01-01T00:00:00.000Z',
      source: 'order.renewalTime',
    });
  });
});
