import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createKeliwebActivities, KELIWEB_LEVELS } from '../../activities/providers/keliweb';
import {
  KeliwebAddonSchema,
  keliwebDateToIso,
  parseFlattenedList,
  unflattenList,
} from '../../activities/providers/keliweb-wire';
import { type ConfirmQuery, type SubmitCommand, type SubmitReceipt } from '../../activities/providers/types';
import { KeliwebSimulator } from '../../simulators/keliweb';
import { depsFor, detailsOf, failureOf } from '../support/provider-harness';

const CREDS = {
  clientId: '7',
  clientSecret: 'cs_secret_ABC123',
  username: 'ops@example.it',
  password: 'pw_secret_XYZ789',
};
// 2027-03-15 00:00 in Europe/Rome (CET, UTC+1): nextduedate of service 42.
const DUE_ROME_MIDNIGHT = '2027-03-14T23:00:00.000Z';
const TODAY = '2027-01-10T09:00:00.000Z';

describe('Keliweb activities against the Keliweb simulator', () => {
  const sim = new KeliwebSimulator(CREDS);
  const env = (over: Record<string, string> = {}) => ({
    KELIWEB_BASE_URL: sim.url,
    KELIWEB_CLIENT_ID: CREDS.clientId,
    KELIWEB_CLIENT_SECRET: CREDS.clientSecret,
    KELIWEB_USERNAME: CREDS.username,
    KELIWEB_PASSWORD: CREDS.password,
    ...over,
  });
  let acts: ReturnType<typeof createKeliwebActivities>;

  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    // The provider's clock, fixed so that due dates do not pass as the calendar moves on.
    sim.setNow(TODAY);
    // A fresh factory per test: each test sees its own token requests in the log.
    acts = createKeliwebActivities(depsFor(env()));
    sim.addService({ id: 42, userid: 7, nextduedate: '2027-03-15', billingcycle: 'Annually' });
    sim.addAddon({ serviceid: 42, name: 'Backup', status: 'Active' });
  });

  const command = (over: Partial<SubmitCommand<'keliweb'>> = {}): SubmitCommand<'keliweb'> => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: { serviceId: 42 },
    effect: 'now',
    reasonCode: 'too_expensive',
    comment: 'moving away',
    requestedBy: 'customer',
    ...over,
  });
  const query = (receipt: SubmitReceipt, over: Partial<ConfirmQuery<'keliweb'>> = {}) => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: { serviceId: 42 },
    effect: 'now' as const,
    receipt,
    ...over,
  });
  const formOf = (path: string, i = 0) =>
    sim.calls('POST', path)[i]?.body as Record<string, string> | undefined;
  const outcomes = (path: string) => sim.calls('POST', path).map((c) => c.outcome);
  /** Runs `call` and returns how many provider writes it made. */
  const writesDuring = async (call: () => Promise<unknown>) => {
    const before = sim.writes().length;
    await call();
    return sim.writes().length - before;
  };

  test('the token call is the documented password grant, form-urlencoded', async () => {
    await acts.submitCancellation(command());
    const [call, ...more] = sim.calls('POST', '/oauth/token');
    expect(more).toHaveLength(0);
    expect(call?.path).toBe('/oauth/token');
    expect(call?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(call?.body).toEqual({
      grant_type: 'password',
      client_id: CREDS.clientId,
      client_secret: CREDS.clientSecret,
      username: CREDS.username,
      password: CREDS.password,
    });
  });

  test('submit posts add-cancel-request as multipart with X-Requested-With and the Bearer token', async () => {
    const receipt = await acts.submitCancellation(command());
    const [call] = sim.calls('POST', '/api/v2/keliweb/add-cancel-request');
    expect(call?.path).toBe('/api/v2/keliweb/add-cancel-request');
    expect(call?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(call?.headers['x-requested-with']).toBe('XMLHttpRequest');
    expect(call?.headers.authorization).toMatch(/^Bearer kw_at_[0-9a-f]+$/);
    expect(call?.body).toEqual({
      serviceid: '42',
      type: 'Immediate',
      reason: '[too_expensive] moving away (requested by customer; request req:1)',
    });
    expect(receipt).toMatchObject({
      alreadyExisted: false,
      acknowledged: true,
      providerReference: {
        serviceId: '42',
        userId: '7',
        type: 'Immediate',
        addons: 'Backup (Active)',
        addonCount: 1,
      },
    });
    expect(receipt.effectiveAt).toBeUndefined();
    expect(sim.cancelRequests.get(42)).toMatchObject({ type: 'Immediate' });
  });

  test('submit reads the service addons with get-clients-addons and reuses the cached token', async () => {
    sim.addAddon({ serviceid: 42, name: 'SSL', status: 'Suspended' });
    sim.addService({ id: 43 });
    await acts.submitCancellation(command());
    const second = await acts.submitCancellation(
      command({ target: { serviceId: 43 }, reasonCode: undefined }),
    );
    const [addonsCall] = sim.calls('POST', '/api/v2/keliweb/get-clients-addons');
    expect(addonsCall?.contentType).toMatch(/^multipart\/form-data/);
    expect(addonsCall?.headers['x-requested-with']).toBe('XMLHttpRequest');
    expect(addonsCall?.body).toEqual({ serviceid: '42' });
    expect(second.providerReference).toMatchObject({ addons: 'none', addonCount: 0 });
    expect(formOf('add-cancel-request', 1)?.reason).toBe(
      'moving away (requested by customer; request req:1)',
    );
    expect(sim.calls('POST', '/oauth/token')).toHaveLength(1);
    const tokens = new Set(sim.calls('POST', '/api/v2/').map((c) => c.headers.authorization));
    expect(tokens.size).toBe(1);
  });

  test('effect now: one write, one change; confirm is `accepted` from a read and writes nothing', async () => {
    const receipt = await acts.submitCancellation(command());
    expect(sim.writes()).toHaveLength(1);
    expect(sim.changesOf(42).map((c) => c.change)).toEqual(['cancel-request-recorded']);

    let c: Awaited<ReturnType<typeof acts.confirmCancellation>> | undefined;
    expect(await writesDuring(async () => (c = await acts.confirmCancellation(query(receipt))))).toBe(0);
    expect(c).toMatchObject({
      level: 'accepted',
      providerState: 'cancel request recorded; service still Active',
      providerReference: { serviceId: '42', status: 'Active' },
    });
    expect(c?.observedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    // Immediate: the nightly run that carries it out has no date the provider tells.
    expect(c?.effectiveAt).toBeUndefined();
    expect(formOf('get-clients-products')).toEqual({ serviceid: '42' });
    expect(sim.calls('POST', 'add-cancel-request')).toHaveLength(1);
    expect(sim.writes()).toHaveLength(1);
    expect(sim.changesOf(42)).toHaveLength(1);
  });

  test('end of period: one write; confirm `accepted` at nextduedate, midnight in Rome', async () => {
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    expect(formOf('add-cancel-request')?.type).toBe('End of Billing Period');
    expect(sim.writes()).toHaveLength(1);
    const q = query(receipt, { effect: 'end-of-period' });
    let c: Awaited<ReturnType<typeof acts.confirmCancellation>> | undefined;
    expect(await writesDuring(async () => (c = await acts.confirmCancellation(q)))).toBe(0);
    expect(c).toMatchObject({
      level: 'accepted',
      providerState: 'cancel request recorded; service still Active',
      effectiveAt: DUE_ROME_MIDNIGHT,
      providerReference: { serviceId: '42', status: 'Active', nextduedate: '2027-03-15' },
    });
    expect(sim.cancelRequests.size).toBe(1);
    expect(sim.changesOf(42).map((c) => c.change)).toEqual(['cancel-request-recorded']);
  });

  test('confirm shows `effective` once the service is Cancelled, without asking again', async () => {
    const receipt = await acts.submitCancellation(command());
    sim.runNightlyAutomation();
    const c = await acts.confirmCancellation(query(receipt));
    expect(c).toMatchObject({ level: 'effective', providerState: 'service Cancelled' });
    expect(c.effectiveAt).toBeUndefined();
    expect(sim.calls('POST', 'add-cancel-request')).toHaveLength(1);
    expect(sim.changesOf(42).map((c) => c.change)).toEqual(['cancel-request-recorded', 'cancelled']);
  });

  test('confirm never writes: without an acknowledged receipt an Active service is not yet confirmed', async () => {
    const receipt = await acts.submitCancellation(command());
    sim.cancelRequests.clear();
    // Acknowledged: the provider's answer is the evidence, whatever the (unreadable) requests hold.
    const acked = await acts.confirmCancellation(query(receipt));
    expect(acked.level).toBe('accepted');
    const unacked = { ...receipt, acknowledged: false };
    const f = await failureOf(() => acts.confirmCancellation(query(unacked)));
    expect(f).toMatchObject({ type: 'CancellationNotYetConfirmed', nonRetryable: false });
    expect(sim.calls('POST', 'add-cancel-request')).toHaveLength(1);
    expect(sim.cancelRequests.size).toBe(0);
  });

  test('Existing Cancellation Request Exists: acknowledged, but the receipt claims no type and no date', async () => {
    // Recorded earlier today, so no nightly run has carried it out yet.
    sim.cancelRequests.set(42, { serviceid: 42, type: 'Immediate', reason: 'earlier', date: '2027-01-10' });
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    expect(outcomes('add-cancel-request')).toEqual(['200']);
    expect(receipt).toMatchObject({
      alreadyExisted: true,
      acknowledged: true,
      providerReference: { serviceId: '42' },
    });
    expect(receipt.providerReference.type).not.toBe('End of Billing Period');
    expect(receipt.effectiveAt).toBeUndefined();
    expect(sim.cancelRequests.get(42)?.reason).toBe('earlier');
    // Someone else's request: its type (and so its date) is unknown, so confirm gives no date.
    const c = await acts.confirmCancellation(query(receipt, { effect: 'end-of-period' }));
    expect(c.level).toBe('accepted');
    expect(c.effectiveAt).toBeUndefined();
    expect(sim.writes()).toHaveLength(1);
    expect(sim.changesOf(42)).toHaveLength(0);
  });

  test('a lost response, retried, leaves exactly one cancel request and one change', async () => {
    sim.addFault({ path: 'add-cancel-request', fault: { kind: 'lost-response' } });
    const lost = await failureOf(() => acts.submitCancellation(command()));
    expect(lost.type).toBe('ProviderUnavailable');
    expect(lost.nonRetryable).toBe(false);
    const retried = await acts.submitCancellation(command());
    expect(retried).toMatchObject({ alreadyExisted: true, acknowledged: true });
    expect(outcomes('add-cancel-request')).toEqual(['lost-response (handler answered 200)', '200']);
    expect(sim.cancelRequests.size).toBe(1);
    expect(sim.writes()).toHaveLength(2);
    expect(sim.changesOf(42).map((c) => c.change)).toEqual(['cancel-request-recorded']);
  });

  test('a failing addons read does not stop the cancel request; addons are reported unknown', async () => {
    sim.addFault({ path: 'get-clients-addons', fault: { kind: 'status', status: 503 } });
    const receipt = await acts.submitCancellation(command());
    expect(outcomes('get-clients-addons')).toEqual(['fault 503']);
    expect(outcomes('add-cancel-request')).toEqual(['200']);
    expect(receipt).toMatchObject({ acknowledged: true, providerReference: { addons: 'unknown' } });
    expect(String(receipt.providerReference.addonsError)).toContain('HTTP 503');
    expect(sim.cancelRequests.get(42)).toMatchObject({ type: 'Immediate' });
  });

  test('Service ID Not Found is a non-retryable ProviderNotFound', async () => {
    const f = await failureOf(() => acts.submitCancellation(command({ target: { serviceId: 999 } })));
    expect(f.type).toBe('ProviderNotFound');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('Service ID Not Found');
    expect(detailsOf(f)).toMatchObject({ provider: 'keliweb', status: 200, field: 'serviceid' });
  });

  test('any other result:error is a non-retryable ProviderRejected with the provider message', async () => {
    sim.addFault({
      path: 'add-cancel-request',
      fault: {
        kind: 'status',
        status: 200,
        body: { result: 'error', message: 'Cancellations are disabled' },
      },
    });
    const f = await failureOf(() => acts.submitCancellation(command()));
    expect(outcomes('add-cancel-request')).toEqual(['fault 200']);
    expect(f.type).toBe('ProviderRejected');
    expect(f.nonRetryable).toBe(true);
    expect(f.message).toContain('Cancellations are disabled');
  });

  test('a Laravel 422 names the field; 429 waits Retry-After seconds; 5xx and hangs are retryable', async () => {
    sim.addFault({
      path: 'add-cancel-request',
      fault: {
        kind: 'status',
        status: 422,
        body: {
          message: 'The selected type is invalid.',
          errors: { type: ['The selected type is invalid.'] },
        },
      },
    });
    const invalid = await failureOf(() => acts.submitCancellation(command()));
    expect(invalid).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(detailsOf(invalid)).toMatchObject({ status: 422, field: 'type' });

    sim.addFault({ path: 'add-cancel-request', fault: { kind: 'rate-limit', retryAfterSeconds: 30 } });
    const limited = await failureOf(() => acts.submitCancellation(command()));
    expect(limited).toMatchObject({
      type: 'ProviderRateLimited',
      nonRetryable: false,
      nextRetryDelay: 30_000,
    });

    sim.addFault({ path: 'add-cancel-request', fault: { kind: 'status', status: 503 } });
    expect(await failureOf(() => acts.submitCancellation(command()))).toMatchObject({
      type: 'ProviderUnavailable',
      nonRetryable: false,
    });
    sim.addFault({ path: 'add-cancel-request', fault: { kind: 'hang' } });
    const hang = await failureOf(() => acts.submitCancellation(command()));
    expect(hang.type).toBe('ProviderUnavailable');
    expect(hang.message).toContain('ETIMEDOUT');
    expect(outcomes('add-cancel-request')).toEqual(['fault 422', 'fault 429', 'fault 503', 'hang']);
    expect(sim.cancelRequests.size).toBe(0);
  });

  test('answers outside the documented shape are retryable protocol failures', async () => {
    sim.addFault({
      path: 'get-clients-products',
      fault: { kind: 'status', status: 200, body: '<html>maintenance</html>' },
    });
    const html = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
    expect(outcomes('get-clients-products')).toEqual(['fault 200']);
    expect(html).toMatchObject({ type: 'ProviderProtocolError', nonRetryable: false });

    sim.services.get(42)!.status = 'Dormant' as never; // a status outside the documented enum
    const status = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
    expect(status.type).toBe('ProviderProtocolError');
    expect(status.message).toContain('products[product][0][status]');
  });

  describe('lists in both shapes, with their counts checked', () => {
    test('the nested WHMCS shape is read like the flattened one', async () => {
      sim.listShape = 'nested';
      const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
      expect(receipt.providerReference).toMatchObject({ addons: 'Backup (Active)', addonCount: 1 });
      const c = await acts.confirmCancellation(query(receipt, { effect: 'end-of-period' }));
      expect(c).toMatchObject({ level: 'accepted', effectiveAt: DUE_ROME_MIDNIGHT });
      await expect(acts.readPeriodEnd({ serviceId: 42 })).resolves.toMatchObject({
        periodEnd: DUE_ROME_MIDNIGHT,
      });
      sim.services.get(42)!.status = 'Dormant' as never;
      const bad = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(bad.message).toContain('products.product[0].status');
    });

    test('numreturned without the items is a protocol failure, not "service not found"', async () => {
      sim.addFault({
        path: 'get-clients-products',
        fault: {
          kind: 'status',
          status: 200,
          body: { result: 'success', totalresults: '1', startnumber: '0', numreturned: '1' },
        },
      });
      const f = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(outcomes('get-clients-products')).toEqual(['fault 200']);
      expect(f).toMatchObject({ type: 'ProviderProtocolError', nonRetryable: false });
      expect(f.message).toContain('numreturned');
    });

    test('a nested list shorter than its count is a protocol failure', async () => {
      sim.addFault({
        path: 'get-clients-products',
        fault: {
          kind: 'status',
          status: 200,
          body: {
            result: 'success',
            totalresults: 2,
            startnumber: 0,
            numreturned: 2,
            products: {
              product: [
                {
                  id: 42,
                  clientid: 7,
                  status: 'Active',
                  nextduedate: '2027-03-15',
                  billingcycle: 'Annually',
                },
              ],
            },
          },
        },
      });
      const f = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(outcomes('get-clients-products')).toEqual(['fault 200']);
      expect(f).toMatchObject({ type: 'ProviderProtocolError' });
    });

    test('an addons count mismatch is reported with the service, and the cancel still goes out', async () => {
      sim.addFault({
        path: 'get-clients-addons',
        fault: { kind: 'status', status: 200, body: { result: 'success', totalresults: '3' } },
      });
      const receipt = await acts.submitCancellation(command());
      expect(outcomes('get-clients-addons')).toEqual(['fault 200']);
      expect(receipt.providerReference).toMatchObject({ addons: 'unknown' });
      expect(String(receipt.providerReference.addonsError)).toContain('totalresults');
      expect(sim.writes()).toHaveLength(1);
    });
  });

  describe('verification reads the service and never writes', () => {
    test('verified once the provider clock passes nextduedate (Rome) and the nightly run applied it', async () => {
      const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
      const q = query(receipt, { effect: 'end-of-period' });
      const confirmation = await acts.confirmCancellation(q);

      sim.setNow('2027-03-14T22:30:00.000Z'); // 23:30 on the 14th in Rome: not due yet
      let early: Awaited<ReturnType<typeof acts.verifyCancellation>> | undefined;
      expect(
        await writesDuring(async () => (early = await acts.verifyCancellation({ ...q, confirmation }))),
      ).toBe(0);
      expect(early).toMatchObject({ status: 'not-applied', providerState: 'Active' });

      sim.setNow('2027-03-14T23:30:00.000Z'); // 00:30 on the 15th in Rome
      let v: Awaited<ReturnType<typeof acts.verifyCancellation>> | undefined;
      expect(
        await writesDuring(async () => (v = await acts.verifyCancellation({ ...q, confirmation }))),
      ).toBe(0);
      expect(v).toMatchObject({ status: 'verified', providerState: 'Cancelled' });
      expect(v?.checkedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(sim.changesOf(42).map((c) => c.change)).toEqual(['cancel-request-recorded', 'cancelled']);
      expect(sim.writes()).toHaveLength(1);
    });

    test('an Immediate request is applied by the next nightly run', async () => {
      sim.setNow('2027-01-10T15:00:00.000Z');
      const receipt = await acts.submitCancellation(command());
      const confirmation = await acts.confirmCancellation(query(receipt));
      sim.setNow('2027-01-11T01:00:00.000Z'); // 02:00 on the next day in Rome
      const v = await acts.verifyCancellation({ ...query(receipt), confirmation });
      expect(v).toMatchObject({ status: 'verified', providerState: 'Cancelled' });
    });

    test('not-applied, with the status, when the automation forgets', async () => {
      const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
      const q = query(receipt, { effect: 'end-of-period' });
      const confirmation = await acts.confirmCancellation(q);
      sim.automation = 'forgets';
      sim.setNow('2027-04-01T10:00:00.000Z');
      sim.runNightlyAutomation();
      const v = await acts.verifyCancellation({ ...q, confirmation });
      expect(v).toMatchObject({ status: 'not-applied', providerState: 'Active' });
      expect(sim.services.get(42)?.status).toBe('Active');
      expect(sim.changesOf(42).map((c) => c.change)).toEqual(['cancel-request-recorded']);
    });
  });

  test('the reason keeps who asked and the request id whole, with a comment of the longest allowed size', async () => {
    const comment = 'x'.repeat(255);
    await acts.submitCancellation(command({ comment, requestedBy: 'merchant', requestId: 'req-long:42' }));
    expect(formOf('add-cancel-request')?.reason).toBe(
      `[too_expensive] ${comment} (requested by merchant; request req-long:42)`,
    );
  });

  test('an expired token mid-run is refreshed with the refresh token and the call retried once', async () => {
    const receipt = await acts.submitCancellation(command());
    sim.expireAccessTokens();
    sim.requests.length = 0;

    await expect(acts.confirmCancellation(query(receipt))).resolves.toMatchObject({ level: 'accepted' });
    const log = sim.requests.map((r) => `${r.path} ${r.outcome}`);
    expect(log).toEqual([
      '/api/v2/keliweb/get-clients-products 401',
      '/oauth/token 200',
      '/api/v2/keliweb/get-clients-products 200',
    ]);
    expect(sim.requests[1]?.body).toMatchObject({
      grant_type: 'refresh_token',
      client_id: CREDS.clientId,
      client_secret: CREDS.clientSecret,
    });
    // The simulator accepted it (200 above), so it was the refresh token issued with the first grant.
    expect((sim.requests[1]?.body as Record<string, string>).refresh_token).toMatch(/^kw_rt_/);
    expect(sim.requests[1]?.body).not.toHaveProperty('password');
  });

  test('a refused refresh token falls back to the password grant', async () => {
    await acts.submitCancellation(command());
    sim.expireAccessTokens();
    sim.expireRefreshTokens();
    await acts.readPeriodEnd({ serviceId: 42 });
    const grants = sim
      .calls('POST', '/oauth/token')
      .map((c) => [(c.body as { grant_type: string }).grant_type, c.outcome]);
    expect(grants).toEqual([
      ['password', '200'],
      ['refresh_token', '400'],
      ['password', '200'],
    ]);
  });

  test('a token refused again after a fresh one is a non-retryable ProviderAuthFailed', async () => {
    sim.addFault({
      path: 'get-clients-products',
      times: 2,
      fault: { kind: 'status', status: 401, body: { message: 'Unauthenticated.' } },
    });
    const f = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
    expect(f).toMatchObject({ type: 'ProviderAuthFailed', nonRetryable: true });
    expect(f.message).toContain('Unauthenticated.');
    expect(outcomes('get-clients-products')).toEqual(['fault 401', 'fault 401']);
  });

  test('wrong credentials are refused as Passport does, and no secret shows in the error', async () => {
    const wrongSecret = createKeliwebActivities(depsFor(env({ KELIWEB_CLIENT_SECRET: 'cs_wrong_SECRET' })));
    const client = await failureOf(() => wrongSecret.submitCancellation(command()));
    expect(client).toMatchObject({ type: 'ProviderAuthFailed', nonRetryable: true });
    expect(client.message).toContain('Client authentication failed');
    expect(detailsOf(client)).toMatchObject({ status: 401, providerCode: 'invalid_client' });

    const wrongPassword = createKeliwebActivities(depsFor(env({ KELIWEB_PASSWORD: 'pw_wrong_SECRET' })));
    const user = await failureOf(() => wrongPassword.submitCancellation(command()));
    expect(user.nonRetryable).toBe(true);
    expect(user.message).toContain('The user credentials were incorrect.');
    expect(detailsOf(user)).toMatchObject({ status: 400, providerCode: 'invalid_grant' });

    const everything = JSON.stringify([client.message, client.details, user.message, user.details]);
    for (const secret of [
      'cs_wrong_SECRET',
      'pw_wrong_SECRET',
      CREDS.clientSecret,
      CREDS.password,
      'kw_at_',
      'kw_rt_',
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(sim.cancelRequests.size).toBe(0);
    expect(sim.calls('POST', '/api/v2/')).toHaveLength(0);
  });

  test('missing settings fail fast, naming the variable', async () => {
    const unconfigured = createKeliwebActivities(
      depsFor({ KELIWEB_BASE_URL: sim.url, KELIWEB_CLIENT_ID: '7' }),
    );
    const f = await failureOf(() => unconfigured.submitCancellation(command()));
    expect(f).toMatchObject({ type: 'ProviderNotConfigured', nonRetryable: true });
    expect(f.message).toContain('KELIWEB_CLIENT_SECRET');
    expect(f.message).toContain('KELIWEB_PASSWORD');
    expect(sim.requests).toHaveLength(0);
  });

  test('readPeriodEnd reads nextduedate as local midnight in Rome', async () => {
    sim.addService({ id: 44, nextduedate: '2027-07-01' });
    await expect(acts.readPeriodEnd({ serviceId: 42 })).resolves.toEqual({
      periodEnd: DUE_ROME_MIDNIGHT,
      source: 'products.nextduedate',
    });
    expect(formOf('get-clients-products')).toEqual({ serviceid: '42' });
    await expect(acts.readPeriodEnd({ serviceId: 44 })).resolves.toMatchObject({
      periodEnd: '2027-06-30T22:00:00.000Z', // CEST, UTC+2
    });
  });

  test('readPeriodEnd without a due date is PeriodEndUnknown; an unknown service is ProviderNotFound', async () => {
    sim.addService({ id: 50, nextduedate: '0000-00-00', billingcycle: 'Free Account' });
    const none = await failureOf(() => acts.readPeriodEnd({ serviceId: 50 }));
    expect(none).toMatchObject({ type: 'PeriodEndUnknown', nonRetryable: true });
    const missing = await failureOf(() => acts.readPeriodEnd({ serviceId: 999 }));
    expect(missing).toMatchObject({ type: 'ProviderNotFound', nonRetryable: true });
  });

  // What failures, receipts and confirmations show in the answers the tests above do not send.
  describe('how Keliweb answers become failures', () => {
    test('an error without a message is told by its status, or by a snippet of a body that is not JSON', async () => {
      sim.addFault({ path: 'get-clients-products', fault: { kind: 'status', status: 503, body: {} } });
      const bare = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(bare.message).toBe('keliweb get-clients-products: HTTP 503');
      // No field and no provider code where the answer names none.
      expect(detailsOf(bare)).toEqual({ provider: 'keliweb', status: 503 });

      sim.addFault({
        path: 'get-clients-products',
        fault: { kind: 'status', status: 502, body: '<html>\n  Bad Gateway\n</html>' },
      });
      const html = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(html).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
      expect(html.message).toBe('keliweb get-clients-products: HTTP 502: <html> Bad Gateway </html>');
    });

    test("a validation error is told by its field's own message, not Laravel's summary", async () => {
      sim.addFault({
        path: 'add-cancel-request',
        fault: {
          kind: 'status',
          status: 422,
          body: {
            message: 'The type field is required. (and 1 more error)',
            errors: { type: ['The type field is required.'], reason: ['The reason is too long.'] },
          },
        },
      });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.message).toBe('keliweb add-cancel-request: The type field is required. (field type)');
    });

    test('a Passport error without `message` is told by its error_description, naming the grant', async () => {
      sim.addFault({
        path: '/oauth/token',
        fault: {
          kind: 'status',
          status: 401,
          body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        },
      });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f).toMatchObject({ type: 'ProviderAuthFailed', nonRetryable: true });
      expect(f.message).toBe('keliweb oauth token (password grant): Client authentication failed');
      expect(detailsOf(f)).toEqual({ provider: 'keliweb', status: 401, providerCode: 'invalid_client' });
    });

    test('a refresh grant that fails for any reason but refusal fails the call: no password grant', async () => {
      await acts.readPeriodEnd({ serviceId: 42 });
      sim.expireAccessTokens();
      sim.addFault({
        path: '/oauth/token',
        bodyIncludes: 'grant_type=refresh_token',
        fault: { kind: 'status', status: 503 },
      });
      const f = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(f).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
      expect(f.message).toBe('keliweb oauth token (refresh grant): Injected failure');
      const grants = sim
        .calls('POST', '/oauth/token')
        .map((c) => [(c.body as { grant_type: string }).grant_type, c.outcome]);
      expect(grants).toEqual([
        ['password', '200'],
        ['refresh_token', 'fault 503'],
      ]);
    });

    test('a refresh token refused with 401 falls back to the password grant too', async () => {
      await acts.readPeriodEnd({ serviceId: 42 });
      sim.expireAccessTokens();
      sim.addFault({
        path: '/oauth/token',
        bodyIncludes: 'grant_type=refresh_token',
        fault: {
          kind: 'status',
          status: 401,
          body: { error: 'invalid_grant', error_description: 'The refresh token is invalid.' },
        },
      });
      await expect(acts.readPeriodEnd({ serviceId: 42 })).resolves.toMatchObject({
        periodEnd: DUE_ROME_MIDNIGHT,
      });
      const grants = sim
        .calls('POST', '/oauth/token')
        .map((c) => [(c.body as { grant_type: string }).grant_type, c.outcome]);
      expect(grants).toEqual([
        ['password', '200'],
        ['refresh_token', 'fault 401'],
        ['password', '200'],
      ]);
    });

    test('token and API calls ask for JSON, so that Laravel answers even its errors in JSON', async () => {
      await acts.submitCancellation(command());
      expect(sim.requests.map((r) => [r.path, r.headers.accept])).toEqual([
        ['/oauth/token', 'application/json'],
        ['/api/v2/keliweb/get-clients-addons', 'application/json'],
        ['/api/v2/keliweb/add-cancel-request', 'application/json'],
      ]);
    });

    test('a list answered with result:error is a non-retryable ProviderRejected with its message', async () => {
      sim.addFault({
        path: 'get-clients-products',
        fault: { kind: 'status', status: 200, body: { result: 'error', message: 'Database unavailable' } },
      });
      const told = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(told).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
      expect(told.message).toBe('keliweb get-clients-products: Database unavailable');

      sim.addFault({
        path: 'get-clients-products',
        fault: { kind: 'status', status: 200, body: { result: 'error' } },
      });
      const untold = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(untold).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
      expect(untold.message).toBe('keliweb get-clients-products: result: error');
    });

    test('add-cancel-request answered result:error without a message is rejected as `result: error`', async () => {
      sim.addFault({
        path: 'add-cancel-request',
        fault: { kind: 'status', status: 200, body: { result: 'error' } },
      });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
      expect(f.message).toBe('keliweb add-cancel-request: result: error');
      expect(detailsOf(f)).toMatchObject({ status: 200, providerCode: 'result: error' });
    });

    test('a products answer is read for the requested service only', async () => {
      const receipt = await acts.submitCancellation(command());
      const product = (id: number, status: string) => ({
        id,
        clientid: 7,
        status,
        nextduedate: '2027-03-15',
        billingcycle: 'Annually',
      });
      const products = (...items: ReturnType<typeof product>[]) => ({
        kind: 'status' as const,
        status: 200,
        body: {
          result: 'success',
          totalresults: items.length,
          startnumber: 0,
          numreturned: items.length,
          products: { product: items },
        },
      });
      // A provider that ignored the serviceid filter: another service, ended, comes first.
      sim.addFault({
        path: 'get-clients-products',
        fault: products(product(43, 'Cancelled'), product(42, 'Active')),
      });
      const c = await acts.confirmCancellation(query(receipt));
      expect(c).toMatchObject({
        level: 'accepted',
        providerReference: { serviceId: '42', status: 'Active' },
      });

      sim.addFault({ path: 'get-clients-products', fault: products(product(43, 'Cancelled')) });
      const other = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
      expect(other).toMatchObject({ type: 'ProviderNotFound', nonRetryable: true });
      expect(other.message).toBe('keliweb get-clients-products: Service ID Not Found (field serviceid)');
      expect(detailsOf(other)).toEqual({ provider: 'keliweb', status: 200, field: 'serviceid' });
    });

    test('an activity cancelled before its addons read stops there, before any cancel request', async () => {
      await acts.readPeriodEnd({ serviceId: 42 }); // caches the token: only the API calls remain
      const cancelled = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
      cancelled.cancel();
      sim.requests.length = 0;
      const f = await failureOf(() => cancelled.run(() => acts.submitCancellation(command())));
      // got sends nothing on an aborted signal; the activity must not even try the write.
      expect(f.type).toBe('ProviderUnavailable');
      expect(f.message).toMatch(/^keliweb get-clients-addons: no answer/);
      expect(sim.requests).toHaveLength(0);
    });
  });

  describe('what receipts and confirmations show', () => {
    test('the addons error names the failure type, and the HTTP status only when there was an answer', async () => {
      sim.addFault({ path: 'get-clients-addons', fault: { kind: 'status', status: 503 } });
      const answered = await acts.submitCancellation(command());
      expect(answered.providerReference.addonsError).toBe(
        'ProviderUnavailable (HTTP 503): keliweb get-clients-addons: Injected failure',
      );
      sim.addFault({ path: 'get-clients-addons', fault: { kind: 'lost-response' } });
      const unanswered = await acts.submitCancellation(command());
      expect(unanswered.providerReference.addonsError).toMatch(
        /^ProviderUnavailable: keliweb get-clients-addons: no answer \(/,
      );
    });

    test('a success answer without ids records the requested service and no user', async () => {
      sim.addFault({
        path: 'add-cancel-request',
        fault: { kind: 'status', status: 200, body: { result: 'success' } },
      });
      const receipt = await acts.submitCancellation(command());
      expect(receipt.providerReference).toMatchObject({ serviceId: '42', type: 'Immediate' });
      expect(receipt.providerReference).not.toHaveProperty('userId');
    });

    test('confirm tells why it waits, and what an existing request shows', async () => {
      const receipt = await acts.submitCancellation(command());
      const now = await acts.confirmCancellation(query(receipt));
      // Immediate: no date, not even an undefined one.
      expect(now).not.toHaveProperty('effectiveAt');
      const f = await failureOf(() => acts.confirmCancellation(query({ ...receipt, acknowledged: false })));
      expect(f.message).toBe('keliweb: service 42 is Active and no answer to add-cancel-request was seen');

      const existed = await acts.submitCancellation(command());
      expect(existed.alreadyExisted).toBe(true);
      const c = await acts.confirmCancellation(query(existed));
      expect(c.providerState).toBe('a cancel request already existed; service still Active');
    });

    test('nextduedate gives the date only when both the effect and the receipt say End of Billing Period', async () => {
      const eop = await acts.submitCancellation(command({ effect: 'end-of-period' }));
      expect(eop.providerReference.type).toBe('End of Billing Period');
      // Each half alone is not enough: a receipt of another request, or a query for another effect.
      const asNow = await acts.confirmCancellation(query(eop, { effect: 'now' }));
      expect(asNow).toMatchObject({ level: 'accepted' });
      expect(asNow.effectiveAt).toBeUndefined();
      const immediate = { ...eop, providerReference: { ...eop.providerReference, type: 'Immediate' } };
      const asEop = await acts.confirmCancellation(query(immediate, { effect: 'end-of-period' }));
      expect(asEop).toMatchObject({ level: 'accepted' });
      expect(asEop.effectiveAt).toBeUndefined();
    });

    test('PeriodEndUnknown shows the due date Keliweb sent, or that it was empty', async () => {
      sim.addService({ id: 50, nextduedate: '0000-00-00', billingcycle: 'Free Account' });
      sim.addService({ id: 51, nextduedate: '', billingcycle: 'Free Account' });
      const zeros = await failureOf(() => acts.readPeriodEnd({ serviceId: 50 }));
      expect(zeros.message).toBe('keliweb: service 50 has no usable nextduedate (0000-00-00, Free Account)');
      const empty = await failureOf(() => acts.readPeriodEnd({ serviceId: 51 }));
      expect(empty).toMatchObject({ type: 'PeriodEndUnknown', nonRetryable: true });
      expect(empty.message).toBe('keliweb: service 51 has no usable nextduedate (empty, Free Account)');
    });
  });
});

describe('the Keliweb simulator', () => {
  const sim = new KeliwebSimulator(CREDS);
  beforeAll(() => sim.start());
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  const token = async () => {
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: CREDS.clientId,
        client_secret: CREDS.clientSecret,
        username: CREDS.username,
        password: CREDS.password,
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const post = async (method: string, body?: FormData | string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.url}/api/v2/keliweb/${method}`, { method: 'POST', body, headers });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
  };
  const auth = async () => ({
    authorization: `Bearer ${await token()}`,
    'x-requested-with': 'XMLHttpRequest',
  });
  const serviceForm = (id: string) => {
    const form = new FormData();
    form.append('serviceid', id);
    return form;
  };

  test('is seeded through the control API and answers in flattened keys with string ids', async () => {
    await fetch(`${sim.url}/__sim/state`, {
      method: 'POST',
      body: JSON.stringify({
        services: [{ id: 5, userid: 3, nextduedate: '2026-12-01' }],
        addons: [{ serviceid: 5 }],
      }),
    });
    const headers = await auth();
    const products = await post('get-clients-products', serviceForm('5'), headers);
    expect(products.body).toMatchObject({
      result: 'success',
      totalresults: '1',
      numreturned: '1',
      'products[product][0][id]': '5',
      'products[product][0][clientid]': '3',
      'products[product][0][status]': 'Active',
      'products[product][0][nextduedate]': '2026-12-01',
    });
    const addons = await post('get-clients-addons', serviceForm('5'), headers);
    expect(addons.body).toMatchObject({ totalresults: '1', 'addons[addon][0][serviceid]': '5' });
    const misspelled = serviceForm('5');
    misspelled.append('type', 'end-of-period');
    expect((await post('add-cancel-request', misspelled, headers)).status).toBe(422);
    expect(sim.cancelRequests.size).toBe(0);
  });

  test('answers in the nested WHMCS shape when asked to', async () => {
    sim.addService({ id: 5, userid: 3, nextduedate: '2026-12-01' });
    sim.addAddon({ serviceid: 5, name: 'Backup' });
    sim.listShape = 'nested';
    const headers = await auth();
    const products = await post('get-clients-products', serviceForm('5'), headers);
    expect(products.body).toMatchObject({
      result: 'success',
      totalresults: 1,
      numreturned: 1,
      products: { product: [expect.objectContaining({ id: 5, clientid: 3, status: 'Active' })] },
    });
    expect(Object.keys(products.body as object).some((k) => k.includes('['))).toBe(false);
    const addons = await post('get-clients-addons', serviceForm('5'), headers);
    expect(addons.body).toMatchObject({
      totalresults: 1,
      addons: { addon: [expect.objectContaining({ serviceid: 5, name: 'Backup' })] },
    });
  });

  test('PHP reads forms only: a JSON, text or missing body is a request without fields', async () => {
    sim.addService({ id: 5 });
    const headers = await auth();
    const notFound = { status: 200, body: { result: 'error', message: 'Service ID Not Found' } };
    const asJson = await post('add-cancel-request', JSON.stringify({ serviceid: 5, type: 'Immediate' }), {
      ...headers,
      'content-type': 'application/json',
    });
    expect(asJson).toEqual(notFound);
    const asText = await post('add-cancel-request', JSON.stringify({ serviceid: 5 }), {
      ...headers,
      'content-type': 'text/plain',
    });
    expect(asText).toEqual(notFound);
    expect(await post('add-cancel-request', undefined, headers)).toEqual(notFound);
    expect(sim.cancelRequests.size).toBe(0);
    expect(sim.changes).toHaveLength(0);

    const jsonToken = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', ...CREDS }),
    });
    expect(jsonToken.status).toBe(400);

    const urlencoded = await post('add-cancel-request', 'serviceid=5&type=Immediate', {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(urlencoded.body).toMatchObject({ result: 'success', serviceid: '5' });
    expect(sim.cancelRequests.get(5)).toMatchObject({ type: 'Immediate' });
  });

  test('counts only add-cancel-request as a write, and records a change only when one is created', async () => {
    sim.addService({ id: 5 });
    const headers = await auth();
    const form = serviceForm('5');
    form.append('type', 'Immediate');
    await post('get-clients-products', serviceForm('5'), headers);
    await post('add-cancel-request', form, headers);
    const again = await post('add-cancel-request', form, headers);
    expect(again.body).toEqual({ result: 'error', message: 'Existing Cancellation Request Exists' });
    expect(sim.writes().map((w) => w.path)).toEqual([
      '/api/v2/keliweb/add-cancel-request',
      '/api/v2/keliweb/add-cancel-request',
    ]);
    expect(sim.changesOf(5).map((c) => c.change)).toEqual(['cancel-request-recorded']);
  });

  test('the nightly run follows the provider clock in Rome and does nothing when it forgets', async () => {
    sim.setNow('2027-03-01T12:00:00.000Z');
    sim.addService({ id: 5, nextduedate: '2027-03-15' });
    sim.addService({ id: 6, nextduedate: '2027-03-15' });
    sim.cancelRequests.set(5, {
      serviceid: 5,
      type: 'End of Billing Period',
      reason: '',
      date: '2027-03-01',
    });
    sim.cancelRequests.set(6, { serviceid: 6, type: 'Immediate', reason: '', date: '2027-03-01' });

    sim.automation = 'forgets';
    sim.setNow('2027-03-20T12:00:00.000Z');
    sim.runNightlyAutomation();
    expect([sim.services.get(5)?.status, sim.services.get(6)?.status]).toEqual(['Active', 'Active']);
    expect(sim.changes).toHaveLength(0);

    sim.automation = 'applies';
    sim.setNow('2027-03-14T22:59:00.000Z'); // 23:59 on the 14th in Rome
    sim.runNightlyAutomation();
    expect([sim.services.get(5)?.status, sim.services.get(6)?.status]).toEqual(['Active', 'Cancelled']);
    sim.setNow('2027-03-14T23:00:00.000Z'); // midnight: the 15th has come in Rome
    sim.runNightlyAutomation();
    expect(sim.services.get(5)?.status).toBe('Cancelled');
    expect(sim.changes.map((c) => [c.target, c.change])).toEqual([
      ['6', 'cancelled'],
      ['5', 'cancelled'],
    ]);
  });

  test('without X-Requested-With an unauthenticated call is redirected to the login page', async () => {
    const plain = await fetch(`${sim.url}/api/v2/keliweb/get-clients-products`, {
      method: 'POST',
      body: serviceForm('5'),
      redirect: 'manual',
    });
    expect(plain.status).toBe(302);
    const ajax = await post('get-clients-products', serviceForm('5'), {
      'x-requested-with': 'XMLHttpRequest',
    });
    expect(ajax).toEqual({ status: 401, body: { message: 'Unauthenticated.' } });
  });
});

describe('the Keliweb wire format', () => {
  // The answer printed in the Keliweb docs (shared/seeds/001), verbatim.
  const documented = {
    result: 'success',
    serviceid: '',
    clientid: '1',
    totalresults: '1',
    'addons[addon][0][id]': '1',
    'addons[addon][0][userid]': '1',
    'addons[addon][0][orderid]': '0',
    'addons[addon][0][serviceid]': '1',
    'addons[addon][0][addonid]': '0',
    'addons[addon][0][name]': 'Addon 1',
    'addons[addon][0][setupfee]': '0.00',
    'addons[addon][0][recurring]': '15.00',
    'addons[addon][0][billingcycle]': 'Monthly',
    'addons[addon][0][tax]': '',
    'addons[addon][0][status]': 'Active',
    'addons[addon][0][regdate]': '2015-12-03',
    'addons[addon][0][nextduedate]': '2016-10-03',
    'addons[addon][0][nextinvoicedate]': '2016-10-03',
    'addons[addon][0][paymentmethod]': 'paypal',
    'addons[addon][0][notes]': '',
  };

  test('reads the documented addons answer into typed items', () => {
    const parsed = parseFlattenedList(documented, 'addons', 'addon', KeliwebAddonSchema);
    expect(parsed).toEqual({
      ok: true,
      items: [
        expect.objectContaining({ id: '1', serviceid: '1', name: 'Addon 1', status: 'Active', notes: '' }),
      ],
    });
  });

  test('orders items by index (not by key order) and ignores other keys and lists', () => {
    const rows = unflattenList(
      {
        'addons[addon][10][id]': '3',
        'addons[addon][2][id]': '2',
        'addons[addon][0][id]': '1',
        'products[product][0][id]': '9',
        'addons[addon][x][id]': 'junk',
        totalresults: '3',
      },
      'addons',
      'addon',
    );
    expect(rows).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }]);
    expect(unflattenList({ result: 'success', totalresults: '0' }, 'addons', 'addon')).toEqual([]);
  });

  test('states the levels Keliweb can reach: accepted and effective, never scheduled', () => {
    expect(Object.keys(KELIWEB_LEVELS).sort()).toEqual(['accepted', 'effective', 'verification']);
  });

  test('due dates are local midnight in Rome across both DST changes; placeholders are not dates', () => {
    expect(keliwebDateToIso('2027-03-15')).toBe('2027-03-14T23:00:00.000Z');
    expect(keliwebDateToIso('2027-03-28')).toBe('2027-03-27T23:00:00.000Z'); // CEST starts at 02:00
    expect(keliwebDateToIso('2027-03-29')).toBe('2027-03-28T22:00:00.000Z');
    expect(keliwebDateToIso('2027-10-31')).toBe('2027-10-30T22:00:00.000Z'); // CET returns at 03:00
    expect(keliwebDateToIso('2027-11-01')).toBe('2027-10-31T23:00:00.000Z');
    expect(keliwebDateToIso('0000-00-00')).toBeUndefined();
    expect(keliwebDateToIso('2027-02-30')).toBeUndefined();
    expect(keliwebDateToIso('')).toBeUndefined();
  });
});
