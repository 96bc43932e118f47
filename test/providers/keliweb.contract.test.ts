import { z } from 'zod';
import {
  createKeliwebActivities,
  KeliwebAddonSchema,
  keliwebDateToIso,
  parseFlattenedList,
  unflattenList,
} from '../../activities/providers/keliweb';
import { type ConfirmQuery, type SubmitCommand } from '../../activities/providers/types';
import { KeliwebSimulator } from '../../simulators/keliweb';
import { depsFor, detailsOf, failureOf } from '../support/provider-harness';

const CREDS = {
  clientId: '7',
  clientSecret: 'cs_secret_ABC123',
  username: 'ops@example.it',
  password: 'pw_secret_XYZ789',
};

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
  const query = (
    receipt: ConfirmQuery<'keliweb'>['receipt'],
    over: Partial<ConfirmQuery<'keliweb'>> = {},
  ) => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target: { serviceId: 42 },
    effect: 'now' as const,
    receipt,
    ...over,
  });
  const formOf = (path: string, i = 0) =>
    sim.calls('POST', path)[i]?.body as Record<string, string> | undefined;

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
      providerReference: {
        serviceId: '42',
        userId: '7',
        type: 'Immediate',
        addons: 'Backup (Active)',
        addonCount: 1,
      },
    });
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

  test('a provider-deferred submit sends End of Billing Period, confirmed with nextduedate', async () => {
    const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
    expect(formOf('add-cancel-request')?.type).toBe('End of Billing Period');
    // Keliweb keeps the service Active until its nightly run: the cancel request is the evidence.
    const c = await acts.confirmCancellation(query(receipt, { effect: 'end-of-period' }));
    expect(c).toMatchObject({
      providerState: 'cancel request recorded',
      effectiveAt: '2027-03-15T00:00:00.000Z',
      providerReference: { serviceId: '42', status: 'Active' },
    });
    expect(formOf('get-clients-products')).toEqual({ serviceid: '42' });
    expect(formOf('add-cancel-request', 1)?.type).toBe('End of Billing Period');
    expect(sim.cancelRequests.size).toBe(1);
  });

  test('confirm accepts a Cancelled service without asking again', async () => {
    const receipt = await acts.submitCancellation(command());
    sim.runNightlyAutomation();
    const c = await acts.confirmCancellation(query(receipt));
    expect(c.providerState).toBe('service Cancelled');
    expect(c.effectiveAt).toBeUndefined();
    expect(sim.calls('POST', 'add-cancel-request')).toHaveLength(1);
  });

  test('confirm records the cancel request when the submitted one is missing, and says so', async () => {
    const receipt = await acts.submitCancellation(command());
    sim.cancelRequests.clear();
    const c = await acts.confirmCancellation(query(receipt));
    expect(c.providerState).toMatch(/recorded by the confirmation/);
    expect(sim.cancelRequests.get(42)).toMatchObject({ type: 'Immediate' });
  });

  test('Existing Cancellation Request Exists counts as success', async () => {
    sim.cancelRequests.set(42, { serviceid: 42, type: 'Immediate', reason: 'earlier', date: '2026-01-01' });
    const receipt = await acts.submitCancellation(command());
    expect(receipt).toMatchObject({ alreadyExisted: true, providerReference: { serviceId: '42' } });
    expect(sim.cancelRequests.get(42)?.reason).toBe('earlier');
  });

  test('a lost response, retried, leaves exactly one cancel request', async () => {
    sim.addFault({ path: 'add-cancel-request', fault: { kind: 'lost-response' } });
    const lost = await failureOf(() => acts.submitCancellation(command()));
    expect(lost.type).toBe('ProviderUnavailable');
    expect(lost.nonRetryable).toBe(false);
    const retried = await acts.submitCancellation(command());
    expect(retried.alreadyExisted).toBe(true);
    expect(sim.cancelRequests.size).toBe(1);
    expect(sim.calls('POST', 'add-cancel-request')).toHaveLength(2);
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

    sim.addFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 30 } });
    const limited = await failureOf(() => acts.submitCancellation(command()));
    expect(limited).toMatchObject({
      type: 'ProviderRateLimited',
      nonRetryable: false,
      nextRetryDelay: 30_000,
    });

    sim.addFault({ fault: { kind: 'status', status: 503 } });
    expect(await failureOf(() => acts.submitCancellation(command()))).toMatchObject({
      type: 'ProviderUnavailable',
      nonRetryable: false,
    });
    sim.addFault({ fault: { kind: 'hang' } });
    const hang = await failureOf(() => acts.submitCancellation(command()));
    expect(hang.type).toBe('ProviderUnavailable');
    expect(hang.message).toContain('ETIMEDOUT');
    expect(sim.cancelRequests.size).toBe(0);
  });

  test('answers outside the documented shape are retryable protocol failures', async () => {
    sim.addFault({
      path: 'get-clients-addons',
      fault: { kind: 'status', status: 200, body: '<html>maintenance</html>' },
    });
    const html = await failureOf(() => acts.submitCancellation(command()));
    expect(html).toMatchObject({ type: 'ProviderProtocolError', nonRetryable: false });

    sim.services.get(42)!.status = 'Dormant' as never;
    const status = await failureOf(() => acts.readPeriodEnd({ serviceId: 42 }));
    expect(status.type).toBe('ProviderProtocolError');
    expect(status.message).toContain('products[product][0][status]');
  });

  test('an expired token mid-run is refreshed with the refresh token and the call retried once', async () => {
    const receipt = await acts.submitCancellation(command());
    sim.expireAccessTokens();
    sim.requests.length = 0;

    await expect(acts.confirmCancellation(query(receipt))).resolves.toMatchObject({
      providerState: 'cancel request recorded',
    });
    const log = sim.requests.map((r) => `${r.path} ${r.outcome}`);
    expect(log.slice(0, 3)).toEqual([
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
    expect(sim.calls('POST', 'get-clients-products')).toHaveLength(2);
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

  test('readPeriodEnd reads nextduedate as UTC midnight', async () => {
    await expect(acts.readPeriodEnd({ serviceId: 42 })).resolves.toEqual({
      periodEnd: '2027-03-15T00:00:00.000Z',
      source: 'products.nextduedate',
    });
    expect(formOf('get-clients-products')).toEqual({ serviceid: '42' });
  });

  test('readPeriodEnd without a due date is PeriodEndUnknown; an unknown service is ProviderNotFound', async () => {
    sim.addService({ id: 50, nextduedate: '0000-00-00', billingcycle: 'Free Account' });
    const none = await failureOf(() => acts.readPeriodEnd({ serviceId: 50 }));
    expect(none).toMatchObject({ type: 'PeriodEndUnknown', nonRetryable: true });
    const missing = await failureOf(() => acts.readPeriodEnd({ serviceId: 999 }));
    expect(missing).toMatchObject({ type: 'ProviderNotFound', nonRetryable: true });
  });
});

describe('the Keliweb simulator', () => {
  const sim = new KeliwebSimulator(CREDS);
  beforeAll(() => sim.start());
  afterAll(() => sim.stop());

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
  const post = async (method: string, body: FormData | string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sim.url}/api/v2/keliweb/${method}`, { method: 'POST', body, headers });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
  };

  test('is seeded through the control API and answers in flattened keys with string ids', async () => {
    await fetch(`${sim.url}/__sim/state`, {
      method: 'POST',
      body: JSON.stringify({
        services: [{ id: 5, userid: 3, nextduedate: '2026-12-01' }],
        addons: [{ serviceid: 5 }],
      }),
    });
    const auth = { authorization: `Bearer ${await token()}`, 'x-requested-with': 'XMLHttpRequest' };
    const form = new FormData();
    form.append('serviceid', '5');
    const products = await post('get-clients-products', form, auth);
    expect(products.body).toMatchObject({
      result: 'success',
      totalresults: '1',
      'products[product][0][id]': '5',
      'products[product][0][clientid]': '3',
      'products[product][0][status]': 'Active',
      'products[product][0][nextduedate]': '2026-12-01',
    });
    const addons = await post('get-clients-addons', form, auth);
    expect(addons.body).toMatchObject({ totalresults: '1', 'addons[addon][0][serviceid]': '5' });

    // A body PHP cannot read as form fields arrives without serviceid.
    const json = await post('add-cancel-request', JSON.stringify({ serviceid: 5 }), {
      ...auth,
      'content-type': 'text/plain',
    });
    expect(json).toEqual({
      status: 422,
      body: {
        message: 'The serviceid field is required.',
        errors: { serviceid: ['The serviceid field is required.'] },
      },
    });
    const misspelled = new FormData();
    misspelled.append('serviceid', '5');
    misspelled.append('type', 'end-of-period');
    expect((await post('add-cancel-request', misspelled, auth)).status).toBe(422);
    expect(sim.cancelRequests.size).toBe(0);
  });

  test('without X-Requested-With an unauthenticated call is redirected to the login page', async () => {
    const form = new FormData();
    form.append('serviceid', '5');
    const plain = await fetch(`${sim.url}/api/v2/keliweb/get-clients-products`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(plain.status).toBe(302);
    const ajax = await post('get-clients-products', form, { 'x-requested-with': 'XMLHttpRequest' });
    expect(ajax).toEqual({ status: 401, body: { message: 'Unauthenticated.' } });
  });
});

describe('the flattened-key parser', () => {
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

  test('an item missing a required field is reported by its flattened key', () => {
    const parsed = parseFlattenedList(
      { 'products[product][0][id]': '1' },
      'products',
      'product',
      z.object({ id: z.string(), status: z.string() }),
    );
    expect(parsed).toEqual({ ok: false, problem: expect.stringContaining('products[product][0][status]') });
  });

  test('due dates become UTC midnight; WHMCS placeholders and impossible dates do not', () => {
    expect(keliwebDateToIso('2027-03-15')).toBe('2027-03-15T00:00:00.000Z');
    expect(keliwebDateToIso('0000-00-00')).toBeUndefined();
    expect(keliwebDateToIso('2027-02-30')).toBeUndefined();
    expect(keliwebDateToIso('')).toBeUndefined();
  });
});
