// Malformed cancellation requests: what a buggy or hostile caller might send. Each names the field
// that CancellationClient.request must name in its InvalidRequestError, and that the workflow must
// name in its InvalidRequest failure when a caller bypasses the client (another SDK, a raw start).

export interface MalformedCase {
  name: string;
  input: unknown;
  /** The field the error must name; `(request)` when the input is not an object at all. */
  field: string;
}

const base = {
  requestId: 'drill-malformed-1',
  provider: 'rebilly',
  target: { orderId: 'ord-malformed-1' },
  timing: { mode: 'immediate' },
};
const keliweb = { ...base, provider: 'keliweb', target: { serviceId: 4711 } };
const payway = { ...base, provider: 'payway', target: { accountId: 'a'.repeat(24), userProductId: 'up-1' } };
const billingCare = {
  ...base,
  provider: 'billing-care',
  target: { accountId: '0.0.0.1+-account+1', dealId: '0.0.0.1+-deal+41001' },
};
const at = (value: unknown) => ({ ...base, timing: { mode: 'at', at: value } });
const without = (key: string) => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));
const tenYears = new Date(Date.now() + 10 * 366 * 86_400_000).toISOString();
const MINUTE = 60_000;
// Past dates are computed when the corpus loads: they only grow older while a drill runs.
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

