import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  createRebillyActivities,
  REBILLY_LEVELS,
  rebillyCancellationId,
} from '../../activities/providers/rebilly';
import { type Confirmation, type SubmitCommand, type SubmitReceipt } from '../../activities/providers/types';
import { RebillySimulator } from '../../simulators/rebilly';
import { depsFor, detailsOf, failureOf } from '../support/provider-harness';

const ORG = 'org-test';
const KEY = 'sk_sandbox_secret_123';
const RENEWAL = '2027-01-01T00:00:00.000Z';
// Every body field seed 003 documents for PUT /order-cancellations/{id}.
const DOCUMENTED_FIELDS = [
  'canceledTime',
  'description',
  'prorated',
  'proratedInvoiceId',
  'createdTime',
  'churnTime',
  'churnTimePolicy',
  'status',
  'id',
  '_links',
  'orderId',
  'updatedTime',
  'lineItemSubtotal',
  'canceledBy',
  'reason',
  'lineItems',
  'appliedInvoiceId',
];

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
    sim.addOrder({ id: 'ord-1', renewalTime: RENEWAL });
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
  const query = (receipt: SubmitReceipt, effect: 'now' | 'end-of-period' = 'now') => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: { orderId: 'ord-1' },
    effect,
    receipt,
  });
  const verifyQuery = (receipt: SubmitReceipt, confirmation: Confirmation) => ({
    ...query(receipt),
    confirmation,
  });
  /** Temporal's second attempt of an activity; its logger quiet about the failures we expect. */
  const secondAttempt = () =>
    new MockActivityEnvironment({ attempt: 2 }, { logger: new DefaultLogger('ERROR') });
  /** A PUT as another client (a merchant's back office, a test) would send it. */
  const putRaw = (id: string, body: unknown, contentType = 'application/json') =>
    fetch(`${sim.url}/organizations/${ORG}/order-cancellations/${id}`, {
      method: 'PUT',
      headers: { 'REB-APIKEY': KEY, 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

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
      acknowledged: true,
      providerReference: { cancellationId: 'cxl-req~1' },
    });
    // The provider's churnTime, not our clock.
    expect(receipt.effectiveAt).toBe(sim.cancellations.get('cxl-req~1')?.churnTime);
    expect(sim.orders.get('ord-1')?.status).toBe('canceled');
    expect(sim.writes('ord-1')).toHaveLength(1);
    expect(sim.changesOf('ord-1').map((c) => c.change)).toEqual(['canceled']);
  });

  test('the adapter sends documented body fields only', async () => {
    await acts.submitCancellation(command({ target: { orderId: 'ord-1', prorated: true } }));
    await acts.submitCancellation(
      command({ requestId: 'req:2', effect: 'end-of-period', reasonCode: undefined, comment: undefined }),
    );
    for (const put of sim.calls('PUT'))
      for (const field of Object.keys(put.body as object)) expect(DOCUMENTED_FIELDS).toContain(field);
  });

  test('a comment that fills the description still leaves who asked and the request id whole', async () => {
    await acts.submitCancellation(command({ comment: 'x'.repeat(255) }));
    const description = String((sim.calls('PUT')[0]?.body as { description: string }).description);
    expect(description.length).toBeLessThanOrEqual(255);
    expect(description).toContain('requested by system');
    expect(description).toContain('request req:1');
    expect(description.startsWith('xxx')).toBe(true);
  });

  test('immediate: one write, then confirm reads `effective` with the provider date, writing nothing', async () => {
    const receipt = await acts.submitCancellation(command());
    const writes = sim.writes().length;
    const confirmation = await acts.confirmCancellation(query(receipt));
    expect(confirmation).toMatchObject({
      level: 'effective',
      providerState: 'order canceled',
      effectiveAt: sim.orders.get('ord-1')?.churnTime,
      providerReference: { orderId: 'ord-1', orderStatus: 'canceled' },
    });
    expect(Date.parse(confirmation.observedAt)).not.toBeNaN();
    const reading = await acts.verifyCancellation(verifyQuery(receipt, confirmation));
    expect(reading).toMatchObject({ status: 'verified', providerState: 'order canceled' });
    expect(sim.writes()).toHaveLength(writes);
    expect(writes).toBe(1);
    expect(sim.calls('GET', '/order-cancellations/cxl-req~1')).toHaveLength(1);
  });

  test('provider-deferred: at-next-renewal, `scheduled` at the churnTime the provider answered', async () => {
    const receipt = await acts.submitCancellation(
      command({ effect: 'end-of-period', requestedBy: 'customer' }),
    );
    expect(sim.calls('PUT')[0]?.body).toMatchObject({
      churnTimePolicy: 'at-next-renewal',
      canceledBy: 'customer',
    });
    expect(receipt).toMatchObject({ effectiveAt: RENEWAL, acknowledged: true, alreadyExisted: false });
    expect(sim.writes('ord-1')).toHaveLength(1);
    const confirmation = await acts.confirmCancellation(query(receipt, 'end-of-period'));
    expect(confirmation).toMatchObject({
      level: 'scheduled',
      providerState: 'order-cancellation confirmed, order active',
      effectiveAt: RENEWAL,
    });
    expect(sim.writes('ord-1')).toHaveLength(1);
    expect(sim.changesOf('ord-1').map((c) => c.change)).toEqual(['scheduled-to-end']);
  });

  test('when the provider clock passes churnTime the order churns: effective, then verified', async () => {
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    const scheduled = await acts.confirmCancellation(query(receipt, 'end-of-period'));
    const reading = await acts.verifyCancellation(verifyQuery(receipt, scheduled));
    expect(reading).toMatchObject({ status: 'not-applied', providerState: 'order active' });

    sim.setNow('2027-01-01T00:00:01.000Z');
    const confirmation = await acts.confirmCancellation(query(receipt, 'end-of-period'));
    expect(confirmation).toMatchObject({ level: 'effective', effectiveAt: RENEWAL });
    expect(sim.cancellations.get('cxl-req~1')?.status).toBe('completed');
    const verified = await acts.verifyCancellation(verifyQuery(receipt, confirmation));
    expect(verified).toMatchObject({ status: 'verified', providerState: 'order churned' });
    expect(sim.writes('ord-1')).toHaveLength(1);
    expect(sim.changesOf('ord-1').map((c) => c.change)).toEqual(['scheduled-to-end', 'churned']);
  });

  test('a provider whose automation forgets: the order renews instead, verification says not-applied', async () => {
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    const confirmation = await acts.confirmCancellation(query(receipt, 'end-of-period'));
    sim.automation = 'forgets';
    sim.setNow('2027-01-02T00:00:00.000Z');
    const reading = await acts.verifyCancellation(verifyQuery(receipt, confirmation));
    expect(reading).toMatchObject({ status: 'not-applied', providerState: 'order active' });
    expect(sim.orders.get('ord-1')?.renewalTime).toBe('2027-02-01T00:00:00.000Z');
    expect(sim.changesOf('ord-1').map((c) => c.change)).toEqual(['scheduled-to-end', 'renewed']);
    expect(sim.writes()).toHaveLength(1);
  });

  test('a long request id still gives a valid Rebilly id of at most 50 chars', () => {
    const id = rebillyCancellationId('x'.repeat(64));
    expect(id.length).toBeLessThanOrEqual(50);
    expect(id).toMatch(/^[@~\-.\w]+$/);
    expect(rebillyCancellationId('x'.repeat(64))).toBe(id);
  });

  test('a lost response, retried, upserts the same id: two writes, one change', async () => {
    sim.addFault({ method: 'PUT', fault: { kind: 'lost-response' } });
    const lost = await failureOf(() => acts.submitCancellation(command()));
    expect(lost.type).toBe('ProviderUnavailable');
    expect(lost.nonRetryable).toBe(false);
    const retried = await acts.submitCancellation(command());
    expect(retried).toMatchObject({ alreadyExisted: true, acknowledged: true });
    expect(sim.cancellations.size).toBe(1);
    expect(sim.calls('PUT').map((r) => r.outcome)).toEqual(['lost-response (handler answered 201)', '200']);
    expect(sim.writes('ord-1')).toHaveLength(2);
    expect(sim.changesOf('ord-1').map((c) => c.change)).toEqual(['canceled']);
  });

  test('a retry attempt reads first and does not re-confirm a cancellation revoked meanwhile', async () => {
    sim.addFault({ method: 'PUT', fault: { kind: 'lost-response' } });
    await failureOf(() => acts.submitCancellation(command({ effect: 'end-of-period' })));
    expect(sim.calls('PUT')[0]?.outcome).toBe('lost-response (handler answered 201)');
    // The merchant undoes it in Rebilly before Temporal's second attempt.
    expect((await putRaw('cxl-req~1', { orderId: 'ord-1', status: 'revoked' })).status).toBe(200);
    const writes = sim.writes().length;

    const attempt2 = secondAttempt();
    const f = await failureOf(() =>
      attempt2.run(() => acts.submitCancellation(command({ effect: 'end-of-period' }))),
    );
    expect(f.type).toBe('CancellationRevoked');
    expect(f.nonRetryable).toBe(true);
    expect(sim.writes()).toHaveLength(writes);
    expect(sim.cancellations.get('cxl-req~1')?.status).toBe('revoked');
  });

  test('a retry attempt that finds its cancellation in place does not write again', async () => {
    await acts.submitCancellation(command({ effect: 'end-of-period' }));
    const attempt2 = secondAttempt();
    const receipt = await attempt2.run<[], SubmitReceipt, () => Promise<SubmitReceipt>>(() =>
      acts.submitCancellation(command({ effect: 'end-of-period' })),
    );
    expect(receipt).toMatchObject({ alreadyExisted: true, acknowledged: false, effectiveAt: RENEWAL });
    expect(sim.writes()).toHaveLength(1);
    expect((await acts.confirmCancellation(query(receipt))).level).toBe('scheduled');
  });

  test('confirm: `revoked` is final (CancellationRevoked), `draft` is not yet confirmed', async () => {
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    expect((await putRaw('cxl-req~1', { orderId: 'ord-1', status: 'revoked' })).status).toBe(200);
    const revoked = await failureOf(() => acts.confirmCancellation(query(receipt)));
    expect(revoked.type).toBe('CancellationRevoked');
    expect(revoked.nonRetryable).toBe(true);
    expect(revoked.message).toContain('revoked');

    expect((await putRaw('cxl-draft', { orderId: 'ord-1', status: 'draft' })).status).toBe(201);
    const draftReceipt = { ...receipt, providerReference: { cancellationId: 'cxl-draft' } };
    const draft = await failureOf(() => acts.confirmCancellation(query(draftReceipt)));
    expect(draft.type).toBe('CancellationNotYetConfirmed');
    expect(draft.nonRetryable).toBe(false);
  });

  test('cancelling an order another request already cancelled counts as done, not acknowledged', async () => {
    await acts.submitCancellation(command({ requestId: 'first' }));
    const second = await acts.submitCancellation(command({ requestId: 'second' }));
    expect(second).toMatchObject({ alreadyExisted: true, acknowledged: false });
    expect(sim.calls('PUT')[1]?.outcome).toBe('422');
    expect(sim.cancellations.size).toBe(1);
    expect(sim.changesOf('ord-1')).toHaveLength(1);
    const confirmation = await acts.confirmCancellation({ ...query(second), requestId: 'second' });
    expect(confirmation.level).toBe('effective');
  });

  test('a refusal of a second cancellation whose order read fails is retryable, not final', async () => {
    await acts.submitCancellation(command({ requestId: 'first' }));
    sim.addFault({ method: 'GET', path: '/orders/', fault: { kind: 'status', status: 503 } });
    const f = await failureOf(() => acts.submitCancellation(command({ requestId: 'second' })));
    expect(sim.calls('PUT')[1]?.outcome).toBe('422');
    expect(sim.calls('GET', '/orders/').map((r) => r.outcome)).toEqual(['fault 503']);
    expect({ type: f.type, nonRetryable: f.nonRetryable }).toEqual({
      type: 'ProviderUnavailable',
      nonRetryable: false,
    });
  });

  test('the simulator refuses what Rebilly would refuse, with 422 invalidFields', async () => {
    const valid = { orderId: 'ord-1' };
    const cases: [string, unknown, string][] = [
      ['cxl-a', { ...valid, note: 'x' }, 'note'],
      ['cxl-a', { ...valid, churnTimePolicy: 'later' }, 'churnTimePolicy'],
      ['cxl-a', { ...valid, reason: 'too_expensive' }, 'reason'],
      ['cxl-a', { ...valid, canceledBy: 'system' }, 'canceledBy'],
      ['cxl-a', { ...valid, status: 'completed' }, 'status'],
      ['cxl-a', { ...valid, prorated: 'yes' }, 'prorated'],
      ['cxl-a', { churnTimePolicy: 'now' }, 'orderId'],
      ['cxl-a', { ...valid, description: 'd'.repeat(256) }, 'description'],
      ['cxl-a', { ...valid, lineItems: [{ quantity: 1 }] }, 'lineItems'],
      ['bad%20id', valid, 'id'],
      ['a'.repeat(51), valid, 'id'],
    ];
    for (const [id, body, field] of cases) {
      const res = await putRaw(id, body);
      expect({ id, status: res.status, fields: res.body.invalidFields }).toEqual({
        id,
        status: 422,
        fields: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    }
    expect((await putRaw('a'.repeat(50), { ...valid, description: 'd'.repeat(255) })).status).toBe(201);
    expect(sim.cancellations.size).toBe(1);
    expect(sim.writes()).toHaveLength(cases.length + 1);
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
    expect(sim.calls('PUT')[0]?.outcome).toBe('fault 429');
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
    expect(sim.calls('PUT').map((r) => r.outcome)).toEqual(['fault 503', 'hang']);
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

  test('readPeriodEnd reads renewalTime from the order; without one it is PeriodEndUnknown', async () => {
    await expect(acts.readPeriodEnd({ orderId: 'ord-1' })).resolves.toEqual({
      periodEnd: RENEWAL,
      source: 'order.renewalTime',
    });
    sim.addOrder({ id: 'ord-2', renewalTime: null });
    const f = await failureOf(() => acts.readPeriodEnd({ orderId: 'ord-2' }));
    expect(f.type).toBe('PeriodEndUnknown');
    expect(f.nonRetryable).toBe(true);
  });

  test('the levels Rebilly can reach are stated once: scheduled and effective, never accepted', () => {
    expect(Object.keys(REBILLY_LEVELS).sort()).toEqual(['effective', 'scheduled', 'verification']);
  });
});
