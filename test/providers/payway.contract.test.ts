import { createPaywayActivities, PAYWAY_LEVELS } from '../../activities/providers/payway';
import { type Confirmation, type SubmitCommand, type SubmitReceipt } from '../../activities/providers/types';
import { INVALID_ID_MESSAGE, PaywaySimulator } from '../../simulators/payway';
import { depsFor, detailsOf, failureOf } from '../support/provider-harness';

const CLIENT_ID = 'client-test';
const SECRET = 'pw_secret_do_not_leak_42';
const ACCOUNT = '585a4768edce2c5e6f000001';
const PRODUCT = '50f3ac249f6aef294d000007';
const VALID_TO = '2027-01-01T00:00:00.000Z';
const REASON = '24f26283220c48af88ebf2a8';

describe('Payway activities against the Payway simulator', () => {
  const sim = new PaywaySimulator({ clientId: CLIENT_ID, clientSecret: SECRET });
  let url: string;
  let acts: ReturnType<typeof createPaywayActivities>;
  const activities = (env: Record<string, string> = {}) =>
    createPaywayActivities(
      depsFor({ PAYWAY_BASE_URL: url, PAYWAY_CLIENT_ID: CLIENT_ID, PAYWAY_CLIENT_SECRET: SECRET, ...env }),
    );

  beforeAll(async () => {
    url = await sim.start();
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    sim.addAccount(ACCOUNT, [{ id: PRODUCT, valid_to: VALID_TO }]);
    sim.addReason({ id: REASON, name: 'Too expensive', code: 'price', integration_code: 'too_expensive' });
    sim.addReason({
      id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
      name: 'Other',
      code: 'other',
      integration_code: 'other',
    });
    acts = activities();
  });

  const target = { accountId: ACCOUNT, userProductId: PRODUCT };
  const command = (over: Partial<SubmitCommand<'payway'>> = {}): SubmitCommand<'payway'> => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target,
    effect: 'now',
    requestedBy: 'customer',
    ...over,
  });
  const query = (receipt: SubmitReceipt, effect: 'now' | 'end-of-period' = 'now') => ({
    requestId: 'req:1',
    workflowId: 'wf',
    target,
    effect,
    receipt,
  });
  const verifyQuery = (receipt: SubmitReceipt, confirmation: Confirmation) => ({
    ...query(receipt),
    confirmation,
  });
  const changes = () => sim.changesOf(PRODUCT).map((c) => c.change);

  test('submit asks for a token with client credentials, then sends the documented PUT', async () => {
    const receipt = await acts.submitCancellation(
      command({ target: { ...target, cancellationReasonId: REASON } }),
    );

    const [tokenCall, ...moreTokenCalls] = sim.calls('POST', '/api/authorization/access_token');
    expect(moreTokenCalls).toHaveLength(0);
    expect(tokenCall?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(tokenCall?.headers.accept).toBe('application/json');
    expect(tokenCall?.body).toEqual({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'none',
      scope: '/external/account/r /external/account/w',
    });

    const puts = sim.calls('PUT');
    expect(puts).toHaveLength(1);
    const put = puts[0]!;
    expect(put.path).toBe('/external/api/v1/accounts/cancel_product');
    expect(put.headers.authorization).toMatch(/^Bearer [0-9a-f]{48}$/);
    expect(put.contentType).toBe('application/json');
    expect(put.headers.accept).toBe('application/json');
    expect(put.body).toEqual({ id: ACCOUNT, user_product_id: PRODUCT, cancellation_reason_id: REASON });

    expect(receipt).toMatchObject({
      alreadyExisted: false,
      acknowledged: true,
      providerReference: { userProductId: PRODUCT, accountId: ACCOUNT, cancellationReasonId: REASON },
    });
    // The answer carries no date: the effective date comes from confirm's read.
    expect(receipt.effectiveAt).toBeUndefined();
    expect(sim.userProduct(ACCOUNT, PRODUCT)?.state).toBe('cancelled');
    expect(sim.writes(PRODUCT)).toHaveLength(1);
    expect(sim.writes()).toHaveLength(1); // the token call is not a write
    expect(changes()).toEqual(['cancelled']);
    expect(sim.cancellations).toEqual([
      expect.objectContaining({ accountId: ACCOUNT, userProductId: PRODUCT, cancellationReasonId: REASON }),
    ]);
  });

  test('the token is cached across calls', async () => {
    await acts.readPeriodEnd(target);
    await acts.submitCancellation(command());
    expect(sim.calls('POST', '/access_token')).toHaveLength(1);
    expect(
      new Set(
        sim
          .calls()
          .filter((c) => c.method !== 'POST')
          .map((c) => c.headers.authorization),
      ).size,
    ).toBe(1);
  });

  describe('reason mapping', () => {
    const sentReason = () => (sim.calls('PUT')[0]?.body as Record<string, unknown>).cancellation_reason_id;
    const reasonLookups = () => sim.calls('GET', '/cancellation_reasons');

    test('an explicit cancellationReasonId wins over configuration and lookup', async () => {
      const configured = activities({
        PAYWAY_REASON_IDS: JSON.stringify({ too_expensive: 'bbbbbbbbbbbbbbbbbbbbbbbb' }),
      });
      await configured.submitCancellation(
        command({ target: { ...target, cancellationReasonId: REASON }, reasonCode: 'too_expensive' }),
      );
      expect(sentReason()).toBe(REASON);
      expect(reasonLookups()).toHaveLength(0);
    });

    test('PAYWAY_REASON_IDS maps our reason code without a lookup', async () => {
      sim.addReason({ id: 'bbbbbbbbbbbbbbbbbbbbbbbb' });
      const configured = activities({
        PAYWAY_REASON_IDS: JSON.stringify({ too_expensive: 'bbbbbbbbbbbbbbbbbbbbbbbb' }),
      });
      const receipt = await configured.submitCancellation(command({ reasonCode: 'too_expensive' }));
      expect(sentReason()).toBe('bbbbbbbbbbbbbbbbbbbbbbbb');
      expect(receipt.providerReference.cancellationReasonId).toBe('bbbbbbbbbbbbbbbbbbbbbbbb');
      expect(reasonLookups()).toHaveLength(0);
    });

    test('otherwise the reason whose integration_code is our code is looked up', async () => {
      await acts.submitCancellation(command({ reasonCode: 'too_expensive' }));
      expect(reasonLookups()).toHaveLength(1);
      expect(reasonLookups()[0]?.headers.authorization).toMatch(/^Bearer /);
      expect(sentReason()).toBe(REASON);
    });

    test('a bare array of reasons is understood too', async () => {
      sim.addFault({
        method: 'GET',
        path: '/cancellation_reasons',
        fault: { kind: 'status', status: 200, body: [{ id: REASON, integration_code: 'unused' }] },
      });
      await acts.submitCancellation(command({ reasonCode: 'unused' }));
      expect(reasonLookups().map((r) => r.outcome)).toEqual(['fault 200']);
      expect(sentReason()).toBe(REASON);
    });

    test('no reason code, or no matching integration_code: the field is omitted (Payway default)', async () => {
      const receipt = await acts.submitCancellation(command());
      expect(sim.calls('PUT')[0]?.body).toEqual({ id: ACCOUNT, user_product_id: PRODUCT });
      expect(reasonLookups()).toHaveLength(0);
      // No reason id is recorded either (the key is absent, not undefined).
      expect(receipt.providerReference).toStrictEqual({ userProductId: PRODUCT, accountId: ACCOUNT });

      sim.addUserProduct(ACCOUNT, { id: 'p2' });
      await acts.submitCancellation(
        command({ target: { ...target, userProductId: 'p2' }, reasonCode: 'too_complex' }),
      );
      expect(reasonLookups()).toHaveLength(1);
      expect(sim.calls('PUT')[1]?.body).toEqual({ id: ACCOUNT, user_product_id: 'p2' });
      expect(sim.cancellations.map((c) => c.cancellationReasonId)).toEqual([null, null]);
    });

    test('a failed cancellation_reasons read fails the submit by its status, before any cancel', async () => {
      sim.addFault({ method: 'GET', path: '/cancellation_reasons', fault: { kind: 'status', status: 503 } });
      const f = await failureOf(() => acts.submitCancellation(command({ reasonCode: 'too_expensive' })));
      expect(reasonLookups().map((r) => r.outcome)).toEqual(['fault 503']);
      expect(f.type).toBe('ProviderUnavailable');
      expect(f.nonRetryable).toBe(false);
      expect(detailsOf(f)).toEqual({ provider: 'payway', status: 503 });
      expect(f.message).toBe('payway get cancellation_reasons: Injected failure');
      expect(sim.calls('PUT')).toHaveLength(0);
    });

    test('a PAYWAY_REASON_IDS that is not a JSON map fails fast, naming the variable', async () => {
      const broken = activities({ PAYWAY_REASON_IDS: '{not json' });
      const f = await failureOf(() => broken.submitCancellation(command({ reasonCode: 'other' })));
      expect(f.type).toBe('ProviderNotConfigured');
      expect(f.nonRetryable).toBe(true);
      expect(f.message).toContain('PAYWAY_REASON_IDS');
      expect(detailsOf(f)).toEqual({ provider: 'payway', field: 'PAYWAY_REASON_IDS' });
    });
  });

  describe('documented errors and their classification', () => {
    test('an account id of the wrong format: 400 invalid_parameter on field id, final', async () => {
      const f = await failureOf(() =>
        acts.submitCancellation(command({ target: { accountId: 'not-an-account', userProductId: PRODUCT } })),
      );
      expect(f.type).toBe('ProviderRejected');
      expect(f.nonRetryable).toBe(true);
      expect(detailsOf(f)).toEqual({
        provider: 'payway',
        status: 400,
        providerCode: 'invalid_parameter',
        field: 'id',
      });
      expect(f.message).toContain('Parameter must match format (/^[a-f\\d]{24}$/)');
      expect(sim.cancellations).toHaveLength(0);
    });

    test('an unknown account or user product: 404 not_found, final', async () => {
      for (const t of [
        { accountId: 'ffffffffffffffffffffffff', userProductId: PRODUCT },
        { accountId: ACCOUNT, userProductId: 'missing' },
      ]) {
        const f = await failureOf(() => acts.submitCancellation(command({ target: t })));
        expect(f.type).toBe('ProviderNotFound');
        expect(f.nonRetryable).toBe(true);
        expect(detailsOf(f)).toMatchObject({ status: 404, providerCode: 'not_found' });
      }
    });

    test.each([
      [{ provision_service: 'kayak' }, 'user_product_not_tulo_provisioned'],
      [{ packageAllowsCancellation: false }, 'package_does_not_allow_cancellation'],
      [{ subscription_type: 'limited' }, 'user_product_not_recurring'],
    ])('a product that may not be cancelled (%j): 409 %s, final', async (product, code) => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, ...product });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.type).toBe('ProviderConflict');
      expect(f.nonRetryable).toBe(true);
      expect(detailsOf(f)).toMatchObject({ status: 409, providerCode: code });
      expect(sim.userProduct(ACCOUNT, PRODUCT)?.state).toBe('active');
    });

    // The adapter never sends these malformed requests; the classification of each documented
    // answer is checked by replaying it, and the simulator's production of it just below.
    test.each([
      [
        400,
        { code: 'unknown_parameter', field: 'foo', message: 'Unknown parameter' },
        'ProviderRejected',
        true,
      ],
      [
        400,
        { code: 'json_parser_error', message: 'The request body could not be parsed' },
        'ProviderRejected',
        true,
      ],
      [
        400,
        { code: 'invalid_content_type_error', message: 'Not application/json' },
        'ProviderRejected',
        true,
      ],
      [
        500,
        { code: 'internal_server_error', message: 'Something unexpected happened' },
        'ProviderUnavailable',
        false,
      ],
    ])('HTTP %i %j is %s (nonRetryable %s)', async (status, body, type, nonRetryable) => {
      sim.addFault({ method: 'PUT', fault: { kind: 'status', status, body } });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(sim.calls('PUT').map((r) => r.outcome)).toEqual([`fault ${status}`]);
      expect(f.type).toBe(type);
      expect(f.nonRetryable).toBe(nonRetryable);
      expect(detailsOf(f)).toEqual({
        provider: 'payway',
        status,
        providerCode: body.code,
        ...('field' in body && { field: body.field }),
      });
      expect(f.message).toContain(`payway cancel_product: ${body.message}`);
    });

    test('the simulator answers malformed requests the documented way', async () => {
      const token = await getToken();
      const put = (body: string, contentType = 'application/json') =>
        fetch(`${url}/external/api/v1/accounts/cancel_product`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
          body,
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
      const valid = JSON.stringify({ id: ACCOUNT, user_product_id: PRODUCT });

      expect(await put(valid, 'text/plain')).toMatchObject({
        status: 400,
        body: { code: 'invalid_content_type_error' },
      });
      expect(await put('{"id": ')).toMatchObject({ status: 400, body: { code: 'json_parser_error' } });
      for (const notAnObject of ['null', '[]', '"x"'])
        expect(await put(notAnObject)).toMatchObject({ status: 400, body: { code: 'json_parser_error' } });
      expect(await put(JSON.stringify({ id: ACCOUNT, user_product_id: 7 }))).toMatchObject({
        status: 400,
        body: { code: 'invalid_parameter', field: 'user_product_id' },
      });
      expect(await put(JSON.stringify({ id: ACCOUNT, user_product_id: PRODUCT, note: 'x' }))).toMatchObject({
        status: 400,
        body: { code: 'unknown_parameter', field: 'note' },
      });
      expect(await put(JSON.stringify({ id: 'XYZ', user_product_id: PRODUCT }))).toEqual({
        status: 400,
        body: { code: 'invalid_parameter', field: 'id', message: INVALID_ID_MESSAGE },
      });
      expect(INVALID_ID_MESSAGE).toBe(String.raw`Parameter must match format (/^[a-f\d]{24}$/)`);
      // The documented pattern is case-insensitive.
      sim.addAccount(ACCOUNT.toUpperCase(), [{ id: PRODUCT }]);
      expect(await put(JSON.stringify({ id: ACCOUNT.toUpperCase(), user_product_id: PRODUCT }))).toEqual({
        status: 200,
        body: { id: PRODUCT },
      });
      expect(sim.cancellations).toHaveLength(1);
      // Refused writes are writes, never changes.
      expect(sim.writes().length).toBeGreaterThan(sim.changes.length);
      expect(sim.changes).toHaveLength(1);
    });

    test('429 is retryable after Retry-After seconds (an assumption: Payway documents no limits)', async () => {
      sim.addFault({ fault: { kind: 'rate-limit', retryAfterSeconds: 30 } });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(sim.requests[0]?.outcome).toBe('fault 429');
      expect(f.type).toBe('ProviderRateLimited');
      expect(f.nonRetryable).toBe(false);
      expect(detailsOf(f)).toMatchObject({ status: 429, providerCode: 'rate_limited' });
      expect(Number(f.nextRetryDelay)).toBe(30_000);
    });

    test('a hang past the timeout is retryable', async () => {
      sim.addFault({ method: 'PUT', fault: { kind: 'hang' } });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(sim.calls('PUT')[0]?.outcome).toBe('hang');
      expect(f.type).toBe('ProviderUnavailable');
      expect(f.nonRetryable).toBe(false);
    });

    test('a 200 that names another user product is a protocol error, not an acknowledgement', async () => {
      const other = 'ffffffffffffffffffffffff';
      sim.addFault({ method: 'PUT', fault: { kind: 'status', status: 200, body: { id: other } } });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.type).toBe('ProviderProtocolError');
      expect(f.nonRetryable).toBe(false);
      expect(f.message).toBe(
        `payway cancel_product: unexpected answer (HTTP 200): cancelled user product ${other}, not ours`,
      );
    });

    test('an answer that does not match the documented shape is a protocol error', async () => {
      sim.addFault({ method: 'PUT', fault: { kind: 'status', status: 200, body: '<html>proxy</html>' } });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.type).toBe('ProviderProtocolError');
      expect(f.nonRetryable).toBe(false);

      sim.addFault({
        method: 'GET',
        path: '/userproducts/',
        fault: { kind: 'status', status: 200, body: { items: [{}] } },
      });
      expect((await failureOf(() => acts.readPeriodEnd(target))).type).toBe('ProviderProtocolError');
      expect(sim.calls('PUT')[0]?.outcome).toBe('fault 200');
      expect(sim.calls('GET', '/userproducts/')[0]?.outcome).toBe('fault 200');
    });
  });

  describe('cancelling twice never cancels twice', () => {
    test('a product already cancelled counts as done, but the refusal is no acknowledgement', async () => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, state: 'cancelled', valid_to: VALID_TO });
      const receipt = await acts.submitCancellation(command());
      expect(receipt).toMatchObject({
        alreadyExisted: true,
        acknowledged: false,
        effectiveAt: VALID_TO,
        providerReference: { userProductId: PRODUCT, accountId: ACCOUNT, state: 'cancelled' },
      });
      expect(sim.calls('PUT')[0]?.outcome).toBe('409');
      expect(sim.cancellations).toHaveLength(0);
      expect(sim.writes(PRODUCT)).toHaveLength(1);
      expect(changes()).toEqual([]);
      expect((await acts.confirmCancellation(query(receipt))).level).toBe('scheduled');
    });

    test('a lost response, retried, leaves exactly one cancellation', async () => {
      sim.addFault({ method: 'PUT', fault: { kind: 'lost-response' } });
      const lost = await failureOf(() => acts.submitCancellation(command({ reasonCode: 'too_expensive' })));
      expect(lost.type).toBe('ProviderUnavailable');
      expect(lost.nonRetryable).toBe(false);

      const retried = await acts.submitCancellation(command({ reasonCode: 'too_expensive' }));
      expect(retried).toMatchObject({ alreadyExisted: true, acknowledged: false, effectiveAt: VALID_TO });
      expect(sim.calls('PUT').map((r) => r.outcome)).toEqual(['lost-response (handler answered 200)', '409']);
      expect(sim.writes(PRODUCT)).toHaveLength(2);
      expect(changes()).toEqual(['cancelled']);
      // One reason lookup per submit, never more.
      expect(sim.calls('GET', '/cancellation_reasons')).toHaveLength(2);
      expect(sim.cancellations).toHaveLength(1);
      expect(sim.cancellations[0]?.cancellationReasonId).toBe(REASON);
    });

    test('a lost response, then a failed read after the refusal: a retryable failure, not a final conflict', async () => {
      sim.addFault({ method: 'PUT', fault: { kind: 'lost-response' } });
      await failureOf(() => acts.submitCancellation(command()));
      sim.addFault({ method: 'GET', path: '/userproducts/', fault: { kind: 'status', status: 503 } });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(sim.calls('PUT').map((r) => r.outcome)).toEqual(['lost-response (handler answered 200)', '409']);
      expect(sim.calls('GET', '/userproducts/').map((r) => r.outcome)).toEqual(['fault 503']);
      expect({ type: f.type, nonRetryable: f.nonRetryable }).toEqual({
        type: 'ProviderUnavailable',
        nonRetryable: false,
      });
      // The next attempt reads and finds it done.
      await expect(acts.submitCancellation(command())).resolves.toMatchObject({ alreadyExisted: true });
      expect(changes()).toEqual(['cancelled']);
    });

    // The product is cancelled already in the three tests below: only a refusal that is not about
    // the request's shape may be explained by the read.
    test('a malformed-request refusal is final even when the product is cancelled: no read', async () => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, state: 'cancelled', valid_to: VALID_TO });
      sim.addFault({
        method: 'PUT',
        fault: {
          kind: 'status',
          status: 400,
          body: { code: 'invalid_parameter', field: 'user_product_id', message: 'Invalid parameter' },
        },
      });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.type).toBe('ProviderRejected');
      expect(f.nonRetryable).toBe(true);
      expect(detailsOf(f)).toMatchObject({ status: 400, providerCode: 'invalid_parameter' });
      expect(sim.calls('GET', '/userproducts/')).toHaveLength(0);
    });

    test("a 5xx on the cancel is retried as it is; the retry's refusal is what the read explains", async () => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, state: 'cancelled', valid_to: VALID_TO });
      sim.addFault({ method: 'PUT', fault: { kind: 'status', status: 500 } });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.type).toBe('ProviderUnavailable');
      expect(f.nonRetryable).toBe(false);
      expect(sim.calls('GET', '/userproducts/')).toHaveLength(0);

      await expect(acts.submitCancellation(command())).resolves.toMatchObject({ alreadyExisted: true });
      expect(sim.calls('PUT').map((r) => r.outcome)).toEqual(['fault 500', '409']);
    });

    test.each([
      [400, { code: 'user_product_already_cancelled', message: 'Already cancelled' }],
      [409, { message: 'Conflict' }],
    ])('a %i refusal %j that a read shows cancelled counts as done', async (status, body) => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, state: 'cancelled', valid_to: VALID_TO });
      sim.addFault({ method: 'PUT', fault: { kind: 'status', status, body } });
      const receipt = await acts.submitCancellation(command());
      expect(receipt).toMatchObject({ alreadyExisted: true, acknowledged: false, effectiveAt: VALID_TO });
      expect(sim.calls('GET', '/userproducts/')).toHaveLength(1);
    });

    test('a 409 for another reason is not mistaken for "already cancelled"', async () => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, provision_service: 'kayak' });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.type).toBe('ProviderConflict');
      expect(sim.calls('GET', '/userproducts/')).toHaveLength(1);
    });
  });

  describe('tokens', () => {
    test('a token expiring mid-run: 401, a fresh token, the call retried once and succeeding', async () => {
      const receipt = await acts.submitCancellation(command());
      sim.expireTokens();
      const confirmation = await acts.confirmCancellation(query(receipt));
      expect(confirmation).toMatchObject({ level: 'scheduled', providerState: 'user product cancelled' });

      const reads = sim.calls('GET', '/userproducts/');
      expect(reads.map((r) => r.outcome)).toEqual(['401', '200']);
      expect(reads[0]?.headers.authorization).not.toBe(reads[1]?.headers.authorization);
      expect(sim.calls('POST', '/access_token')).toHaveLength(2);
    });

    test('a second 401 is final and shows neither the secret nor a token', async () => {
      sim.addFault({
        method: 'PUT',
        fault: { kind: 'status', status: 401, body: { message: 'Unauthorized' } },
        times: 2,
      });
      const f = await failureOf(() => acts.submitCancellation(command()));
      expect(f.type).toBe('ProviderAuthFailed');
      expect(f.nonRetryable).toBe(true);
      expect(sim.calls('PUT').map((r) => r.outcome)).toEqual(['fault 401', 'fault 401']);
      const shown = JSON.stringify({ m: f.message, d: f.details, s: f.stack });
      expect(shown).not.toContain(SECRET);
      for (const put of sim.calls('PUT'))
        expect(shown).not.toContain(String(put.headers.authorization).slice(7));
    });

    test('wrong client credentials are refused, and the secret never shows in the error', async () => {
      const wrong = activities({ PAYWAY_CLIENT_SECRET: 'nope-wrong-secret' });
      const f = await failureOf(() => wrong.submitCancellation(command()));
      expect(f.type).toBe('ProviderAuthFailed');
      expect(f.nonRetryable).toBe(true);
      expect(detailsOf(f)).toMatchObject({ status: 401, providerCode: 'invalid_client' });
      expect(f.message).toMatch(/^payway get access token: /);
      expect(JSON.stringify({ m: f.message, d: f.details })).not.toContain('nope-wrong-secret');
      expect(sim.calls('PUT')).toHaveLength(0);
    });

    test('the simulator checks grant_type and only allows the scopes a token was issued with', async () => {
      const grant = await tokenRequest({ grant_type: 'client_credentials' });
      expect(grant.status).toBe(400);

      const readOnly = (await (await tokenRequest({ scope: '/external/account/r' })).json()) as {
        access_token: string;
      };
      const put = await fetch(`${url}/external/api/v1/accounts/cancel_product`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${readOnly.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: ACCOUNT, user_product_id: PRODUCT }),
      });
      expect(put.status).toBe(403);
      const get = await fetch(`${url}/external/api/v1/userproducts/${ACCOUNT}`, {
        headers: { authorization: `Bearer ${readOnly.access_token}` },
      });
      expect(get.status).toBe(200);
      const none = await fetch(`${url}/external/api/v1/userproducts/${ACCOUNT}`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { message: string }).message).toBeTruthy();
      expect(sim.cancellations).toHaveLength(0);
      expect(sim.issuedScopes).toEqual([['/external/account/r']]);
    });
  });

  test('missing settings fail fast, naming the variable', async () => {
    const unconfigured = createPaywayActivities(depsFor({ PAYWAY_BASE_URL: url }));
    for (const run of [
      () => unconfigured.submitCancellation(command()),
      () => unconfigured.readPeriodEnd(target),
    ]) {
      const f = await failureOf(run);
      expect(f.type).toBe('ProviderNotConfigured');
      expect(f.nonRetryable).toBe(true);
      expect(f.message).toContain('PAYWAY_CLIENT_ID');
      expect(f.message).toContain('PAYWAY_CLIENT_SECRET');
    }
    expect(sim.requests).toHaveLength(0);
  });

  describe('confirm and readPeriodEnd', () => {
    const receipt: SubmitReceipt = {
      submittedAt: '2026-01-01T00:00:00.000Z',
      alreadyExisted: false,
      acknowledged: true,
      providerReference: {},
    };

    test('confirm waits (retryably) until the product is cancelled, then `scheduled` at valid_to', async () => {
      const early = await failureOf(() => acts.confirmCancellation(query(receipt)));
      expect(early.type).toBe('CancellationNotYetConfirmed');
      expect(early.nonRetryable).toBe(false);
      expect(early.message).toBe(`payway: user product ${PRODUCT} is still active`);

      await acts.submitCancellation(command());
      const writes = sim.writes().length;
      const confirmation = await acts.confirmCancellation(query(receipt));
      expect(sim.writes()).toHaveLength(writes);
      expect(confirmation).toMatchObject({
        level: 'scheduled',
        providerState: 'user product cancelled',
        effectiveAt: VALID_TO,
        providerReference: { userProductId: PRODUCT, accountId: ACCOUNT, state: 'cancelled' },
      });
      const [read] = sim.calls('GET', '/userproducts/');
      expect(read?.path).toBe(`/external/api/v1/userproducts/${ACCOUNT}`);
    });

    test('a deactivated product is `effective`; one that is gone is not found', async () => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, state: 'deactivated', valid_to: VALID_TO });
      expect(await acts.confirmCancellation(query(receipt))).toMatchObject({
        level: 'effective',
        providerState: 'user product deactivated',
        effectiveAt: VALID_TO,
      });
      const f = await failureOf(() =>
        acts.confirmCancellation({ ...query(receipt), target: { ...target, userProductId: 'gone' } }),
      );
      expect(f.type).toBe('ProviderNotFound');
      expect(f.nonRetryable).toBe(true);
      // The read answered 200, just without that product.
      expect(detailsOf(f)).toEqual({ provider: 'payway', status: 200 });
      expect(f.message).toBe(`payway get userproducts: user product gone is not on account ${ACCOUNT}`);
    });

    test('a cancelled product without valid_to is `scheduled` with its date left out, not guessed', async () => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, state: 'cancelled', valid_to: null });
      const submitted = await acts.submitCancellation(command());
      expect(submitted).toMatchObject({ alreadyExisted: true, acknowledged: false });
      expect(submitted).not.toHaveProperty('effectiveAt');

      const confirmation = await acts.confirmCancellation(query(submitted));
      expect(confirmation).toStrictEqual({
        level: 'scheduled',
        observedAt: expect.any(String),
        providerState: 'user product cancelled',
        providerReference: { userProductId: PRODUCT, accountId: ACCOUNT, state: 'cancelled' },
      });
    });

    test('readPeriodEnd reads valid_to', async () => {
      await expect(acts.readPeriodEnd(target)).resolves.toEqual({
        periodEnd: VALID_TO,
        source: 'userproducts.valid_to',
      });
    });

    test('readPeriodEnd without valid_to is a final PERIOD_END_UNKNOWN', async () => {
      sim.addUserProduct(ACCOUNT, { id: PRODUCT, valid_to: null });
      const f = await failureOf(() => acts.readPeriodEnd(target));
      expect(f.type).toBe('PeriodEndUnknown');
      expect(f.nonRetryable).toBe(true);
      expect(f.message).toBe(`payway: user product ${PRODUCT} has no valid_to (state active)`);
    });
  });

  describe('levels, the provider clock and verification', () => {
    test.each(['now', 'end-of-period'] as const)(
      'effect %s: one write, the cancel takes effect at the next renewal (valid_to)',
      async (effect) => {
        const receipt = await acts.submitCancellation(command({ effect }));
        expect(receipt).toMatchObject({ acknowledged: true, alreadyExisted: false });
        expect(sim.writes(PRODUCT)).toHaveLength(1);
        const confirmation = await acts.confirmCancellation(query(receipt, effect));
        expect(confirmation).toMatchObject({ level: 'scheduled', effectiveAt: VALID_TO });
        const reading = await acts.verifyCancellation(verifyQuery(receipt, confirmation));
        expect(reading).toMatchObject({ status: 'not-applied', providerState: 'user product cancelled' });
        expect(sim.writes(PRODUCT)).toHaveLength(1);
        expect(changes()).toEqual(['cancelled']);
      },
    );

    test('once the provider clock passes valid_to the product is deactivated: effective, verified', async () => {
      const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
      const scheduled = await acts.confirmCancellation(query(receipt, 'end-of-period'));
      sim.setNow('2027-01-01T00:00:01.000Z');
      const confirmation = await acts.confirmCancellation(query(receipt, 'end-of-period'));
      expect(confirmation).toMatchObject({
        level: 'effective',
        providerState: 'user product deactivated',
        effectiveAt: VALID_TO,
      });
      const reading = await acts.verifyCancellation(verifyQuery(receipt, scheduled));
      expect(reading).toMatchObject({ status: 'verified', providerState: 'user product deactivated' });
      expect(Date.parse(reading.checkedAt)).not.toBeNaN();
      expect(sim.writes(PRODUCT)).toHaveLength(1);
      expect(changes()).toEqual(['cancelled', 'deactivated']);
    });

    test('a provider whose automation forgets renews the product instead: not-applied', async () => {
      const receipt = await acts.submitCancellation(command({ effect: 'end-of-period' }));
      const confirmation = await acts.confirmCancellation(query(receipt, 'end-of-period'));
      sim.automation = 'forgets';
      sim.setNow('2027-01-01T00:00:01.000Z');
      const reading = await acts.verifyCancellation(verifyQuery(receipt, confirmation));
      expect(reading).toMatchObject({ status: 'not-applied', providerState: 'user product active' });
      expect(sim.userProduct(ACCOUNT, PRODUCT)).toMatchObject({
        state: 'active',
        valid_to: '2027-02-01T00:00:00.000Z',
      });
      expect(changes()).toEqual(['cancelled', 'renewed']);
      expect(sim.writes(PRODUCT)).toHaveLength(1);
    });

    test('an active product renews when its period passes: valid_to moves a period on', async () => {
      sim.setNow('2027-01-15T00:00:00.000Z');
      await expect(acts.readPeriodEnd(target)).resolves.toMatchObject({
        periodEnd: '2027-02-01T00:00:00.000Z',
      });
      expect(changes()).toEqual(['renewed']);
      expect(sim.writes()).toHaveLength(0);
    });

    test('the levels Payway can reach are stated once: scheduled and effective, never accepted', () => {
      expect(Object.keys(PAYWAY_LEVELS).sort()).toEqual(['effective', 'scheduled', 'verification']);
    });
  });

  test('the control API seeds, dumps and resets state; reactivate undoes a cancel', async () => {
    sim.reset();
    const seeded = await fetch(`${url}/__sim/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accounts: [{ id: ACCOUNT, userProducts: [{ id: PRODUCT, valid_to: VALID_TO }] }],
        reasons: [{ id: REASON, integration_code: 'other' }],
      }),
    });
    expect(seeded.status).toBe(200);
    await acts.submitCancellation(command({ reasonCode: 'other' }));

    const state = (await (await fetch(`${url}/__sim/state`)).json()) as ReturnType<
      PaywaySimulator['dumpState']
    >;
    expect(state.accounts[0]?.userProducts[0]).toMatchObject({ id: PRODUCT, state: 'cancelled' });
    expect(state.cancellations).toEqual([
      expect.objectContaining({ userProductId: PRODUCT, cancellationReasonId: REASON }),
    ]);

    const token = await getToken('/external/subscription_system/w');
    const reactivated = await fetch(
      `${url}/external/api/v1/subscription_system/reactivate_payway_provisioned_subscription`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ account_id: ACCOUNT, user_product_id: PRODUCT }),
      },
    );
    expect(reactivated.status).toBe(200);
    expect(sim.userProduct(ACCOUNT, PRODUCT)?.state).toBe('active');
    expect(sim.writes(PRODUCT).map((w) => w.path)).toEqual([
      '/external/api/v1/accounts/cancel_product',
      '/external/api/v1/subscription_system/reactivate_payway_provisioned_subscription',
    ]);
    expect(changes()).toEqual(['cancelled', 'reactivated']);

    await fetch(`${url}/__sim/reset`, { method: 'POST' });
    expect(sim.dumpState()).toEqual({ accounts: [], reasons: [], cancellations: [] });
  });

  function tokenRequest(over: Record<string, string> = {}) {
    return fetch(`${url}/api/authorization/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: CLIENT_ID,
        client_secret: SECRET,
        grant_type: 'none',
        scope: '/external/account/r /external/account/w',
        ...over,
      }),
    });
  }
  async function getToken(scope?: string): Promise<string> {
    const res = await tokenRequest(scope ? { scope } : {});
    return ((await res.json()) as { access_token: string }).access_token;
  }
});
