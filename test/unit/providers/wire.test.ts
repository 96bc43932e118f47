import { type Response } from 'got';
import {
  BundlesSchema,
  TokenSchema as BillingCareTokenSchema,
  bundlesOf,
  cancelAnswer,
  cancelBody,
  describeBundle,
  descriptionOf,
  sameInstant,
} from '../../../activities/providers/billing-care-wire';
import {
  ReasonsSchema,
  outcomeOf as paywayOutcomeOf,
  validTo,
  UserProductsSchema,
} from '../../../activities/providers/payway-wire';
import {
  iso,
  outcomeOf as rebillyOutcomeOf,
  rebillyCancellationId,
  upsertBody,
} from '../../../activities/providers/rebilly-wire';
import { type SubmitCommand } from '../../../activities/providers/types';

// outcomeOf reads only statusCode, body and headers; a whole got Response is not needed for that.
const answer = (statusCode: number, body: string, headers: Record<string, string> = {}) =>
  ({ statusCode, body, headers }) as Response<string>;
const NOW = new Date('2030-01-01T00:00:00Z');

const ACCOUNT = '0.0.0.1+-account+1';
const bcCommand = (extra: Partial<SubmitCommand<'billing-care'>> = {}): SubmitCommand<'billing-care'> => ({
  requestId: 'r-1',
  workflowId: 'wf',
  target: { accountId: ACCOUNT, dealId: '0.0.0.1+-deal+2' },
  effect: 'now',
  requestedBy: 'merchant',
  ...extra,
});

describe('Billing Care wire format', () => {
  test('the description always records the reason, who asked and which request', () => {
    expect(descriptionOf(bcCommand({ reasonCode: 'unused', comment: 'moving' }))).toBe(
      'Cancelled: not used | moving | requested by merchant | request r-1',
    );
    expect(descriptionOf(bcCommand())).toBe('Cancelled: other | requested by merchant | request r-1');
    const long = descriptionOf(bcCommand({ reasonCode: 'switched_service', comment: 'x'.repeat(400) }));
    expect(long).toHaveLength(255);
    expect(long.startsWith('Cancelled: switched to another service | ')).toBe(true);
    expect(long.endsWith('… | requested by merchant | request r-1')).toBe(true);
  });

  test('the cancel body names only the refs it has, as ResourceRefs', () => {
    expect(
      cancelBody(bcCommand(), { serviceId: 'svc', packageId: 0 }, '2030-02-01T00:00:00.000Z'),
    ).toStrictEqual({
      accountRef: { id: ACCOUNT, uri: null },
      serviceRef: { id: 'svc', uri: null },
      dealRef: { id: '0.0.0.1+-deal+2', uri: null },
      packageId: 0,
      description: 'Cancelled: other | requested by merchant | request r-1',
      effective: '2030-02-01T00:00:00.000Z',
    });
    expect(
      cancelBody(bcCommand({ target: { accountId: ACCOUNT, packageId: 3 } }), {}, '2030-02-01T00:00:00.000Z'),
    ).toStrictEqual({
      accountRef: { id: ACCOUNT, uri: null },
      description: 'Cancelled: other | requested by merchant | request r-1',
      effective: '2030-02-01T00:00:00.000Z',
    });
  });

  test.each([
    ['true', true],
    [' { true } ', true],
    ['"TRUE"', true],
    ['{"result": true}', true],
    ['false', false],
    ['{false}', false],
    ['"false"', false],
    ['{ "result" : false }', false],
    ['', undefined],
    ['ok', undefined],
    ['{"result":"true"}', undefined],
  ])('the cancel answer %p means %p', (body, meaning) => {
    expect(cancelAnswer(body)).toBe(meaning);
  });

  test('bundles: ids and package ids as text, service bare or as a ref, dates in UTC', () => {
    expect(
      BundlesSchema.parse([
        {
          bundleId: 7,
          name: 'Fibre',
          packageId: 3,
          validTo: '2030-02-01T01:00:00+01:00',
          service: { id: 's' },
          x: 1,
        },
        { bundleId: 'b', packageId: '4', validTo: null, service: 's2' },
      ]),
    ).toStrictEqual([
      { bundleId: '7', name: 'Fibre', packageId: '3', validTo: '2030-02-01T00:00:00.000Z', service: 's' },
      { bundleId: 'b', packageId: '4', validTo: null, service: 's2' },
    ]);
    expect(BundlesSchema.safeParse([{ validTo: 'someday' }]).success).toBe(false);
    expect(BundlesSchema.safeParse({ bundles: [] }).success).toBe(false);
  });

  test('the target names bundles by service and package; a deal alone names them all', () => {
    const bundles = BundlesSchema.parse([
      { bundleId: '1', packageId: 3, service: 's1' },
      { bundleId: '2', packageId: 4, service: 's1' },
      { bundleId: '3', packageId: 3, service: 's2' },
    ]);
    const ids = (target: Parameters<typeof bundlesOf>[0]) =>
      bundlesOf(target, bundles).map((b) => b.bundleId);
    expect(ids({ accountId: ACCOUNT, serviceId: 's1' })).toEqual(['1', '2']);
    expect(ids({ accountId: ACCOUNT, packageId: 3 })).toEqual(['1', '3']);
    expect(ids({ accountId: ACCOUNT, serviceId: 's1', packageId: 3 })).toEqual(['1']);
    expect(ids({ accountId: ACCOUNT, dealId: 'd' })).toEqual(['1', '2', '3']);
  });

  test('sameInstant compares instants, not texts, and nothing equals a missing date', () => {
    expect(sameInstant('2030-02-01T00:00:00Z', '2030-02-01T01:00:00+01:00')).toBe(true);
    expect(sameInstant('2030-02-01T00:00:00Z', '2030-02-01T00:00:01Z')).toBe(false);
    expect(sameInstant(null, null)).toBe(false);
    expect(sameInstant(undefined, '2030-02-01T00:00:00Z')).toBe(false);
    expect(sameInstant('2030-02-01T00:00:00Z', null)).toBe(false);
  });

  test('describeBundle', () => {
    expect(describeBundle({ bundleId: '7', name: 'Fibre' })).toBe('bundle 7 (Fibre)');
    expect(describeBundle({})).toBe('bundle ?');
  });

  test('token: expires_in defaults to an hour and must be positive', () => {
    expect(BillingCareTokenSchema.parse({ access_token: 't' }).expires_in).toBe(3600);
    expect(BillingCareTokenSchema.parse({ access_token: 't', expires_in: '60' }).expires_in).toBe(60);
    expect(BillingCareTokenSchema.safeParse({ access_token: '', expires_in: 60 }).success).toBe(false);
    expect(BillingCareTokenSchema.safeParse({ access_token: 't', expires_in: 0 }).success).toBe(false);
  });
});