export const MALFORMED: MalformedCase[] = [
  // Not a request at all
  { name: 'null', input: null, field: '(request)' },
  { name: 'a string', input: 'cancel ord-1 please', field: '(request)' },
  { name: 'a number', input: 42, field: '(request)' },
  { name: 'an array', input: [base], field: '(request)' },
  { name: 'an empty object', input: {}, field: 'provider' },
  // Missing fields
  { name: 'no requestId', input: without('requestId'), field: 'requestId' },
  { name: 'no provider', input: without('provider'), field: 'provider' },
  { name: 'no target', input: without('target'), field: 'target' },
  { name: 'no timing', input: without('timing'), field: 'timing' },
  { name: 'timing at without at', input: { ...base, timing: { mode: 'at' } }, field: 'timing.at' },
  // Wrong types
  { name: 'requestId a number', input: { ...base, requestId: 123 }, field: 'requestId' },
  { name: 'provider an array', input: { ...base, provider: ['rebilly'] }, field: 'provider' },
  { name: 'target a string', input: { ...base, target: 'ord-1' }, field: 'target' },
  { name: 'timing a string', input: { ...base, timing: 'now' }, field: 'timing' },
  {
    name: 'serviceId a string',
    input: { ...keliweb, target: { serviceId: '4711' } },
    field: 'target.serviceId',
  },
  { name: 'serviceId NaN', input: { ...keliweb, target: { serviceId: NaN } }, field: 'target.serviceId' },
  {
    name: 'prorated "yes"',
    input: { ...base, target: { orderId: 'o-1', prorated: 'yes' } },
    field: 'target.prorated',
  },
  { name: 'at an epoch number', input: at(1_900_000_000_000), field: 'timing.at' },
  { name: 'reason a string', input: { ...base, reason: 'too expensive' }, field: 'reason' },
  // Unknown values
  { name: 'unknown provider', input: { ...base, provider: 'stripe' }, field: 'provider' },
  { name: 'provider in capitals', input: { ...base, provider: 'REBILLY' }, field: 'provider' },
  { name: 'unknown timing mode', input: { ...base, timing: { mode: 'later' } }, field: 'timing.mode' },
  {
    name: 'unknown deferTo',
    input: { ...base, timing: { mode: 'end-of-billing-period', deferTo: 'nobody' } },
    field: 'timing.deferTo',
  },
  { name: 'unknown reason code', input: { ...base, reason: { code: 'bored' } }, field: 'reason.code' },
  { name: 'unknown requestedBy', input: { ...base, requestedBy: 'robot' }, field: 'requestedBy' },
  // Unknown fields (typos must not silently change the meaning)
  { name: 'unknown top-level field', input: { ...base, priority: 'high' }, field: 'priority' },
  {
    name: 'typo in a required target field',
    input: { ...base, target: { orderID: 'o-1' } },
    field: 'target.orderId',
  },
  {
    name: 'typo in an optional target field',
    input: { ...base, target: { orderId: 'o-1', Prorated: true } },
    field: 'target.Prorated',
  },
  {
    name: 'typo periodend',
    input: { ...base, timing: { mode: 'end-of-billing-period', periodend: '2030-01-01T00:00:00Z' } },
    field: 'timing.periodend',
  },
  {
    name: '__proto__ key from JSON',
    input: JSON.parse(
      `{"requestId":"r-1","provider":"rebilly","target":{"orderId":"o-1"},"timing":{"mode":"immediate"},"__proto__":{"admin":true}}`,
    ),
    field: '__proto__',
  },
  // Bad ids
  { name: 'empty requestId', input: { ...base, requestId: '' }, field: 'requestId' },
  { name: 'requestId with a space', input: { ...base, requestId: 'req 1' }, field: 'requestId' },
  { name: 'requestId of 65 characters', input: { ...base, requestId: 'r'.repeat(65) }, field: 'requestId' },
  {
    name: 'orderId with a slash',
    input: { ...base, target: { orderId: '../orders/1' } },
    field: 'target.orderId',
  },
  {
    name: 'orderId of 51 characters',
    input: { ...base, target: { orderId: 'o'.repeat(51) } },
    field: 'target.orderId',
  },
  { name: 'serviceId negative', input: { ...keliweb, target: { serviceId: -1 } }, field: 'target.serviceId' },
  {
    name: 'serviceId fractional',
    input: { ...keliweb, target: { serviceId: 1.5 } },
    field: 'target.serviceId',
  },
  {
    name: 'serviceId beyond int32',
    input: { ...keliweb, target: { serviceId: 2 ** 31 } },
    field: 'target.serviceId',
  },
  {
    name: 'accountId of 23 hex',
    input: { ...payway, target: { ...payway.target, accountId: 'a'.repeat(23) } },
    field: 'target.accountId',
  },
  {
    name: 'accountId not hex',
    input: { ...payway, target: { ...payway.target, accountId: 'g'.repeat(24) } },
    field: 'target.accountId',
  },
  {
    name: 'BRM account id malformed',
    input: { ...billingCare, target: { ...billingCare.target, accountId: 'account-1' } },
    field: 'target.accountId',
  },
  {
    name: 'Billing Care bundle unnamed',
    input: { ...billingCare, target: { accountId: '0.0.0.1+-account+1' } },
    field: 'target.serviceId',
  },
  {
    name: 'packageId negative',
    input: { ...billingCare, target: { ...billingCare.target, packageId: -1 } },
    field: 'target.packageId',
  },
  // Huge strings
  { name: 'requestId of 1 MB', input: { ...base, requestId: 'r'.repeat(1 << 20) }, field: 'requestId' },
  {
    name: 'comment of 10 000 characters',
    input: { ...base, reason: { comment: 'x'.repeat(10_000) } },
    field: 'reason.comment',
  },
  {
    name: 'customerId of 65 characters',
    input: { ...base, customerId: 'c'.repeat(65) },
    field: 'customerId',
  },
  {
    name: 'userProductId of 1 MB',
    input: { ...payway, target: { ...payway.target, userProductId: 'u'.repeat(1 << 20) } },
    field: 'target.userProductId',
  },
  // Odd unicode
  { name: 'requestId with an accent', input: { ...base, requestId: 'réq-1' }, field: 'requestId' },
  {
    name: 'requestId with a zero-width space',
    input: { ...base, requestId: 'req\u200b1' },
    field: 'requestId',
  },
  {
    name: 'requestId with a right-to-left override',
    input: { ...base, requestId: '\u202ereq-1' },
    field: 'requestId',
  },
  { name: 'orderId an emoji', input: { ...base, target: { orderId: '🧾' } }, field: 'target.orderId' },
  {
    name: 'orderId with fullwidth letters',
    input: { ...base, target: { orderId: 'ｏｒｄ１' } },
    field: 'target.orderId',
  },
  {
    name: 'userProductId with NUL',
    input: { ...payway, target: { ...payway.target, userProductId: 'up\u00001' } },
    field: 'target.userProductId',
  },
  {
    name: 'customerId with a lone surrogate',
    input: { ...base, customerId: 'c\ud800' },
    field: 'customerId',
  },
  { name: 'provider with a Cyrillic e', input: { ...base, provider: 'r\u0435billy' }, field: 'provider' },
  // Dates out of range or malformed
  { name: 'at before 2000', input: at('1999-12-31T23:59:59Z'), field: 'timing.at' },
  { name: 'at in 2100', input: at('2100-01-01T00:00:00Z'), field: 'timing.at' },
  { name: 'at ten years ahead', input: at(tenYears), field: 'timing.at' },
  { name: 'at on 30 February', input: at('2030-02-30T00:00:00Z'), field: 'timing.at' },
  { name: 'at on 29 February of a common year', input: at('2029-02-29T00:00:00Z'), field: 'timing.at' },
  { name: 'at at hour 24', input: at('2030-01-01T24:00:00Z'), field: 'timing.at' },
  { name: 'at without an offset', input: at('2030-01-01T00:00:00'), field: 'timing.at' },
  { name: 'at with offset +25:00', input: at('2030-01-01T00:00:00+25:00'), field: 'timing.at' },
  { name: 'at a date only', input: at('2030-01-01'), field: 'timing.at' },
  { name: 'at in words', input: at('tomorrow'), field: 'timing.at' },
  {
    name: 'periodEnd year 0',
    input: { ...base, timing: { mode: 'end-of-billing-period', periodEnd: '0000-01-01T00:00:00Z' } },
    field: 'timing.periodEnd',
  },
  {
    name: 'periodEnd ten years ahead',
    input: { ...base, timing: { mode: 'end-of-billing-period', periodEnd: tenYears } },
    field: 'timing.periodEnd',
  },
  // Dates in the past: more than 5 minutes (the clock skew allowed) is refused
  { name: 'at six minutes ago', input: at(ago(6 * MINUTE)), field: 'timing.at' },
  { name: 'at yesterday', input: at(ago(24 * 60 * MINUTE)), field: 'timing.at' },
  { name: 'at last year', input: at(ago(366 * 24 * 60 * MINUTE)), field: 'timing.at' },
  { name: 'at in 2001', input: at('2001-06-01T00:00:00Z'), field: 'timing.at' },
  {
    name: 'periodEnd six minutes ago',
    input: { ...base, timing: { mode: 'end-of-billing-period', periodEnd: ago(6 * MINUTE) } },
    field: 'timing.periodEnd',
  },
  {
    name: 'periodEnd an hour ago, deferred to the provider',
    input: {
      ...base,
      timing: { mode: 'end-of-billing-period', periodEnd: ago(60 * MINUTE), deferTo: 'provider' },
    },
    field: 'timing.periodEnd',
  },
  {
    name: 'periodEnd last month, at Keliweb',
    input: { ...keliweb, timing: { mode: 'end-of-billing-period', periodEnd: ago(31 * 24 * 60 * MINUTE) } },
    field: 'timing.periodEnd',
  },
];

/** A valid request (the drill starts one to prove its visibility count sees a started workflow). */
export function validControlRequest(requestId: string) {
  return {
    ...base,
    requestId,
    target: { orderId: `ord-${requestId}` },
    timing: { mode: 'at', at: new Date(Date.now() + 3_600_000).toISOString() },
  };
}
