import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import {
  BILLING_CARE_LEVELS,
  createBillingCareActivities,
  type ActivityRun,
} from '../../activities/providers/billing-care';
import { type Confirmation, type SubmitCommand, type SubmitReceipt } from '../../activities/providers/types';
import { BillingCareSimulator, type BillingCareBundle } from '../../simulators/billing-care';
import { depsFor, detailsOf, failureOf } from '../support/provider-harness';

const ACCOUNT = '0.0.0.1+-account+174257';
const SERVICE = '0.0.0.1+-service-email+175025';
const DEAL = '0.0.0.1+-deal+41056';
const PERIOD_END = '2031-01-01T00:00:00.000Z';
const EARLIER = '2030-06-01T00:00:00.000Z';
const CLIENT_ID = 'bc-client';
const CLIENT_SECRET = 'bc-secret-do-not-log';
const HOUR = 3_600_000;

const command = (over: Partial<SubmitCommand<'billing-care'>> = {}): SubmitCommand<'billing-care'> => ({
  requestId: 'req:1',
  workflowId: 'wf',
  target: { accountId: ACCOUNT, serviceId: SERVICE, dealId: DEAL, packageId: 1 },
  effect: 'now',
  reasonCode: 'too_expensive',
  comment: 'moving away',
  requestedBy: 'customer',
  ...over,
});

/**
 * Plays Temporal's retries of one activity: the attempt number goes up and the last heartbeat
 * details of one attempt are what the next attempt sees (info.heartbeatDetails).
 */
function temporalRetries() {
  let attempt = 0;
  let details: unknown;
  return {
    run<R>(fn: () => Promise<R>): Promise<R> {
      attempt += 1;
      const env = new MockActivityEnvironment(
        { attempt, heartbeatDetails: details },
        { logger: new DefaultLogger('ERROR') }, // failed attempts are expected here
      );
      env.on('heartbeat', (d: unknown) => (details = d));
      return env.run(fn);
    },
    get details(): unknown {
      return details;
    },
  };
}

