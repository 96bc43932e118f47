// Billing Care answers the contract tests' happy paths never show: receipts naming a bundle other
// than the target's first, targets matching several bundles, retries that find the bundle changed by
// someone else, bundles listed at or past their validTo, OAuth configured by halves, and what each
// failure says. Each test builds its own activities (not in a beforeAll), so mutation testing's
// per-test coverage sees the factory's closures run.
import {
  createBillingCareActivities,
  type ActivityRun,
  type BillingCareOptions,
} from '../../../activities/providers/billing-care';
import { type SubmitCommand, type SubmitReceipt } from '../../../activities/providers/types';
import { BillingCareSimulator, type BillingCareBundle } from '../../../simulators/billing-care';
import { depsFor, detailsOf, failureOf } from '../../support/provider-harness';

const ACCOUNT = '0.0.0.1+-account+174257';
const SERVICE = '0.0.0.1+-service-email+175025';
const OTHER_SERVICE = '0.0.0.1+-service-email+175099';
const DEAL = '0.0.0.1+-deal+41056';
const OTHER_DEAL = '0.0.0.1+-deal+41099';
const PERIOD_END = '2031-01-01T00:00:00.000Z';
const EARLIER = '2030-06-01T00:00:00.000Z';
const LATER = '2031-06-01T00:00:00.000Z';
const CLIENT_ID = 'bc-client';
const CLIENT_SECRET = 'bc-secret-do-not-log';
const HOUR = 3_600_000;

type Target = SubmitCommand<'billing-care'>['target'];
const TARGET: Target = { accountId: ACCOUNT, serviceId: SERVICE, dealId: DEAL, packageId: 1 };