describe('Payway wire format', () => {
  test('an error answer keeps its code, field and message', () => {
    expect(
      paywayOutcomeOf('cancel', answer(409, '{"code":"already_cancelled","field":"id","message":"no"}'), NOW),
    ).toStrictEqual({
      provider: 'payway',
      operation: 'cancel',
      status: 409,
      message: 'no',
      providerCode: 'already_cancelled',
      field: 'id',
    });
  });

  test('a body that is not an error object says only the status; Retry-After is in seconds', () => {
    expect(paywayOutcomeOf('read', answer(429, '<html>', { 'retry-after': '3' }), NOW)).toStrictEqual({
      provider: 'payway',
      operation: 'read',
      status: 429,
      message: 'HTTP 429',
      retryAfterMs: 3000,
    });
    expect(paywayOutcomeOf('read', answer(500, '{"code":7}'), NOW)).toStrictEqual({
      provider: 'payway',
      operation: 'read',
      status: 500,
      message: 'HTTP 500',
    });
  });

  test('valid_to in UTC, when there is one', () => {
    const [withDate, without] = UserProductsSchema.parse({
      items: [
        { id: 'a', state: 'cancelled', valid_to: '2030-02-01T01:00:00+01:00' },
        { id: 'b', state: 'active', valid_to: null },
      ],
    }).items;
    expect(withDate && validTo(withDate)).toBe('2030-02-01T00:00:00.000Z');
    expect(without && validTo(without)).toBeUndefined();
    expect(UserProductsSchema.safeParse({ items: [{ id: 'a', state: 'x', valid_to: 'soon' }] }).success).toBe(
      false,
    );
  });

  test('reasons come as a bare array or in an items envelope', () => {
    const reason = { id: 'r1', integration_code: 'unused' };
    expect(ReasonsSchema.parse([reason])).toEqual([reason]);
    expect(ReasonsSchema.parse({ items: [reason] })).toEqual([reason]);
  });
});

