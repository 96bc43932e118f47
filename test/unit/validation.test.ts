import {
  InvalidRequestError,
  checkCancellationRequest,
  checkReschedule,
  checkWithdraw,
  fieldPath,
  orThrow,
  parseCancellationRequest,
} from '../../common/validation';
import { CancellationRequestSchema, RunOptionsSchema, providers, reasonCodes } from '../../common/request';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const base = {
  requestId: 'r-1',
  provider: 'keliweb',
  target: { serviceId: 42 },
  timing: { mode: 'immediate' },
};
const ACCOUNT = '0.0.0.1+-account+174257';

/** The issues of a request, or [] when it is valid. */
const issuesOf = (input: unknown) => {
  const r = checkCancellationRequest(input, NOW);
  return r.ok ? [] : r.issues;
};
/** The distinct fields with issues (an empty string breaks both the length and the pattern rule). */
const fieldsOf = (input: unknown) => [...new Set(issuesOf(input).map((i) => i.field))];
const valid = (input: unknown) => checkCancellationRequest(input, NOW).ok;
const withTarget = (provider: string, target: unknown) => ({ ...base, provider, target });

describe('fieldPath', () => {
  test('dots for keys, brackets for indexes', () => {
    expect(fieldPath(['target', 'accountId'])).toBe('target.accountId');
    expect(fieldPath(['items', 0, 'id'])).toBe('items[0].id');
    expect(fieldPath([0])).toBe('[0]');
    expect(fieldPath(['a'])).toBe('a');
    expect(fieldPath([])).toBe('');
    expect(fieldPath([Symbol('s')])).toBe('Symbol(s)');
  });
});

describe('checkCancellationRequest: the issues name the field', () => {
  test('a valid request gets its defaults', () => {
    const r = checkCancellationRequest(
      { ...base, timing: { mode: 'end-of-billing-period' }, reason: { code: 'unused' } },
      NOW,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        ...base,
        timing: { mode: 'end-of-billing-period', deferTo: 'orchestrator' },
        reason: { code: 'unused' },
        requestedBy: 'customer',
      },
    });
  });

  test('an unknown field is named, at the top and inside the target', () => {
    expect(issuesOf({ ...base, periodend: 'x' })).toEqual([
      { field: 'periodend', message: 'unknown field (allowed fields are listed in the request schema)' },
    ]);
    expect(fieldsOf(withTarget('keliweb', { serviceId: 1, planId: 2 }))).toEqual(['target.planId']);
  });

  test('an unknown provider or timing mode names the discriminator', () => {
    expect(fieldsOf({ ...base, provider: 'stripe' })).toEqual(['provider']);
    expect(fieldsOf({ ...base, timing: { mode: 'later' } })).toEqual(['timing.mode']);
  });

  test('a request that is not an object is reported on the request itself', () => {
    expect(fieldsOf(null)).toEqual(['(request)']);
  });

  test('every issue is reported, not only the first', () => {
    expect(fieldsOf({ ...base, requestId: '', reason: { comment: 'x'.repeat(256) } })).toEqual([
      'requestId',
      'reason.comment',
    ]);
  });

  test('dates are checked against the given clock, with the field that holds them', () => {
    expect(issuesOf({ ...base, timing: { mode: 'at', at: '2029-12-31T23:00:00Z' } })).toEqual([
      { field: 'timing.at', message: 'must not be in the past (5 minutes of clock skew are allowed)' },
    ]);
    expect(
      fieldsOf({ ...base, timing: { mode: 'end-of-billing-period', periodEnd: '2036-01-01T00:00:00Z' } }),
    ).toEqual(['timing.periodEnd']);
    expect(valid({ ...base, timing: { mode: 'at', at: '2030-06-01T00:00:00+02:00' } })).toBe(true);
  });

  test('dates outside 2000..2100 are refused by the schema whatever the clock', () => {
    const early = checkCancellationRequest(
      { ...base, timing: { mode: 'at', at: '1999-12-31T23:59:59Z' } },
      0,
    );
    expect(early).toEqual({
      ok: false,
      issues: [{ field: 'timing.at', message: 'must be between 2000-01-01 and 2100-01-01' }],
    });
    const at = (iso: string) => ({ ...base, timing: { mode: 'at', at: iso } });
    const farNow = Date.parse('2099-06-01T00:00:00Z');
    expect(checkCancellationRequest(at('2000-01-01T00:00:00Z'), Date.parse('2000-01-01T00:00:00Z')).ok).toBe(
      true,
    );
    expect(checkCancellationRequest(at('2099-12-31T23:59:59Z'), farNow).ok).toBe(true);
    expect(checkCancellationRequest(at('2100-01-01T00:00:00Z'), farNow).ok).toBe(false);
    expect(checkCancellationRequest(at('2030-01-01'), NOW).ok).toBe(false);
  });
});

