// Rebilly answers the contract tests' happy paths never show: retries that find nothing or only a
// draft, refusals that are not "already cancelled", cancellations made by another request, churn
// times reached or passed, and what each failure says. Each test builds its own activities (not in
// a beforeAll), so mutation testing's per-test coverage sees the factory's closures run.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createRebillyActivities } from '../../../activities/providers/rebilly';
import { type SubmitCommand, type SubmitReceipt } from '../../../activities/providers/types';
import { RebillySimulator } from '../../../simulators/rebilly';
import { depsFor, detailsOf, failureOf } from '../../support/provider-harness';

const ORG = 'org-test';
const KEY = 'sk_sandbox_secret_123';
const RENEWAL = '2027-01-01T00:00:00.000Z';

describe('Rebilly activities at the edges of what Rebilly answers', () => {
  const sim = new RebillySimulator({ organizationId: ORG, apiKey: KEY });

  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.addOrder({ id: 'ord-1', renewalTime: RENEWAL });
  });

  /** The activities as a worker builds them; `clock` stands in for the worker's clock. */
  const build = (clock?: () => Date) => {
    const deps = depsFor({ REBILLY_BASE_URL: sim.url, REBILLY_ORGANIZATION_ID: ORG, REBILLY_API_KEY: KEY });
    return createRebillyActivities(clock ? { ...deps, clock } : deps);
  };
  const command = (over: Partial<SubmitCommand<'rebilly'>> = {}): SubmitCommand<'rebilly'> => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: { orderId: 'ord-1' },
    effect: 'end-of-period',
    reasonCode: 'too_expensive',
    requestedBy: 'system',
    ...over,
  });
  const query = (receipt: SubmitReceipt, orderId = 'ord-1') => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: { orderId },
    effect: 'end-of-period' as const,
    receipt,
  });
  /** A receipt holding no cancellation of ours: the 422 path's "another request cancelled it". */
  const foreignReceipt = (orderId = 'ord-1'): SubmitReceipt => ({
    submittedAt: new Date().toISOString(),
    alreadyExisted: true,
    acknowledged: false,
    providerReference: { orderId, orderStatus: 'active' },
  });
  const ownReceipt = (cancellationId: string): SubmitReceipt => ({
    submittedAt: new Date().toISOString(),
    alreadyExisted: false,
    acknowledged: true,
    providerReference: { cancellationId },
  });
  const secondAttempt = () =>
    new MockActivityEnvironment({ attempt: 2 }, { logger: new DefaultLogger('ERROR') });
  /** A PUT as another client (a merchant's back office) would send it. */
  const putRaw = (id: string, body: unknown) =>
    fetch(`${sim.url}/organizations/${ORG}/order-cancellations/${id}`, {
      method: 'PUT',
      headers: { 'REB-APIKEY': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.status);

  describe('what receipts and confirmations show', () => {
    test('every call carries the key and asks for JSON; receipt and confirmation show Rebilly’s answers', async () => {
      const acts = build();
      const receipt = await acts.submitCancellation(command());
      expect(receipt).toEqual({
        submittedAt: expect.any(String),
        alreadyExisted: false,
        acknowledged: true,
        providerReference: { cancellationId: 'cxl-req~1', orderId: 'ord-1', status: 'confirmed' },
        effectiveAt: RENEWAL,
      });
      const confirmation = await acts.confirmCancellation(query(receipt));
      expect(confirmation).toEqual({
        level: 'scheduled',
        providerState: 'order-cancellation confirmed, order active',
        effectiveAt: RENEWAL,
        observedAt: expect.any(String),
        providerReference: {
          orderId: 'ord-1',
          orderStatus: 'active',
          cancellationId: 'cxl-req~1',
          cancellationStatus: 'confirmed',
        },
      });
      expect(sim.calls().map((c) => `${c.method} ${c.outcome}`)).toEqual(['PUT 201', 'GET 200', 'GET 200']);
      for (const call of sim.calls()) {
        expect(call.headers['reb-apikey']).toBe(KEY);
        expect(call.headers.accept).toBe('application/json');
      }
    });

    test('an order another request scheduled to end: the refused second request is done at that churnTime', async () => {
      const acts = build();
      await acts.submitCancellation(command({ requestId: 'first' }));
      const second = await acts.submitCancellation(command({ requestId: 'second' }));
      expect(sim.calls('PUT').map((c) => c.outcome)).toEqual(['201', '422']);
      expect(second).toEqual({
        submittedAt: expect.any(String),
        alreadyExisted: true,
        acknowledged: false,
        providerReference: { orderId: 'ord-1', orderStatus: 'active' },
        effectiveAt: RENEWAL,
      });
      const getsBefore = sim.calls('GET').length;
      const confirmation = await acts.confirmCancellation({ ...query(second), requestId: 'second' });
      expect(confirmation).toEqual({
        level: 'scheduled',
        providerState: 'order active with churnTime',
        effectiveAt: RENEWAL,
        observedAt: expect.any(String),
        providerReference: { orderId: 'ord-1', orderStatus: 'active' },
      });
      // Holding no cancellation id, confirm reads the order alone.
      expect(
        sim
          .calls('GET')
          .slice(getsBefore)
          .map((c) => c.path),
      ).toEqual([`/organizations/${ORG}/orders/ord-1`]);
    });

    test('holding our own id, the order’s churnTime from another request is not taken for ours', async () => {
      const acts = build();
      await acts.submitCancellation(command({ requestId: 'first' }));
      // Our cancellation is not readable yet (a read lagging its write): retried, not refused.
      const f = await failureOf(() => acts.confirmCancellation(query(ownReceipt('cxl-req~1'))));
      expect({ type: f.type, nonRetryable: f.nonRetryable, message: f.message }).toEqual({
        type: 'CancellationNotYetConfirmed',
        nonRetryable: false,
        message: 'rebilly: order-cancellation cxl-req~1 is not found; order ord-1 is active',
      });
      expect(sim.calls('GET', '/order-cancellations/cxl-req~1').map((c) => c.outcome)).toEqual(['404']);
    });

    test('no cancellation of ours and no churn ahead: not yet confirmed, saying so', async () => {
      const f = await failureOf(() => build().confirmCancellation(query(foreignReceipt())));
      expect({ type: f.type, nonRetryable: f.nonRetryable, message: f.message }).toEqual({
        type: 'CancellationNotYetConfirmed',
        nonRetryable: false,
        message: 'rebilly: no order-cancellation of ours; order ord-1 is active',
      });
    });

    test('a draft with a churnTime ahead is not scheduled', async () => {
      const acts = build();
      expect(
        await putRaw('cxl-draft', { orderId: 'ord-1', status: 'draft', churnTimePolicy: 'at-next-renewal' }),
      ).toBe(201);
      expect(sim.cancellations.get('cxl-draft')?.churnTime).toBe(RENEWAL);
      const f = await failureOf(() => acts.confirmCancellation(query(ownReceipt('cxl-draft'))));
      expect({ type: f.type, message: f.message }).toEqual({
        type: 'CancellationNotYetConfirmed',
        message: 'rebilly: order-cancellation cxl-draft is draft; order ord-1 is active',
      });
    });

    test('a confirmed cancellation whose churnTime passed without ending the order is not scheduled', async () => {
      const acts = build(() => sim.now());
      const receipt = await acts.submitCancellation(command());
      sim.automation = 'forgets';
      sim.setNow('2027-01-02T00:00:00.000Z');
      const f = await failureOf(() => acts.confirmCancellation(query(receipt)));
      expect({ type: f.type, message: f.message }).toEqual({
        type: 'CancellationNotYetConfirmed',
        message: 'rebilly: order-cancellation cxl-req~1 is confirmed; order ord-1 is active',
      });
    });

    test('a churnTime that is now is no longer ahead: confirm waits for Rebilly to end the order', async () => {
      const acts = build(() => new Date(RENEWAL));
      const receipt = await acts.submitCancellation(command());
      const f = await failureOf(() => acts.confirmCancellation(query(receipt)));
      expect(f.type).toBe('CancellationNotYetConfirmed');
    });

    test('effective at the order’s churnTime first, else at our cancellation’s', async () => {
      const acts = build();
      const receipt = await acts.submitCancellation(command());
      // The merchant's back office ended the order earlier than our cancellation's churnTime.
      sim.addOrder({ id: 'ord-1', status: 'canceled', churnTime: '2026-06-01T00:00:00.000Z' });
      expect(await acts.confirmCancellation(query(receipt))).toMatchObject({
        level: 'effective',
        effectiveAt: '2026-06-01T00:00:00.000Z',
      });
      sim.addOrder({ id: 'ord-1', status: 'canceled', churnTime: null });
      expect(await acts.confirmCancellation(query(receipt))).toMatchObject({
        level: 'effective',
        effectiveAt: RENEWAL,
      });
    });

    test('an ended order without a churnTime and no cancellation of ours: effective, with no date', async () => {
      sim.addOrder({ id: 'ord-3', status: 'canceled', churnTime: null });
      const confirmation = await build().confirmCancellation(query(foreignReceipt('ord-3'), 'ord-3'));
      expect(confirmation).toEqual({
        level: 'effective',
        providerState: 'order canceled',
        observedAt: expect.any(String),
        providerReference: { orderId: 'ord-3', orderStatus: 'canceled' },
      });
    });
  });

  describe('retry attempts', () => {
    test('a retry whose earlier attempt never reached Rebilly finds nothing (404) and creates it', async () => {
      const acts = build();
      sim.addFault({ method: 'PUT', fault: { kind: 'status', status: 503 } });
      expect((await failureOf(() => acts.submitCancellation(command()))).type).toBe('ProviderUnavailable');
      const receipt = await secondAttempt().run<[], SubmitReceipt, () => Promise<SubmitReceipt>>(() =>
        acts.submitCancellation(command()),
      );
      expect(receipt).toMatchObject({ alreadyExisted: false, acknowledged: true, effectiveAt: RENEWAL });
      expect(sim.calls().map((c) => `${c.method} ${c.outcome}`)).toEqual([
        'PUT fault 503',
        'GET 404',
        'PUT 201',
      ]);
    });

    test('a retry that finds only a draft under our id confirms it with the upsert', async () => {
      expect(await putRaw('cxl-req~1', { orderId: 'ord-1', status: 'draft' })).toBe(201);
      const acts = build();
      const receipt = await secondAttempt().run<[], SubmitReceipt, () => Promise<SubmitReceipt>>(() =>
        acts.submitCancellation(command()),
      );
      expect(receipt).toMatchObject({
        alreadyExisted: true,
        acknowledged: true,
        providerReference: { cancellationId: 'cxl-req~1', status: 'confirmed' },
        effectiveAt: RENEWAL,
      });
      expect(sim.cancellations.get('cxl-req~1')?.status).toBe('confirmed');
      expect(sim.calls('PUT').map((c) => c.outcome)).toEqual(['201', '200']);
    });

    test('a retry that finds its cancellation revoked says which one and why', async () => {
      const acts = build();
      await acts.submitCancellation(command());
      expect(await putRaw('cxl-req~1', { orderId: 'ord-1', status: 'revoked' })).toBe(200);
      const f = await failureOf(() => secondAttempt().run(() => acts.submitCancellation(command())));
      expect(f.type).toBe('CancellationRevoked');
      expect(f.message).toBe(
        'rebilly: order-cancellation cxl-req~1 was revoked after an earlier attempt created it; not re-confirming it',
      );
    });
  });

  describe('how refusals and failed reads become failures', () => {
    /** An order another request already ended, so reading it would turn a refusal into "done". */
    const endedByAnother = async () => {
      const acts = build();
      await acts.submitCancellation(command({ requestId: 'first', effect: 'now' }));
      expect(sim.orders.get('ord-1')?.status).toBe('canceled');
      return acts;
    };
    const problem = (status: number, field: string) => ({
      kind: 'status' as const,
      status,
      body: {
        title: 'Invalid data',
        detail: 'The request contains invalid data.',
        invalidFields: [{ field, message: 'no' }],
      },
    });

    test.each([
      ['a 422 on another field', problem(422, 'description'), 'ProviderRejected', 'description'],
      ['a 409 on orderId', problem(409, 'orderId'), 'ProviderConflict', 'orderId'],
    ])(
      '%s stays a refusal even when the order has ended: only a 422 on orderId is read as done',
      async (_what, fault, type, field) => {
        const acts = await endedByAnother();
        sim.addFault({ method: 'PUT', fault });
        const f = await failureOf(() => acts.submitCancellation(command({ requestId: 'second' })));
        expect({ type: f.type, nonRetryable: f.nonRetryable, field: detailsOf(f).field }).toEqual({
          type,
          nonRetryable: true,
          field,
        });
        expect(f.message).toContain('rebilly upsert order-cancellation: ');
        expect(sim.calls('GET')).toHaveLength(0);
      },
    );

    test('a 422 on orderId for an order neither ended nor scheduled stays a refusal', async () => {
      sim.addOrder({ id: 'ord-2' });
      // Our id already names a cancellation of another order.
      expect(await putRaw('cxl-req~1', { orderId: 'ord-2' })).toBe(201);
      const f = await failureOf(() => build().submitCancellation(command()));
      expect({ type: f.type, nonRetryable: f.nonRetryable, field: detailsOf(f).field }).toEqual({
        type: 'ProviderRejected',
        nonRetryable: true,
        field: 'orderId',
      });
      expect(sim.calls('GET', '/orders/ord-1').map((c) => c.outcome)).toEqual(['200']);
    });

    test('a failed read of our cancellation is classified by its status and names the read', async () => {
      const acts = build();
      sim.addFault({ method: 'GET', path: '/order-cancellations/', fault: { kind: 'status', status: 503 } });
      const f = await failureOf(() => acts.confirmCancellation(query(ownReceipt('cxl-req~1'))));
      expect({ type: f.type, nonRetryable: f.nonRetryable }).toEqual({
        type: 'ProviderUnavailable',
        nonRetryable: false,
      });
      expect(f.message).toContain('rebilly get order-cancellation: ');
    });

    test('a failed order read names the read', async () => {
      const f = await failureOf(() => build().confirmCancellation(query(foreignReceipt('gone'), 'gone')));
      expect(f.type).toBe('ProviderNotFound');
      expect(f.message).toContain('rebilly get order: ');
    });

    test('PeriodEndUnknown names the order and its status', async () => {
      sim.addOrder({ id: 'ord-2', renewalTime: null });
      const f = await failureOf(() => build().readPeriodEnd({ orderId: 'ord-2' }));
      expect(f.message).toBe('rebilly: order ord-2 has no renewalTime (status active)');
    });
  });
});