describe('Rebilly wire format', () => {
  test('the cancellation id is derived from the request id, within 50 characters of [@~-.\\w]', () => {
    expect(rebillyCancellationId('r-1')).toBe('cxl-r-1');
    expect(rebillyCancellationId('a:b:c')).toBe('cxl-a~b~c');
    const fits = 'x'.repeat(46);
    expect(rebillyCancellationId(fits)).toBe(`cxl-${fits}`);
    const long = rebillyCancellationId('x'.repeat(47));
    expect(long).toMatch(/^cxl-[0-9a-f]{46}$/);
    expect(long).toBe(rebillyCancellationId('x'.repeat(47)));
    expect(long).not.toBe(rebillyCancellationId('y'.repeat(47)));
  });

  const rbCommand = (extra: Partial<SubmitCommand<'rebilly'>> = {}): SubmitCommand<'rebilly'> => ({
    requestId: 'r-1',
    workflowId: 'wf',
    target: { orderId: 'ord-1' },
    effect: 'now',
    requestedBy: 'customer',
    ...extra,
  });

  test('the upsert body uses documented fields and values', () => {
    expect(upsertBody(rbCommand({ reasonCode: 'unused', comment: 'moving' }))).toStrictEqual({
      orderId: 'ord-1',
      churnTimePolicy: 'now',
      canceledBy: 'customer',
      reason: 'did-not-use',
      prorated: false,
      description: 'moving | requested by customer | request r-1',
    });
    expect(
      upsertBody(
        rbCommand({
          effect: 'end-of-period',
          requestedBy: 'system',
          target: { orderId: 'o', prorated: true },
        }),
      ),
    ).toStrictEqual({
      orderId: 'o',
      churnTimePolicy: 'at-next-renewal',
      canceledBy: 'merchant',
      reason: 'other',
      prorated: true,
      description: 'requested by system | request r-1',
    });
  });

  test.each([
    ['too_expensive', 'too-expensive'],
    ['unused', 'did-not-use'],
    ['missing_features', 'missing-features'],
    ['switched_service', 'did-not-want'],
    ['low_quality', 'bugs-or-problems'],
    ['customer_service', 'other'],
    ['too_complex', 'other'],
    ['billing_failure', 'billing-failure'],
    ['other', 'other'],
  ] as const)('reason %s is sent as %s', (code, reason) => {
    expect(upsertBody(rbCommand({ reasonCode: code })).reason).toBe(reason);
  });

  test('an RFC 7807 problem: title as code, first invalid field named', () => {
    const body = JSON.stringify({
      title: 'Invalid data',
      detail: 'The request is invalid',
      invalidFields: [
        { field: 'orderId', message: 'already canceled' },
        { field: 'reason', message: 'x' },
      ],
    });
    expect(rebillyOutcomeOf('upsert', answer(422, body), NOW)).toStrictEqual({
      provider: 'rebilly',
      operation: 'upsert',
      status: 422,
      message: 'The request is invalid: already canceled',
      field: 'orderId',
      providerCode: 'Invalid data',
    });
    expect(
      rebillyOutcomeOf(
        'upsert',
        answer(422, JSON.stringify({ invalidFields: [{ field: 'f', message: 'm' }] })),
        NOW,
      ).message,
    ).toBe('invalid request: m');
    expect(rebillyOutcomeOf('read', answer(404, JSON.stringify({ title: 'Not found' })), NOW)).toStrictEqual({
      provider: 'rebilly',
      operation: 'read',
      status: 404,
      message: 'Not found',
      providerCode: 'Not found',
    });
  });

  test('no problem body: the status speaks; the retry hint is an instant in Unix seconds', () => {
    const at = String(NOW.getTime() / 1000 + 20);
    expect(rebillyOutcomeOf('read', answer(429, '', { 'x-ratelimit-retry-after': at }), NOW)).toStrictEqual({
      provider: 'rebilly',
      operation: 'read',
      status: 429,
      message: 'HTTP 429',
      retryAfterMs: 20_000,
    });
    expect(rebillyOutcomeOf('read', answer(503, '{"detail":7}'), NOW).message).toBe('HTTP 503');
  });

  test('iso keeps the instant, in UTC', () => {
    expect(iso('2030-02-01T01:00:00+01:00')).toBe('2030-02-01T00:00:00.000Z');
  });
});