describe('the request schema (shared/CONTRACT.md)', () => {
  test('knows every provider and reason code', () => {
    expect(providers).toEqual(['keliweb', 'payway', 'rebilly', 'billing-care']);
    expect(reasonCodes).toEqual([
      'too_expensive',
      'unused',
      'missing_features',
      'switched_service',
      'low_quality',
      'customer_service',
      'too_complex',
      'billing_failure',
      'other',
    ]);
    for (const code of reasonCodes) expect(valid({ ...base, reason: { code } })).toBe(true);
    expect(valid({ ...base, reason: { code: 'bored' } })).toBe(false);
  });

  test.each(['r', 'A-Za-z0-9._:-', 'x'.repeat(64)])('requestId %p is accepted', (requestId) => {
    expect(valid({ ...base, requestId })).toBe(true);
  });
  test.each(['', 'a b', ' a', 'a ', 'a/b', 'é', 'x'.repeat(65)])('requestId %p is refused', (requestId) => {
    expect(fieldsOf({ ...base, requestId })).toEqual(['requestId']);
  });
  test('the requestId message says what is allowed', () => {
    expect(issuesOf({ ...base, requestId: 'a b' })[0]?.message).toBe(
      'must be 1-64 characters of A-Z a-z 0-9 . _ : -',
    );
  });

  test('requestedBy defaults to customer and takes only the three roles', () => {
    for (const requestedBy of ['customer', 'merchant', 'system'])
      expect(valid({ ...base, requestedBy })).toBe(true);
    expect(valid({ ...base, requestedBy: 'robot' })).toBe(false);
  });

  test.each(['c-1', '!~', 'x'.repeat(64)])('customerId %p is printable ASCII', (customerId) => {
    expect(valid({ ...base, customerId })).toBe(true);
  });
  test.each(['', 'a b', ' ab', 'ab ', 'é', 'x'.repeat(65)])('customerId %p is refused', (customerId) => {
    expect(fieldsOf({ ...base, customerId })).toEqual(['customerId']);
  });
  test('the printable-id message', () => {
    expect(issuesOf({ ...base, customerId: 'a b' })[0]?.message).toBe(
      'must be printable ASCII without spaces',
    );
  });

  test('Keliweb service ids are positive 32-bit integers', () => {
    expect(valid(withTarget('keliweb', { serviceId: 2_147_483_647 }))).toBe(true);
    for (const serviceId of [0, -1, 1.5, 2_147_483_648, '42']) {
      expect(fieldsOf(withTarget('keliweb', { serviceId }))).toEqual(['target.serviceId']);
    }
  });

  test('Payway account ids are 24 hexadecimal characters, in either case', () => {
    const payway = (accountId: string) => withTarget('payway', { accountId, userProductId: 'up-1' });
    expect(valid(payway('585a4768edce2c5e6f000001'))).toBe(true);
    expect(valid(payway('585A4768EDCE2C5E6F00000F'))).toBe(true);
    for (const bad of [
      '585a4768edce2c5e6f00001',
      '585a4768edce2c5e6f0000012',
      '585a4768edce2c5e6f00000g',
      ' 585a4768edce2c5e6f00001',
      '585a4768edce2c5e6f00001 ',
    ])
      expect(fieldsOf(payway(bad))).toEqual(['target.accountId']);
    expect(issuesOf(payway('x'))[0]?.message).toBe('must be 24 hexadecimal characters');
    expect(
      valid(
        withTarget('payway', {
          accountId: '585a4768edce2c5e6f000001',
          userProductId: 'u',
          cancellationReasonId: 'c',
        }),
      ),
    ).toBe(true);
    expect(
      fieldsOf(
        withTarget('payway', {
          accountId: '585a4768edce2c5e6f000001',
          userProductId: 'u',
          cancellationReasonId: 'a b',
        }),
      ),
    ).toEqual(['target.cancellationReasonId']);
  });

  test("Rebilly order ids follow Rebilly's id pattern", () => {
    for (const orderId of ['ord-1', '@~-._x', 'A9', 'x'.repeat(50)])
      expect(valid(withTarget('rebilly', { orderId, prorated: true }))).toBe(true);
    for (const orderId of ['', 'a b', ' a', 'a ', 'a/b', 'a#', 'x'.repeat(51)])
      expect(fieldsOf(withTarget('rebilly', { orderId }))).toEqual(['target.orderId']);
    expect(issuesOf(withTarget('rebilly', { orderId: 'a/b' }))[0]?.message).toBe(
      'must match ^[@~\\-.\\w]+$ (Rebilly id)',
    );
  });

  test('Billing Care ids are BRM POIDs of the right kind', () => {
    const bc = (target: object) => withTarget('billing-care', { accountId: ACCOUNT, ...target });
    for (const serviceId of [
      '0.0.0.1+-service+9',
      '0.0.0.1 +-service+9',
      '0.0.0.1+-service-ip_1-x+9',
      '10.20.30.40+-service+1',
    ])
      expect(valid(bc({ serviceId }))).toBe(true);
    for (const serviceId of [
      '0.0.0.1+-deal+9',
      '0.0.0+-service+9',
      '0.0.0.1+-service+',
      '0.0.0.1+-service-+9',
      'x0.0.0.1+-service+9',
      '0.0.0.1+-service+9x',
      '0.0.0.1  +-service+9',
      '0.0.0.1+-service-A+9',
    ])
      expect(fieldsOf(bc({ serviceId }))).toEqual(['target.serviceId']);
    expect(issuesOf(bc({ dealId: '0.0.0.1+-service+9' }))[0]).toEqual({
      field: 'target.dealId',
      message: 'must be a BRM deal id such as 0.0.0.1+-deal+174257',
    });
    expect(fieldsOf(bc({ accountId: '0.0.0.1+-service+9', packageId: 1 }))).toEqual(['target.accountId']);
  });

  test('Billing Care needs at least one of serviceId, dealId or packageId', () => {
    const bc = (target: object) => withTarget('billing-care', { accountId: ACCOUNT, ...target });
    expect(valid(bc({ packageId: 0 }))).toBe(true);
    expect(valid(bc({ dealId: '0.0.0.1+-deal+1' }))).toBe(true);
    expect(valid(bc({ serviceId: '0.0.0.1+-service+1' }))).toBe(true);
    expect(issuesOf(bc({}))).toEqual([
      {
        field: 'target.serviceId',
        message: 'needs at least one of serviceId, dealId or packageId to say which bundle to cancel',
      },
    ]);
    expect(fieldsOf(bc({ packageId: -1 }))).toEqual(['target.packageId']);
  });

  test('timing: deferTo takes only the two owners', () => {
    expect(valid({ ...base, timing: { mode: 'end-of-billing-period', deferTo: 'provider' } })).toBe(true);
    expect(fieldsOf({ ...base, timing: { mode: 'end-of-billing-period', deferTo: 'caller' } })).toEqual([
      'timing.deferTo',
    ]);
  });

  test('the parsed request keeps what was sent', () => {
    const parsed = CancellationRequestSchema.parse({ ...base, requestedBy: 'merchant' });
    expect(parsed.requestedBy).toBe('merchant');
  });
});