describe('Billing Care activities against the Billing Care simulator (no OAuth, as on test systems)', () => {
  const sim = new BillingCareSimulator();
  let acts: ReturnType<typeof createBillingCareActivities>;
  let bundle: BillingCareBundle;
  // The activity clock is the provider's clock, so that moving one moves both.
  const deps = () => ({ ...depsFor({ BILLING_CARE_BASE_URL: sim.baseUrl }), clock: () => sim.now() });

  beforeAll(async () => {
    await sim.start();
    acts = createBillingCareActivities(deps());
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    bundle = sim.addBundle(ACCOUNT, { service: SERVICE, dealId: DEAL, packageId: 1, validTo: PERIOD_END });
    sim.addBundle(ACCOUNT, { name: 'other bundle on the account' });
  });

  const query = (receipt: SubmitReceipt, effect: 'now' | 'end-of-period' = 'now') => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: command().target,
    effect,
    receipt,
  });
  const confirmOf = (receipt: SubmitReceipt, effect: 'now' | 'end-of-period' = 'now') =>
    acts.confirmCancellation(query(receipt, effect));
  const verifyOf = (
    receipt: SubmitReceipt,
    confirmation: Confirmation,
    effect: 'now' | 'end-of-period' = 'now',
  ) => acts.verifyCancellation({ ...query(receipt, effect), confirmation });
  // A receipt as submit writes it: the effective date we posted is kept in providerReference.
  const receiptFor = ({
    effective,
    ...over
  }: Partial<SubmitReceipt> & { effective: string }): SubmitReceipt => ({
    submittedAt: new Date().toISOString(),
    alreadyExisted: false,
    acknowledged: true,
    providerReference: { accountId: ACCOUNT, bundleId: bundle.bundleId, effective },
    ...over,
  });
  const changes = () => sim.changesOf(bundle.bundleId).map((c) => c.change);
  const listed = async (): Promise<Record<string, unknown>[]> => {
    const res = await fetch(`${sim.baseUrl}/subscriptions/purchasedbundles/${encodeURIComponent(ACCOUNT)}`);
    return (await res.json()) as Record<string, unknown>[];
  };
  const postRaw = (body: string) =>
    fetch(`${sim.baseUrl}/subscriptions/cancel/bundle`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  test('submit reads the bundles, then POSTs the documented JSON body once, with no Authorization header', async () => {
    const before = sim.now().getTime();
    const receipt = await acts.submitCancellation(command());

    const [read] = sim.calls('GET');
    expect(read?.path).toBe(
      '/bcws/webresources/v1.0/subscriptions/purchasedbundles/0.0.0.1%2B-account%2B174257',
    );
    const posts = sim.writes(ACCOUNT);
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.path).toBe('/bcws/webresources/v1.0/subscriptions/cancel/bundle');
    expect(post.contentType).toMatch(/^application\/json/);
    expect(post.headers.accept).toBe('application/json');
    expect(post.headers.authorization).toBeUndefined();
    expect(read?.headers.authorization).toBeUndefined();
    const body = post.body as Record<string, unknown>;
    expect(body).toEqual({
      accountRef: { id: ACCOUNT, uri: null },
      serviceRef: { id: SERVICE, uri: null },
      dealRef: { id: DEAL, uri: null },
      packageId: 1,
      description: 'Cancelled: too expensive | moving away | requested by customer | request req:1',
      effective: expect.any(String),
    });
    expect(Date.parse(body.effective as string)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.effective as string)).toBeLessThanOrEqual(sim.now().getTime());

    // Billing Care's answer is the bare word `true`: it acknowledges, but carries no date of its own.
    expect(receipt).toMatchObject({ alreadyExisted: false, acknowledged: true });
    expect(receipt.effectiveAt).toBeUndefined();
    expect(receipt.providerReference).toEqual({
      accountId: ACCOUNT,
      bundleId: bundle.bundleId,
      validToBefore: PERIOD_END,
      effective: body.effective,
    });
    expect(changes()).toEqual(['cancelled']);
  });

  test('the doc-style `{ true }` answer is success too', async () => {
    sim.trueBodyStyle = 'braced';
    await expect(acts.submitCancellation(command())).resolves.toMatchObject({ acknowledged: true });
    expect(sim.writes(ACCOUNT)).toHaveLength(1);
  });

  test.each(['"true"', '{"result": true}', ' \n true \n'])(
    'the 200 body %j is read as success',
    async (body) => {
      sim.addFault({ method: 'POST', fault: { kind: 'status', status: 200, body } });
      await expect(acts.submitCancellation(command())).resolves.toMatchObject({ acknowledged: true });
      expect(sim.writes()[0]?.outcome).toBe('fault 200');
    },
  );

  test('a 200 `false` is a final rejection; a 200 that is no answer at all is a retryable protocol error', async () => {
    sim.addFault({ method: 'POST', fault: { kind: 'status', status: 200, body: 'false' } });
    const no = await failureOf(() => acts.submitCancellation(command()));
    expect(no.type).toBe('ProviderRejected');
    expect(no.nonRetryable).toBe(true);

    sim.addFault({ method: 'POST', fault: { kind: 'status', status: 200, body: '<html>gateway</html>' } });
    const odd = await failureOf(() => acts.submitCancellation(command()));
    expect(odd.type).toBe('ProviderProtocolError');
    expect(odd.nonRetryable).toBe(false);
    expect(odd.message).toContain('<html>gateway</html>');
    expect(sim.writes().map((r) => r.outcome)).toEqual(['fault 200', 'fault 200']);
  });

  test('a missing service ref is filled from the matched bundle, since Billing Care answers 400 on a null id', async () => {
    await acts.submitCancellation(command({ target: { accountId: ACCOUNT, dealId: DEAL, packageId: 1 } }));
    expect(sim.writes()[0]?.body).toMatchObject({
      serviceRef: { id: SERVICE, uri: null },
      dealRef: { id: DEAL, uri: null },
      packageId: 1,
    });
    expect(changes()).toEqual(['cancelled']);
  });

  test('without a deal id Billing Care answers 400 (the read does not list deals): final, quoting the body', async () => {
    const f = await failureOf(() =>
      acts.submitCancellation(command({ target: { accountId: ACCOUNT, packageId: 1 } })),
    );
    expect(f.type).toBe('ProviderRejected');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('null Deal Id');
    expect(sim.changes).toHaveLength(0);
  });

  test('400 (null service id: two bundles, so no service to fill in) is non-retryable and quotes the opaque body', async () => {
    const f = await failureOf(() =>
      acts.submitCancellation(command({ target: { accountId: ACCOUNT, dealId: '0.0.0.1+-deal+99' } })),
    );
    expect(f.type).toBe('ProviderRejected');
    expect(f.nonRetryable).toBe(true);
    expect(detailsOf(f)).toMatchObject({ provider: 'billing-care', status: 400 });
    expect(f.message).toContain('null Service Id');
    expect(sim.writes().map((r) => r.outcome)).toEqual(['400']);
    expect(sim.changes).toHaveLength(0);
  });

  test('an unknown account is not found, before anything is posted', async () => {
    const f = await failureOf(() =>
      acts.submitCancellation(command({ target: { accountId: '0.0.0.1+-account+1', dealId: DEAL } })),
    );
    expect(f.type).toBe('ProviderNotFound');
    expect(f.nonRetryable).toBe(true);
    expect(sim.writes()).toHaveLength(0);
  });

  test('500 and a hang past the timeout are retryable', async () => {
    sim.addFault({
      method: 'POST',
      fault: { kind: 'status', status: 500, body: 'java.lang.NullPointerException' },
    });
    const f500 = await failureOf(() => acts.submitCancellation(command()));
    expect(f500.type).toBe('ProviderUnavailable');
    expect(f500.nonRetryable).toBe(false);
    expect(f500.message).toContain('NullPointerException');

    sim.addFault({ method: 'POST', fault: { kind: 'hang' } });
    const hang = await failureOf(() => acts.submitCancellation(command()));
    expect(hang.type).toBe('ProviderUnavailable');
    expect(hang.nonRetryable).toBe(false);
    expect(hang.message).toContain('ETIMEDOUT');
    expect(sim.writes().map((r) => r.outcome)).toEqual(['fault 500', 'hang']);
    expect(sim.changes).toHaveLength(0);
  });

  test('throttling (429 + Retry-After, not documented) is retried no earlier than asked', async () => {
    sim.addFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 30 } });
    const f = await failureOf(() => acts.submitCancellation(command()));
    expect(f.type).toBe('ProviderRateLimited');
    expect(Number(f.nextRetryDelay)).toBe(30_000);
    expect(sim.requests[0]?.outcome).toBe('fault 429');
  });

  test('finding 5: Retry-After as an HTTP date is read by the shared parser', async () => {
    sim.retryAfterForm = 'http-date';
    sim.addFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 120 } });
    const f = await failureOf(() => acts.readPeriodEnd({ accountId: ACCOUNT, serviceId: SERVICE }));
    expect(sim.requests[0]?.outcome).toBe('fault 429');
    expect(sim.requests).toHaveLength(1);
    expect(f.type).toBe('ProviderRateLimited');
    // An HTTP date has whole seconds: up to one second less than asked.
    expect(Number(f.nextRetryDelay)).toBeGreaterThan(118_000);
    expect(Number(f.nextRetryDelay)).toBeLessThanOrEqual(120_000);
  });

  // An end-of-period cancel posts the validTo the bundle already had: the read looks the same with or
  // without it, so only Billing Care's `true` shows the cancel: accepted, not scheduled.
  test('provider-deferred end of period: effective is the bundle validTo, one write, confirmed as accepted', async () => {
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    expect(sim.writes(ACCOUNT)).toHaveLength(1);
    expect(sim.writes()[0]?.body).toMatchObject({ effective: PERIOD_END });
    expect(changes()).toEqual(['scheduled-to-end']);

    const writes = sim.writes().length;
    await expect(confirmOf(receipt, 'end-of-period')).resolves.toMatchObject({
      level: 'accepted',
      effectiveAt: PERIOD_END,
      providerReference: { bundleId: bundle.bundleId },
    });
    expect(sim.writes()).toHaveLength(writes);
  });

  test('end of period timed by the orchestrator: posts the period end it was given, confirms accepted at validTo', async () => {
    const receipt = await acts.submitCancellation(
      command({ effect: 'end-of-period', effectiveAt: '2031-01-01T01:00:00+01:00' }),
    );
    expect(sim.writes(ACCOUNT)).toHaveLength(1);
    expect(sim.writes()[0]?.body).toMatchObject({ effective: PERIOD_END });
    const confirmation = await confirmOf(receipt, 'end-of-period');
    expect(confirmation).toMatchObject({ level: 'accepted', effectiveAt: PERIOD_END });
    expect(Date.parse(confirmation.observedAt)).toBeLessThanOrEqual(sim.now().getTime());
    expect(changes()).toEqual(['scheduled-to-end']);
  });

  test('finding 1: a retry with no record of a post never concludes success from absence', async () => {
    const retries = temporalRetries();
    sim.addFault({
      method: 'GET',
      path: '/purchasedbundles/',
      fault: { kind: 'status', status: 503, body: 'x' },
    });
    await expect(retries.run(() => acts.submitCancellation(command()))).rejects.toMatchObject({
      type: 'ProviderUnavailable',
    });
    expect(sim.calls('GET').map((r) => r.outcome)).toEqual(['fault 503']);
    // Meanwhile the bundle ended (someone else cancelled it): nothing shows OUR cancel.
    bundle.ended = true;

    await expect(retries.run(() => acts.submitCancellation(command()))).rejects.toMatchObject({
      type: 'ProviderNotFound',
      nonRetryable: true,
    });
    expect(sim.writes()).toHaveLength(0);
  });

  test('finding 1: a retry with no record of a post that still finds the bundle posts (once)', async () => {
    const retries = temporalRetries();
    sim.addFault({
      method: 'GET',
      path: '/purchasedbundles/',
      fault: { kind: 'status', status: 503, body: 'x' },
    });
    await expect(retries.run(() => acts.submitCancellation(command()))).rejects.toThrow();
    expect(sim.calls('GET')[0]?.outcome).toBe('fault 503');
    const receipt = await retries.run(() => acts.submitCancellation(command()));
    expect(receipt).toMatchObject({ acknowledged: true, alreadyExisted: false });
    expect(sim.writes(ACCOUNT)).toHaveLength(1);
  });

  test('finding 1: an immediate cancel whose answer was lost, then the bundle is gone: outcome unknown, not success', async () => {
    const retries = temporalRetries();
    sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
    const lost = await failureOf(() => retries.run(() => acts.submitCancellation(command())));
    expect(lost.type).toBe('ProviderUnavailable');
    expect(sim.writes()[0]?.outcome).toBe('lost-response (handler answered 200)');
    expect(retries.details).toMatchObject({
      posted: true,
      bundle: { bundleId: bundle.bundleId, validTo: PERIOD_END },
    });

    const f = await failureOf(() => retries.run(() => acts.submitCancellation(command())));
    expect(f.type).toBe('CancellationOutcomeUnknown');
    expect(f.nonRetryable).toBe(true);
    expect(sim.writes()).toHaveLength(1);
  });

  test('finding 1: end of period, answer lost: validTo was already the period end, so the read proves nothing', async () => {
    const retries = temporalRetries();
    sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
    await expect(
      retries.run(() => acts.submitCancellation(command({ effect: 'end-of-period' }))),
    ).rejects.toMatchObject({ type: 'ProviderUnavailable' });
    expect(sim.writes()[0]?.outcome).toMatch(/^lost-response/);
    const f = await failureOf(() =>
      retries.run(() => acts.submitCancellation(command({ effect: 'end-of-period' }))),
    );
    expect(f.type).toBe('CancellationOutcomeUnknown');
    expect(sim.writes()).toHaveLength(1);
  });

  test('finding 1: answer lost, the retry reads our effective date on the bundle: evidence, not acknowledged', async () => {
    const retries = temporalRetries();
    const cmd = command({ effect: 'end-of-period', effectiveAt: EARLIER });
    sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
    await expect(retries.run(() => acts.submitCancellation(cmd))).rejects.toMatchObject({
      type: 'ProviderUnavailable',
    });
    expect(sim.writes()[0]?.outcome).toMatch(/^lost-response/);
    const receipt = await retries.run(() => acts.submitCancellation(cmd));
    expect(receipt).toMatchObject({ alreadyExisted: true, acknowledged: false, effectiveAt: EARLIER });
    expect(sim.writes()).toHaveLength(1);
    expect(changes()).toEqual(['scheduled-to-end']);
    await expect(confirmOf(receipt, 'end-of-period')).resolves.toMatchObject({
      level: 'scheduled',
      effectiveAt: EARLIER,
    });
  });

  test('a bundle listed past its validTo (ended, back office pending) is not posted again: done, from the read', async () => {
    sim.backOfficeLagMs = 30 * 60_000;
    await acts.submitCancellation(command());
    // A worker killed with the answer and the record of the post: a fresh attempt knows nothing.
    const again = await createBillingCareActivities(deps()).submitCancellation(command());
    expect(again).toMatchObject({ alreadyExisted: true, acknowledged: false });
    expect(sim.writes()).toHaveLength(1);
    expect(changes()).toEqual(['cancelled']);
    await expect(confirmOf(again)).resolves.toMatchObject({ level: 'effective' });
  });

  test('finding 1: a post that never reached Billing Care (hang) is posted again on retry, applied once', async () => {
    let attempt = 0;
    let details: unknown;
    // The attempt source injected instead of an activity Context.
    const run = (): ActivityRun => ({ attempt, heartbeatDetails: details, heartbeat: (d) => (details = d) });
    const injected = createBillingCareActivities(deps(), { activityRun: run });
    sim.addFault({ method: 'POST', fault: { kind: 'hang' } });
    attempt = 1;
    await expect(injected.submitCancellation(command())).rejects.toMatchObject({
      type: 'ProviderUnavailable',
    });
    expect(sim.writes()[0]?.outcome).toBe('hang');
    attempt = 2;
    const receipt = await injected.submitCancellation(command());
    expect(receipt).toMatchObject({ acknowledged: true, alreadyExisted: false });
    expect(sim.writes(ACCOUNT)).toHaveLength(2);
    expect(changes()).toEqual(['cancelled']);
  });

  test('finding 1: confirm takes absence as effective only after Billing Care answered `true` and the date passed', async () => {
    const passed = new Date(sim.now().getTime() - 60_000).toISOString();
    bundle.ended = true; // the bundle ended: no longer listed
    expect(
      (
        await failureOf(() =>
          confirmOf(receiptFor({ effective: passed, effectiveAt: passed, acknowledged: false })),
        )
      ).type,
    ).toBe('CancellationNotYetConfirmed');
    const future = new Date(sim.now().getTime() + HOUR).toISOString();
    expect((await failureOf(() => confirmOf(receiptFor({ effective: future })))).type).toBe(
      'CancellationNotYetConfirmed',
    );
    const confirmation = await confirmOf(receiptFor({ effective: passed }));
    expect(confirmation).toMatchObject({ level: 'effective' });
    expect(confirmation.providerState).toContain('no longer in purchasedbundles');
    expect(confirmation.effectiveAt).toBeUndefined();
    expect(sim.writes()).toHaveLength(0);
  });

  test('confirm: an immediate cancel has dropped out of purchasedbundles: effective, no date of ours', async () => {
    const receipt = await acts.submitCancellation(command());
    const writes = sim.writes().length;
    const confirmation = await confirmOf(receipt);
    expect(confirmation.level).toBe('effective');
    expect(confirmation.effectiveAt).toBeUndefined();
    expect(confirmation.providerState).toContain('no longer in purchasedbundles');
    expect(sim.writes()).toHaveLength(writes);
    expect(changes()).toEqual(['cancelled', 'ended']);
  });

  test('confirm: an active bundle (validTo not ours) is not yet confirmed (retryable)', async () => {
    const f = await failureOf(() => confirmOf(receiptFor({ effective: EARLIER })));
    expect(f.type).toBe('CancellationNotYetConfirmed');
    expect(f.nonRetryable).toBe(false);
  });

  test('finding 2: purchasedbundles lists only the documented bundle fields', async () => {
    const bundles = await listed();
    expect(bundles).toHaveLength(2);
    for (const b of bundles) {
      expect(Object.keys(b).sort()).toEqual(['bundleId', 'name', 'packageId', 'service', 'validTo']);
    }
  });

  test('finding 2: confirm works from validTo alone (a bundle listed with our date is cancelled)', async () => {
    sim.addFault({
      method: 'GET',
      fault: {
        kind: 'status',
        status: 200,
        body: [{ bundleId: bundle.bundleId, name: 'x', packageId: 1, validTo: EARLIER, service: SERVICE }],
      },
    });
    await expect(confirmOf(receiptFor({ effective: EARLIER }))).resolves.toMatchObject({
      level: 'scheduled',
      effectiveAt: EARLIER,
    });
    expect(sim.calls('GET')[0]?.outcome).toBe('fault 200');
  });

  test('finding 3: requestedBy and the request id survive a comment that fills the 255-char description', async () => {
    await acts.submitCancellation(command({ comment: 'x'.repeat(300), requestedBy: 'merchant' }));
    const description = (sim.writes()[0]?.body as { description: string }).description;
    expect(description.length).toBeLessThanOrEqual(255);
    expect(description).toContain('requested by merchant');
    expect(description).toContain('request req:1');
  });

  test('finding 4: the simulator rejects what Billing Care would, and answers the bare word `true`', async () => {
    const ok = {
      accountRef: { id: ACCOUNT, uri: null },
      serviceRef: { id: SERVICE, uri: null },
      dealRef: { id: DEAL, uri: null },
      packageId: 1,
      effective: PERIOD_END,
    };
    const cases: [string, string, number, string][] = [
      ['not JSON', '{accountRef: 1', 400, ''],
      ['null account', JSON.stringify({ ...ok, accountRef: null }), 400, 'null Account Id'],
      ['missing service', JSON.stringify({ ...ok, serviceRef: undefined }), 400, 'null Service Id'],
      ['deal without id', JSON.stringify({ ...ok, dealRef: { uri: null } }), 400, 'null Deal Id'],
      ['unknown field', JSON.stringify({ ...ok, status: 3 }), 400, ''],
      ['bad date', JSON.stringify({ ...ok, effective: 'tomorrow' }), 400, ''],
      ['unknown bundle', JSON.stringify({ ...ok, dealRef: { id: '0.0.0.1+-deal+9' } }), 500, ''],
      ['unknown account', JSON.stringify({ ...ok, accountRef: { id: '0.0.0.1+-account+9' } }), 500, ''],
    ];
    for (const [name, body, status, text] of cases) {
      const res = await postRaw(body);
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(await res.text()).toContain(text);
    }
    expect(sim.changes).toHaveLength(0);
    const res = await postRaw(JSON.stringify(ok));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('true');
    expect(changes()).toEqual(['scheduled-to-end']);
    expect(sim.writes()).toHaveLength(cases.length + 1);
  });

  test('finding 4: the same cancel posted twice is two writes but one change (Billing Care absorbs it)', async () => {
    await acts.submitCancellation(command({ requestId: 'first', effect: 'end-of-period' }));
    const second = await acts.submitCancellation(command({ requestId: 'second', effectiveAt: PERIOD_END }));
    expect(second).toMatchObject({ acknowledged: true });
    expect(sim.writes(ACCOUNT)).toHaveLength(2);
    expect(changes()).toEqual(['scheduled-to-end']);
  });

  test('an immediate cancel brings forward a cancel scheduled for the period end', async () => {
    await acts.submitCancellation(command({ requestId: 'first', effect: 'end-of-period' }));
    const now = await acts.submitCancellation(command({ requestId: 'second' }));
    expect(now).toMatchObject({ alreadyExisted: false, acknowledged: true });
    expect(sim.writes(ACCOUNT)).toHaveLength(2);
    expect(changes()).toEqual(['scheduled-to-end', 'cancelled']);
    expect(Date.parse(bundle.validTo!)).toBeLessThanOrEqual(sim.now().getTime());
  });

  test('finding 6: the provider clock ends cancelled bundles at validTo; a forgetful back office renews them', async () => {
    await acts.submitCancellation(command({ effect: 'end-of-period', effectiveAt: EARLIER }));
    sim.setNow(Date.parse(EARLIER) + HOUR);
    expect((await listed()).map((b) => b.bundleId)).not.toContain(bundle.bundleId);
    expect(changes()).toEqual(['scheduled-to-end', 'ended']);

    sim.reset();
    bundle = sim.addBundle(ACCOUNT, { service: SERVICE, dealId: DEAL, packageId: 1, validTo: PERIOD_END });
    sim.automation = 'forgets';
    await acts.submitCancellation(command());
    const renewed = (await listed()).find((b) => b.bundleId === bundle.bundleId);
    expect(Date.parse(String(renewed?.validTo))).toBeGreaterThan(sim.now().getTime());
    expect(changes()).toEqual(['cancelled', 'renewed']);
  });

  test('finding 7: verify reads verified once the provider clock passes the effective date, with zero writes', async () => {
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    const confirmation = await confirmOf(receipt, 'end-of-period');
    sim.setNow(Date.parse(PERIOD_END) + HOUR);
    const writes = sim.writes().length;
    const reading = await verifyOf(receipt, confirmation, 'end-of-period');
    expect(reading).toMatchObject({ status: 'verified' });
    expect(reading.providerState).toContain('no longer in purchasedbundles');
    expect(sim.writes()).toHaveLength(writes);
    expect(changes()).toEqual(['scheduled-to-end', 'ended']);
  });

  test('finding 7: verify reads not-applied when the back office forgets (bundle still listed, old validTo)', async () => {
    sim.automation = 'forgets';
    const receipt = await acts.submitCancellation(command());
    const confirmation: Confirmation = {
      level: 'effective',
      observedAt: sim.now().toISOString(),
      providerState: 'assumed for the test',
    };
    sim.setNow(sim.now().getTime() + 2 * HOUR);
    const writes = sim.writes().length;
    const reading = await verifyOf(receipt, confirmation);
    expect(reading.status).toBe('not-applied');
    expect(reading.providerState).toContain('still listed');
    expect(sim.writes()).toHaveLength(writes);
  });

  test('finding 7, as the workflow runs it: immediate cancel, confirmed from the listed validTo, then not applied', async () => {
    sim.backOfficeLagMs = 30 * 60_000; // a back office that runs some time after the date
    sim.automation = 'forgets';
    const receipt = await acts.submitCancellation(command());
    const asked = receipt.providerReference.effective as string;
    const confirmation = await confirmOf(receipt);
    expect(confirmation).toMatchObject({ level: 'effective', effectiveAt: asked });

    sim.setNow(Date.parse(asked) + 2 * HOUR);
    const reading = await verifyOf(receipt, confirmation);
    expect(reading).toMatchObject({ status: 'not-applied' });
    expect(reading.providerState).toContain('still listed');
    // The forgotten cancel is lost for good: the bundle renewed for another period.
    expect(changes()).toEqual(['cancelled', 'renewed']);
    sim.automation = 'applies';
    await expect(verifyOf(receipt, confirmation)).resolves.toMatchObject({ status: 'not-applied' });
    expect(sim.writes()).toHaveLength(1);
  });

  test('the levels Billing Care can reach are stated', () => {
    expect(BILLING_CARE_LEVELS.accepted).toContain('end-of-period');
    expect(BILLING_CARE_LEVELS.scheduled).toEqual(expect.any(String));
    expect(BILLING_CARE_LEVELS.effective).toEqual(expect.any(String));
    expect(BILLING_CARE_LEVELS.verification).toEqual(expect.any(String));
  });

  test('readPeriodEnd reads the matching bundle validTo through the encoded account id', async () => {
    await expect(acts.readPeriodEnd({ accountId: ACCOUNT, serviceId: SERVICE })).resolves.toEqual({
      periodEnd: PERIOD_END,
      source: 'purchasedbundles.validTo',
    });
    expect(sim.calls('GET')[0]?.path).toContain('/purchasedbundles/0.0.0.1%2B-account%2B174257');
  });

  test('finding 5: readPeriodEnd without a validTo is a final PERIOD_END_UNKNOWN naming the provider', async () => {
    sim.addBundle(ACCOUNT, { packageId: 7, validTo: null });
    const f = await failureOf(() => acts.readPeriodEnd({ accountId: ACCOUNT, packageId: 7 }));
    expect(f.type).toBe('PeriodEndUnknown');
    expect(f.nonRetryable).toBe(true);
    expect(detailsOf(f)).toMatchObject({ provider: 'billing-care' });
  });

  test('a missing BILLING_CARE_BASE_URL fails fast, naming the variable', async () => {
    const unconfigured = createBillingCareActivities(depsFor({}));
    const f = await failureOf(() => unconfigured.submitCancellation(command()));
    expect(f.type).toBe('ProviderNotConfigured');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('BILLING_CARE_BASE_URL');
  });
});

