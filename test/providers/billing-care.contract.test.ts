import { MockActivityEnvironment } from '@temporalio/testing';
import { createBillingCareActivities } from '../../activities/providers/billing-care';
import { type SubmitCommand, type SubmitReceipt } from '../../activities/providers/types';
import { BillingCareSimulator, type BillingCareBundle } from '../../simulators/billing-care';
import { depsFor, detailsOf, failureOf } from '../support/provider-harness';

const ACCOUNT = '0.0.0.1+-account+174257';
const SERVICE = '0.0.0.1+-service-email+175025';
const DEAL = '0.0.0.1+-deal+41056';
const PERIOD_END = '2031-01-01T00:00:00.000Z';
const CLIENT_ID = 'bc-client';
const CLIENT_SECRET = 'bc-secret-do-not-log';

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

describe('Billing Care activities against the Billing Care simulator (no OAuth, as on test systems)', () => {
  const sim = new BillingCareSimulator();
  let acts: ReturnType<typeof createBillingCareActivities>;
  let bundle: BillingCareBundle;

  beforeAll(async () => {
    await sim.start();
    acts = createBillingCareActivities(depsFor({ BILLING_CARE_BASE_URL: sim.baseUrl }));
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.trueBodyStyle = 'bare';
    bundle = sim.addBundle(ACCOUNT, { service: SERVICE, dealId: DEAL, packageId: 1, validTo: PERIOD_END });
    sim.addBundle(ACCOUNT, { name: 'other bundle on the account' });
  });

  const confirmOf = (receipt: SubmitReceipt, effect: 'now' | 'end-of-period' = 'now') =>
    acts.confirmCancellation({
      requestId: 'req:1',
      workflowId: 'wf',
      target: command().target,
      effect,
      receipt,
    });

  test('submit reads the bundles, then POSTs the documented JSON body with no Authorization header', async () => {
    const before = Date.now();
    const receipt = await acts.submitCancellation(command());

    const [read] = sim.calls('GET');
    expect(read?.path).toBe(
      '/bcws/webresources/v1.0/subscriptions/purchasedbundles/0.0.0.1%2B-account%2B174257',
    );
    const posts = sim.calls('POST');
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
    expect(Date.parse(body.effective as string)).toBeLessThanOrEqual(Date.now());

    expect(receipt).toMatchObject({ alreadyExisted: false, effectiveAt: body.effective });
    expect(receipt.providerReference).toMatchObject({ accountId: ACCOUNT, bundleId: bundle.bundleId });
    expect(bundle.status).toBe(3);
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);
  });

  test('the doc-style `{ true }` answer is success too', async () => {
    sim.trueBodyStyle = 'braced';
    await expect(acts.submitCancellation(command())).resolves.toMatchObject({ alreadyExisted: false });
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);
  });

  test.each(['"true"', '{"result": true}', ' \n true \n'])(
    'the 200 body %j is read as success',
    async (body) => {
      sim.addFault({ method: 'POST', fault: { kind: 'status', status: 200, body } });
      await expect(acts.submitCancellation(command())).resolves.toMatchObject({ alreadyExisted: false });
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
  });

  test('missing refs are filled from the matched bundle, since Billing Care answers 400 on a null id', async () => {
    await acts.submitCancellation(command({ target: { accountId: ACCOUNT, packageId: 1 } }));
    expect(sim.calls('POST')[0]?.body).toMatchObject({
      serviceRef: { id: SERVICE, uri: null },
      dealRef: { id: DEAL, uri: null },
      packageId: 1,
    });
    expect(bundle.status).toBe(3);
  });

  test('400 (null service id) is non-retryable and quotes the opaque body', async () => {
    const f = await failureOf(() =>
      acts.submitCancellation(command({ target: { accountId: ACCOUNT, dealId: '0.0.0.1+-deal+99' } })),
    );
    expect(f.type).toBe('ProviderRejected');
    expect(f.nonRetryable).toBe(true);
    expect(detailsOf(f)).toMatchObject({ provider: 'billing-care', status: 400 });
    expect(f.message).toContain('null Service Id');
    expect(sim.cancels).toHaveLength(0);
  });

  test('an unknown account is not found, before anything is posted', async () => {
    const f = await failureOf(() =>
      acts.submitCancellation(command({ target: { accountId: '0.0.0.1+-account+1', dealId: DEAL } })),
    );
    expect(f.type).toBe('ProviderNotFound');
    expect(f.nonRetryable).toBe(true);
    expect(sim.calls('POST')).toHaveLength(0);
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
  });

  test('throttling (429 + Retry-After, not documented) is retried no earlier than asked', async () => {
    sim.addFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 30 } });
    const f = await failureOf(() => acts.submitCancellation(command()));
    expect(f.type).toBe('ProviderRateLimited');
    expect(Number(f.nextRetryDelay)).toBe(30_000);
  });

  test('provider-deferred: effective is the bundle validTo, and a lost response retried cancels once', async () => {
    sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
    const lost = await failureOf(() => acts.submitCancellation(command({ effect: 'end-of-period' })));
    expect(lost.type).toBe('ProviderUnavailable');
    expect(lost.nonRetryable).toBe(false);
    expect(sim.calls('POST')[0]?.body).toMatchObject({ effective: PERIOD_END });

    const retried = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    expect(retried).toMatchObject({ alreadyExisted: true, effectiveAt: PERIOD_END });
    expect(sim.calls('POST')).toHaveLength(1);
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);

    await expect(confirmOf(retried, 'end-of-period')).resolves.toMatchObject({ effectiveAt: PERIOD_END });
  });

  test('an immediate cancel whose response was lost: the retry (attempt 2) finds the bundle ended, posts nothing', async () => {
    sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
    await failureOf(() => acts.submitCancellation(command()));
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);

    const attempt2 = new MockActivityEnvironment({ attempt: 2 });
    const retried = await attempt2.run<
      [SubmitCommand<'billing-care'>],
      SubmitReceipt,
      typeof acts.submitCancellation
    >(acts.submitCancellation, command());
    expect(retried.alreadyExisted).toBe(true);
    expect(sim.calls('POST')).toHaveLength(1);
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);
  });

  test('a bundle another request already cancelled is not cancelled again', async () => {
    await acts.submitCancellation(command({ requestId: 'first', effect: 'end-of-period' }));
    const second = await acts.submitCancellation(command({ requestId: 'second', effectiveAt: PERIOD_END }));
    expect(second.alreadyExisted).toBe(true);
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);
  });

  test('an immediate cancel brings forward a cancel scheduled for the period end', async () => {
    await acts.submitCancellation(command({ requestId: 'first', effect: 'end-of-period' }));
    const now = await acts.submitCancellation(command({ requestId: 'second' }));
    expect(now.alreadyExisted).toBe(false);
    expect(sim.cancelCount(bundle.bundleId)).toBe(2);
    expect(Date.parse(bundle.validTo!)).toBeLessThanOrEqual(Date.now());
  });

  test('confirm: an immediate cancel has dropped out of purchasedbundles once its date passed', async () => {
    const receipt = await acts.submitCancellation(command());
    const confirmation = await confirmOf(receipt);
    expect(confirmation.effectiveAt).toBe(receipt.effectiveAt);
    expect(confirmation.providerState).toContain('no longer in purchasedbundles');
  });

  test('confirm: an active bundle is not yet confirmed (retryable)', async () => {
    const receipt: SubmitReceipt = {
      submittedAt: new Date().toISOString(),
      alreadyExisted: false,
      providerReference: {},
      effectiveAt: '2030-06-01T00:00:00.000Z',
    };
    const f = await failureOf(() => confirmOf(receipt));
    expect(f.type).toBe('CancellationNotYetConfirmed');
    expect(f.nonRetryable).toBe(false);
  });

  test('confirm: a bundle that reports no status (the field is assumed) counts as cancelled when validTo is ours', async () => {
    const { status: _omitted, ...noStatus } = { ...bundle, validTo: '2030-06-01T00:00:00.000Z' };
    sim.addFault({ method: 'GET', fault: { kind: 'status', status: 200, body: [noStatus] } });
    const receipt: SubmitReceipt = {
      submittedAt: new Date().toISOString(),
      alreadyExisted: false,
      providerReference: {},
      effectiveAt: '2030-06-01T00:00:00.000Z',
    };
    await expect(confirmOf(receipt)).resolves.toMatchObject({ effectiveAt: '2030-06-01T00:00:00.000Z' });
    sim.addFault({ method: 'GET', fault: { kind: 'status', status: 200, body: [noStatus] } });
    const other = { ...receipt, effectiveAt: '2030-07-01T00:00:00.000Z' };
    expect((await failureOf(() => confirmOf(other))).type).toBe('CancellationNotYetConfirmed');
  });

  test('readPeriodEnd reads the matching bundle validTo through the encoded account id', async () => {
    await expect(acts.readPeriodEnd({ accountId: ACCOUNT, dealId: DEAL })).resolves.toEqual({
      periodEnd: PERIOD_END,
      source: 'purchasedbundles.validTo',
    });
    expect(sim.calls('GET')[0]?.path).toContain('/purchasedbundles/0.0.0.1%2B-account%2B174257');
  });

  test('readPeriodEnd without a validTo is a final PERIOD_END_UNKNOWN', async () => {
    sim.addBundle(ACCOUNT, { dealId: '0.0.0.1+-deal+7', validTo: null });
    const f = await failureOf(() => acts.readPeriodEnd({ accountId: ACCOUNT, dealId: '0.0.0.1+-deal+7' }));
    expect(f.type).toBe('PeriodEndUnknown');
    expect(f.nonRetryable).toBe(true);
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
  let bundle: BillingCareBundle;
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
    bundle = sim.addBundle(ACCOUNT, { service: SERVICE, dealId: DEAL, packageId: 1, validTo: PERIOD_END });
  });

  const tokenCalls = () => sim.calls('GET', '/authentication/queryAccessToken');

  test('gets a token with Basic client credentials once, and sends it as Bearer on every call', async () => {
    await acts.readPeriodEnd({ accountId: ACCOUNT, dealId: DEAL });
    await acts.submitCancellation(command());
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]?.headers.authorization).toBe(basic);
    const api = sim.requests.filter((r) => !r.path.includes('queryAccessToken'));
    expect(api.length).toBeGreaterThanOrEqual(3);
    for (const r of api) expect(r.headers.authorization).toMatch(/^Bearer [\w-]+$/);
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);
  });

  test('a token that expires mid-run is refreshed after the 401 and the call retried once', async () => {
    await acts.readPeriodEnd({ accountId: ACCOUNT, dealId: DEAL });
    const firstToken = sim.requests.at(-1)?.headers.authorization;
    sim.expireTokens();

    await expect(acts.submitCancellation(command())).resolves.toMatchObject({ alreadyExisted: false });
    expect(tokenCalls()).toHaveLength(2);
    const reads = sim.calls('GET', '/purchasedbundles/');
    expect(reads.map((r) => r.outcome)).toEqual(['200', '401', '200']);
    expect(reads[2]?.headers.authorization).not.toBe(firstToken);
    expect(sim.calls('POST')).toHaveLength(1);
    expect(sim.cancelCount(bundle.bundleId)).toBe(1);
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
    expect(sim.calls('POST')).toHaveLength(0);
  });

  test('without credentials configured, no Authorization header is sent (and this server refuses)', async () => {
    const anonymous = createBillingCareActivities(depsFor({ BILLING_CARE_BASE_URL: sim.baseUrl }));
    const f = await failureOf(() => anonymous.readPeriodEnd({ accountId: ACCOUNT, dealId: DEAL }));
    expect(f.type).toBe('ProviderAuthFailed');
    expect(tokenCalls()).toHaveLength(0);
    expect(sim.requests[0]?.headers.authorization).toBeUndefined();
  });
});