describe('RunOptionsSchema', () => {
  test('verification grace is 0..30 days in whole seconds', () => {
    expect(RunOptionsSchema.safeParse({ verificationGraceSeconds: 0 }).success).toBe(true);
    expect(RunOptionsSchema.safeParse({ verificationGraceSeconds: 30 * 86_400 }).success).toBe(true);
    expect(RunOptionsSchema.safeParse({ verificationGraceSeconds: 30 * 86_400 + 1 }).success).toBe(false);
    expect(RunOptionsSchema.safeParse({ verificationGraceSeconds: -1 }).success).toBe(false);
    expect(RunOptionsSchema.safeParse({}).success).toBe(true);
  });
});

describe('checkReschedule and checkWithdraw', () => {
  test('reschedule checks the date format and the window, on field at', () => {
    expect(checkReschedule({ at: '2030-02-01T00:00:00Z' }, NOW)).toEqual({
      ok: true,
      value: { at: '2030-02-01T00:00:00Z' },
    });
    expect(checkReschedule({ at: '2029-12-01T00:00:00Z' }, NOW)).toEqual({
      ok: false,
      issues: [{ field: 'at', message: 'must not be in the past (5 minutes of clock skew are allowed)' }],
    });
    expect(checkReschedule({ at: 'tomorrow' }, NOW).ok).toBe(false);
  });

  test('withdraw takes an optional short reason and nothing else', () => {
    expect(checkWithdraw({})).toEqual({ ok: true, value: {} });
    expect(checkWithdraw({ reason: 'customer changed mind' })).toEqual({
      ok: true,
      value: { reason: 'customer changed mind' },
    });
    const tooLong = checkWithdraw({ reason: 'x'.repeat(256) });
    expect(tooLong.ok ? [] : tooLong.issues.map((i) => i.field)).toEqual(['reason']);
  });
});

describe('orThrow and parseCancellationRequest', () => {
  test('a valid result is returned as it is', () => {
    expect(orThrow({ ok: true, value: 7 })).toBe(7);
  });

  test('the first issue becomes an InvalidRequestError naming the field', () => {
    const issues = [
      { field: 'target.serviceId', message: 'too small' },
      { field: 'requestId', message: 'bad' },
    ];
    let err: unknown;
    try {
      orThrow({ ok: false, issues });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidRequestError);
    const e = err as InvalidRequestError;
    expect([e.name, e.field, e.message, e.issues]).toEqual([
      'InvalidRequestError',
      'target.serviceId',
      'target.serviceId: too small',
      issues,
    ]);
  });

  test('a failure without issues still says something', () => {
    expect(() => orThrow({ ok: false, issues: [] })).toThrow('(request): invalid request');
  });

  test("parseCancellationRequest checks against the caller's clock by default", () => {
    const soon = new Date(Date.now() + 86_400_000).toISOString();
    expect(parseCancellationRequest({ ...base, timing: { mode: 'at', at: soon } }).timing).toEqual({
      mode: 'at',
      at: soon,
    });
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect(() => parseCancellationRequest({ ...base, timing: { mode: 'at', at: past } })).toThrow(
      'timing.at: must not be in the past',
    );
    expect(() =>
      parseCancellationRequest({ ...base, timing: { mode: 'at', at: past } }, Date.now() - 7_200_000),
    ).not.toThrow();
  });
});