describe('Billing Care activities at the edges of what Billing Care answers', () => {
  // OAuth is known to this server but not required, as on a test system that also issues tokens.
  const sim = new BillingCareSimulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });

  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  /** The activities as a worker builds them; the activity clock is the provider's unless given. */
  const build = (
    { clock, env = {} }: { clock?: () => Date; env?: Record<string, string> } = {},
    options?: BillingCareOptions,
  ) =>
    createBillingCareActivities(
      { ...depsFor({ BILLING_CARE_BASE_URL: sim.baseUrl, ...env }), clock: clock ?? (() => sim.now()) },
      options,
    );
  /** The bundle the default target names. */
  const ours = (over: Partial<BillingCareBundle> = {}) =>
    sim.addBundle(ACCOUNT, {
      name: 'Email',
      service: SERVICE,
      dealId: DEAL,
      packageId: 1,
      validTo: PERIOD_END,
      ...over,
    });
  /** A bundle of the same account that the default target does not name. */
  const another = (over: Partial<BillingCareBundle> = {}) =>
    sim.addBundle(ACCOUNT, {
      name: 'Storage',
      service: OTHER_SERVICE,
      dealId: OTHER_DEAL,
      packageId: 2,
      validTo: LATER,
      ...over,
    });
  const command = (over: Partial<SubmitCommand<'billing-care'>> = {}): SubmitCommand<'billing-care'> => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: TARGET,
    effect: 'now',
    reasonCode: 'too_expensive',
    requestedBy: 'customer',
    ...over,
  });
  const query = (receipt: SubmitReceipt, target: Target = TARGET) => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target,
    effect: 'now' as const,
    receipt,
  });
  const receiptOf = (providerReference: SubmitReceipt['providerReference']): SubmitReceipt => ({
    submittedAt: new Date().toISOString(),
    alreadyExisted: false,
    acknowledged: true,
    providerReference,
  });
  /**
   * Plays Temporal's retries of one submit: the details the last attempt heartbeated are what the
   * next one sees. `details` may start as the record an earlier attempt left.
   */
  const retries = (details?: unknown) => {
    let attempt = 0;
    const state = { details };
    const activityRun = (): ActivityRun => ({
      attempt: ++attempt,
      heartbeatDetails: state.details,
      heartbeat: (d) => (state.details = d),
    });
    return { activityRun, state };
  };
  const postedEffective = (n = 0) => (sim.writes()[n]?.body as { effective: string }).effective;
  const failure = async (call: () => Promise<unknown>) => {
    const f = await failureOf(call);
    return { type: f.type, nonRetryable: f.nonRetryable, message: f.message, details: detailsOf(f) };
  };

  describe('which bundles a confirm or verify reads', () => {
    test('a receipt naming its bundle is read about that bundle alone, not every bundle the target matches', async () => {
      const acts = build();
      const a = ours();
      another();
      a.ended = true; // our bundle ended; the other one is still listed
      // A target naming only account and deal matches every listed bundle (the read shows no deals).
      const target: Target = { accountId: ACCOUNT, dealId: DEAL };
      const passed = new Date(sim.now().getTime() - 60_000).toISOString();

      const confirmation = await acts.confirmCancellation(
        query(receiptOf({ accountId: ACCOUNT, bundleId: a.bundleId, effective: passed }), target),
      );
      expect(confirmation).toEqual({
        level: 'effective',
        observedAt: expect.any(String),
        providerState: `bundle ${a.bundleId} no longer in purchasedbundles, after our cancel effective ${passed}`,
        providerReference: { bundleId: a.bundleId },
      });

      // Verify takes the bundle from the confirmation when the receipt names none.
      const reading = await acts.verifyCancellation({
        ...query(receiptOf({ accountId: ACCOUNT, effective: passed }), target),
        confirmation: { ...confirmation, providerReference: { bundleId: a.bundleId } },
      });
      expect(reading).toEqual({
        status: 'verified',
        checkedAt: expect.any(String),
        providerState: `bundle ${a.bundleId} no longer in purchasedbundles`,
      });
    });

    test('a receipt naming no bundle is read about the bundles the target names', async () => {
      const acts = build();
      another();
      const b = ours({ validTo: EARLIER });
      const confirmation = await acts.confirmCancellation(
        query({ ...receiptOf({ accountId: ACCOUNT, effective: EARLIER }), acknowledged: false }),
      );
      expect(confirmation).toEqual({
        level: 'scheduled',
        observedAt: expect.any(String),
        providerState: `bundle ${b.bundleId} (Email) listed, valid to ${EARLIER}`,
        effectiveAt: EARLIER,
        providerReference: { bundleId: b.bundleId },
      });
    });
  });

  describe('readPeriodEnd', () => {
    test('no matching bundle, several with different validTo, or one without: a final PeriodEndUnknown naming the account', async () => {
      const acts = build();
      ours();
      another();
      const cases: [Target, string][] = [
        [{ accountId: ACCOUNT, packageId: 99 }, 'no matching bundle in purchasedbundles'],
        [{ accountId: ACCOUNT }, '2 bundles match, with different validTo'],
      ];
      for (const [target, why] of cases) {
        expect(await failure(() => acts.readPeriodEnd(target))).toEqual({
          type: 'PeriodEndUnknown',
          nonRetryable: true,
          message: `billing-care: account ${ACCOUNT}: ${why}`,
          details: { provider: 'billing-care' },
        });
      }
      sim.addBundle(ACCOUNT, { packageId: 7, validTo: null });
      expect(await failure(() => acts.readPeriodEnd({ accountId: ACCOUNT, packageId: 7 }))).toMatchObject({
        type: 'PeriodEndUnknown',
        message: `billing-care: account ${ACCOUNT}: the bundle has no validTo`,
      });
    });
  });

  describe('what a submit posts and its receipt shows', () => {
    test('one matching bundle: the receipt names it, with its validTo before the cancel and the date we posted', async () => {
      const b = ours();
      another();
      const receipt = await build().submitCancellation(command());
      expect(receipt).toEqual({
        submittedAt: expect.any(String),
        alreadyExisted: false,
        acknowledged: true,
        providerReference: {
          accountId: ACCOUNT,
          bundleId: b.bundleId,
          validToBefore: PERIOD_END,
          effective: postedEffective(),
        },
      });
    });

    test('a target matching two bundles posts without a package and names no bundle in the receipt', async () => {
      ours();
      another({ service: SERVICE });
      const target: Target = { accountId: ACCOUNT, serviceId: SERVICE, dealId: DEAL };
      const receipt = await build().submitCancellation(command({ target }));
      expect(sim.writes()[0]?.body).toEqual({
        accountRef: { id: ACCOUNT, uri: null },
        serviceRef: { id: SERVICE, uri: null },
        dealRef: { id: DEAL, uri: null },
        description: 'Cancelled: too expensive | requested by customer | request req:1',
        effective: expect.any(String),
      });
      expect(receipt).toEqual({
        submittedAt: expect.any(String),
        alreadyExisted: false,
        acknowledged: true,
        providerReference: { accountId: ACCOUNT, effective: postedEffective() },
      });
    });

    test('the package id a target leaves out is taken from the one matching bundle', async () => {
      ours({ packageId: 7 });
      await build().submitCancellation(
        command({ target: { accountId: ACCOUNT, serviceId: SERVICE, dealId: DEAL } }),
      );
      expect(sim.writes()[0]?.body).toMatchObject({ packageId: 7 });
    });

    test('a bundle listed without a service does not stop the service id from being filled from the others', async () => {
      ours();
      another({ service: null });
      const receipt = await build().submitCancellation(
        command({ target: { accountId: ACCOUNT, dealId: DEAL } }),
      );
      expect(sim.writes().map((w) => w.outcome)).toEqual(['200']);
      expect(sim.writes()[0]?.body).toMatchObject({ serviceRef: { id: SERVICE, uri: null } });
      expect(receipt).toMatchObject({ acknowledged: true, alreadyExisted: false });
    });

    test('no listed bundle matches: a final not-found of the read, saying nothing shows a cancel of ours', async () => {
      ours();
      expect(
        await failure(() => build().submitCancellation(command({ target: { ...TARGET, packageId: 99 } }))),
      ).toEqual({
        type: 'ProviderNotFound',
        nonRetryable: true,
        message:
          `billing-care read purchasedbundles: no bundle of account ${ACCOUNT} matching the target is listed: ` +
          'it has ended or never existed, and nothing shows a cancellation of ours',
        details: { provider: 'billing-care', status: 200 },
      });
      expect(sim.writes()).toHaveLength(0);
    });

    test('a bundle listed with validTo exactly now has ended: done from the read, nothing posted', async () => {
      sim.backOfficeLagMs = HOUR; // the back office has not removed it yet
      const at = new Date(Math.floor(sim.now().getTime() / 1000) * 1000 - 1000).toISOString();
      const b = ours({ validTo: at });
      const receipt = await build({ clock: () => new Date(at) }).submitCancellation(command());
      expect(receipt).toEqual({
        submittedAt: at,
        alreadyExisted: true,
        acknowledged: false,
        providerReference: { accountId: ACCOUNT, bundleId: b.bundleId, effective: at },
        effectiveAt: at,
      });
      expect(sim.writes()).toHaveLength(0);
    });

    test('of two matching bundles, one listed past its validTo does not make the cancel done: it is posted', async () => {
      sim.backOfficeLagMs = HOUR;
      another({ service: SERVICE, validTo: new Date(sim.now().getTime() - 60_000).toISOString() });
      ours();
      const target: Target = { accountId: ACCOUNT, serviceId: SERVICE, dealId: DEAL };
      const receipt = await build().submitCancellation(command({ target }));
      expect(receipt).toMatchObject({ alreadyExisted: false, acknowledged: true });
      expect(sim.writes().map((w) => w.outcome)).toEqual(['200']);
    });
  });

  describe('what failures say', () => {
    test('each failure names the call it came from', async () => {
      ours();
      const acts = build();
      sim.addFault({ method: 'GET', fault: { kind: 'status', status: 503, body: 'down for maintenance' } });
      expect(await failure(() => acts.submitCancellation(command()))).toEqual({
        type: 'ProviderUnavailable',
        nonRetryable: false,
        message: 'billing-care read purchasedbundles: HTTP 503: down for maintenance',
        details: { provider: 'billing-care', status: 503 },
      });

      sim.addFault({
        method: 'POST',
        fault: { kind: 'status', status: 500, body: 'java.lang.NullPointerException' },
      });
      expect(await failure(() => acts.submitCancellation(command()))).toEqual({
        type: 'ProviderUnavailable',
        nonRetryable: false,
        message: 'billing-care cancel bundle: HTTP 500: java.lang.NullPointerException',
        details: { provider: 'billing-care', status: 500 },
      });

      sim.addFault({ method: 'POST', fault: { kind: 'status', status: 200, body: '<html>gateway</html>' } });
      expect((await failure(() => acts.submitCancellation(command()))).message).toBe(
        'billing-care cancel bundle: unexpected answer (HTTP 200): <html>gateway</html>',
      );

      sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
      const lost = await failure(() => acts.submitCancellation(command()));
      expect(lost.type).toBe('ProviderUnavailable');
      expect(lost.message).toMatch(/^billing-care cancel bundle: no answer \(/);
    });
  });

  describe('a retry after the answer to our POST was lost', () => {
    test('the bundle is gone: outcome unknown, saying what it was listed as and what to check', async () => {
      const b = ours();
      const r = retries();
      const acts = build({}, { activityRun: r.activityRun });
      sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
      expect((await failure(() => acts.submitCancellation(command()))).type).toBe('ProviderUnavailable');
      expect(await failure(() => acts.submitCancellation(command()))).toEqual({
        type: 'CancellationOutcomeUnknown',
        nonRetryable: true,
        message:
          `billing-care: the answer to our cancel (effective ${postedEffective()}) was lost, and bundle ` +
          `${b.bundleId} (listed valid to ${PERIOD_END} before we posted) is no longer in purchasedbundles: ` +
          'nothing shows whether our cancel ended it. Check the account in Billing Care before cancelling again.',
        details: { provider: 'billing-care' },
      });
      expect(sim.writes()).toHaveLength(1);
    });

    test('an open-ended bundle that is gone is listed as having had no end', async () => {
      const b = ours({ validTo: null });
      const acts = build({}, { activityRun: retries().activityRun });
      sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
      await failureOf(() => acts.submitCancellation(command()));
      expect((await failure(() => acts.submitCancellation(command()))).message).toContain(
        `bundle ${b.bundleId} (listed valid to no end before we posted) is no longer in purchasedbundles`,
      );
    });

    test('no single bundle was known when we posted: outcome unknown, nothing posted again', async () => {
      ours();
      another({ service: SERVICE });
      const target: Target = { accountId: ACCOUNT, serviceId: SERVICE, dealId: DEAL };
      const acts = build({}, { activityRun: retries().activityRun });
      sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
      await failureOf(() => acts.submitCancellation(command({ target })));
      expect(await failure(() => acts.submitCancellation(command({ target })))).toMatchObject({
        type: 'CancellationOutcomeUnknown',
        nonRetryable: true,
        message:
          `billing-care: the answer to our cancel (effective ${postedEffective()}) was lost, ` +
          'and no single bundle was known to read it back',
      });
      expect(sim.writes()).toHaveLength(1);
    });

    test('the bundle already was valid to our date: outcome unknown, saying the read cannot show it', async () => {
      const b = ours();
      const acts = build({}, { activityRun: retries().activityRun });
      sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
      const cmd = command({ effect: 'end-of-period' });
      await failureOf(() => acts.submitCancellation(cmd));
      expect((await failure(() => acts.submitCancellation(cmd))).message).toBe(
        `billing-care: the answer to our cancel (effective ${PERIOD_END}) was lost, and bundle ${b.bundleId} ` +
          `(Email) was already valid to ${PERIOD_END} before we posted, so purchasedbundles cannot show ` +
          'whether Billing Care recorded our cancel.',
      );
    });

    test('our bundle is found by its id, not by its place in the list: the read shows our date', async () => {
      another(); // listed first
      const b = ours();
      const acts = build({}, { activityRun: retries().activityRun });
      sim.addFault({ method: 'POST', fault: { kind: 'lost-response' } });
      const cmd = command({ effect: 'end-of-period', effectiveAt: EARLIER });
      await failureOf(() => acts.submitCancellation(cmd));
      expect(await acts.submitCancellation(cmd)).toEqual({
        submittedAt: expect.any(String),
        alreadyExisted: true,
        acknowledged: false,
        providerReference: {
          accountId: ACCOUNT,
          bundleId: b.bundleId,
          validToBefore: PERIOD_END,
          effective: EARLIER,
        },
        effectiveAt: EARLIER,
      });
      expect(sim.writes()).toHaveLength(1);
    });
  });

  // The record an earlier attempt left before its POST, which never reached Billing Care.
  describe('a retry after a POST that never arrived, reading the bundle back', () => {
    const recordFor = (b: BillingCareBundle, validTo: string | null) => ({
      posted: true,
      effective: EARLIER,
      bundle: { bundleId: b.bundleId, validTo },
    });
    const secondAttempt = (record: unknown) => build({}, { activityRun: retries(record).activityRun });

    test('open-ended before and still open-ended: our cancel did not take effect, so it is posted again', async () => {
      const b = ours({ validTo: null });
      const receipt = await secondAttempt(recordFor(b, null)).submitCancellation(command());
      expect(receipt).toMatchObject({ alreadyExisted: false, acknowledged: true });
      expect(sim.writes().map((w) => w.outcome)).toEqual(['200']);
    });

    test.each<[string, string | null, string | null, string]>([
      ['from no end to a date', null, LATER, `no end to ${LATER}`],
      ['from a date to no end', PERIOD_END, null, `${PERIOD_END} to no end`],
      ['from one date to another', PERIOD_END, LATER, `${PERIOD_END} to ${LATER}`],
    ])('validTo changed %s, not to ours: outcome unknown, nothing posted', async (_, before, now, shown) => {
      const b = ours({ validTo: now });
      const f = await failure(() => secondAttempt(recordFor(b, before)).submitCancellation(command()));
      expect(f).toEqual({
        type: 'CancellationOutcomeUnknown',
        nonRetryable: true,
        message:
          `billing-care: the answer to our cancel (effective ${EARLIER}) was lost, and bundle ${b.bundleId} ` +
          `(Email) changed meanwhile from validTo ${shown}, which is not our date: someone else changed it.`,
        details: { provider: 'billing-care' },
      });
      expect(sim.writes()).toHaveLength(0);
    });
  });

  describe('OAuth', () => {
    const tokenCalls = () => sim.calls('GET', '/authentication/queryAccessToken');

    test.each([
      ['only the client id', { BILLING_CARE_CLIENT_ID: CLIENT_ID }],
      ['only the client secret', { BILLING_CARE_CLIENT_SECRET: CLIENT_SECRET }],
    ])('with %s configured, no token is asked for and no Authorization is sent', async (_, env) => {
      ours();
      await expect(build({ env }).readPeriodEnd({ accountId: ACCOUNT, serviceId: SERVICE })).resolves.toEqual(
        {
          periodEnd: PERIOD_END,
          source: 'purchasedbundles.validTo',
        },
      );
      expect(tokenCalls()).toHaveLength(0);
      expect(sim.calls('GET', '/purchasedbundles/')[0]?.headers.authorization).toBeUndefined();
    });

    test('the token request asks for JSON', async () => {
      ours();
      const env = { BILLING_CARE_CLIENT_ID: CLIENT_ID, BILLING_CARE_CLIENT_SECRET: CLIENT_SECRET };
      await build({ env }).readPeriodEnd({ accountId: ACCOUNT, serviceId: SERVICE });
      expect(tokenCalls()).toHaveLength(1);
      expect(tokenCalls()[0]?.headers.accept).toBe('application/json');
    });

    test('refused client credentials: a final auth failure naming the token request', async () => {
      const env = { BILLING_CARE_CLIENT_ID: CLIENT_ID, BILLING_CARE_CLIENT_SECRET: 'wrong' };
      expect(await failure(() => build({ env }).readPeriodEnd({ accountId: ACCOUNT }))).toEqual({
        type: 'ProviderAuthFailed',
        nonRetryable: true,
        message: 'billing-care query access token: HTTP 401: Unauthorized',
        details: { provider: 'billing-care', status: 401 },
      });
    });
  });
});