describe('Billing Care activities with OAuth client credentials', () => {
  const sim = new BillingCareSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    requireToken: true,
  });
  let acts: ReturnType<typeof createBillingCareActivities>;
  const basic = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    // A fresh token cache per test: sim.reset() forgets the tokens it issued.
    acts = createBillingCareActivities(
      depsFor({
        BILLING_CARE_BASE_URL: sim.baseUrl,
        BILLING_CARE_CLIENT_ID: CLIENT_ID,
        BILLING_CARE_CLIENT_SECRET: CLIENT_SECRET,
      }),
    );
    sim.addBundle(ACCOUNT, { service: SERVICE, dealId: DEAL, packageId: 1, validTo: PERIOD_END });
  });

  const tokenCalls = () => sim.calls('GET', '/authentication/queryAccessToken');

  test('gets a token with Basic client credentials once, and sends it as Bearer on every call', async () => {
    await acts.readPeriodEnd({ accountId: ACCOUNT, serviceId: SERVICE });
    await acts.submitCancellation(command());
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]?.headers.authorization).toBe(basic);
    const api = sim.requests.filter((r) => !r.path.includes('queryAccessToken'));
    expect(api.length).toBeGreaterThanOrEqual(3);
    for (const r of api) expect(r.headers.authorization).toMatch(/^Bearer [\w-]+$/);
    expect(sim.writes(ACCOUNT)).toHaveLength(1);
  });

  test('a token that expires mid-run is refreshed after the 401 and the call retried once', async () => {
    await acts.readPeriodEnd({ accountId: ACCOUNT, serviceId: SERVICE });
    const firstToken = sim.requests.at(-1)?.headers.authorization;
    sim.expireTokens();

    await expect(acts.submitCancellation(command())).resolves.toMatchObject({ acknowledged: true });
    expect(tokenCalls()).toHaveLength(2);
    const reads = sim.calls('GET', '/purchasedbundles/');
    expect(reads.map((r) => r.outcome)).toEqual(['200', '401', '200']);
    expect(reads[2]?.headers.authorization).not.toBe(firstToken);
    expect(sim.writes(ACCOUNT)).toHaveLength(1);
  });

  test('wrong client credentials are a final auth failure that never shows the secret', async () => {
    const secret = 'wrong-secret-xyz';
    const wrong = createBillingCareActivities(
      depsFor({
        BILLING_CARE_BASE_URL: sim.baseUrl,
        BILLING_CARE_CLIENT_ID: CLIENT_ID,
        BILLING_CARE_CLIENT_SECRET: secret,
      }),
    );
    const f = await failureOf(() => wrong.submitCancellation(command()));
    expect(f.type).toBe('ProviderAuthFailed');
    expect(f.nonRetryable).toBe(true);
    const shown = JSON.stringify({ m: f.message, d: f.details });
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64'));
    expect(sim.writes()).toHaveLength(0);
  });

  test('without credentials configured, no Authorization header is sent (and this server refuses)', async () => {
    const anonymous = createBillingCareActivities(depsFor({ BILLING_CARE_BASE_URL: sim.baseUrl }));
    const f = await failureOf(() => anonymous.readPeriodEnd({ accountId: ACCOUNT, serviceId: SERVICE }));
    expect(f.type).toBe('ProviderAuthFailed');
    expect(tokenCalls()).toHaveLength(0);
    expect(sim.requests[0]?.headers.authorization).toBeUndefined();
  });
});
