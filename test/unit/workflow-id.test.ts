import { describeTarget, workflowIdFor, type ProviderTarget } from '../../common/workflow-id';
import { canonicalJson } from '../../common/fingerprint';
import { timingLabel } from '../../common/timing-label';

const ACCOUNT = '0.0.0.1+-account+174257';
const DEAL = '0.0.0.1+-deal+41056';
const SERVICE = '0.0.0.1+-service+9';

describe('workflowIdFor: one id per subscription', () => {
  test.each<[ProviderTarget, string]>([
    [{ provider: 'keliweb', target: { serviceId: 42 } }, 'cancellation/keliweb/service-42'],
    [
      { provider: 'payway', target: { accountId: '585A4768EDCE2C5E6F000001', userProductId: 'UP-1' } },
      // Hex account ids are case-insensitive at Payway; the product id is not.
      'cancellation/payway/585a4768edce2c5e6f000001/UP-1',
    ],
    [{ provider: 'rebilly', target: { orderId: 'ord-1' } }, 'cancellation/rebilly/order-ord-1'],
    [
      {
        provider: 'billing-care',
        target: { accountId: ACCOUNT, dealId: DEAL, serviceId: SERVICE, packageId: 3 },
      },
      `cancellation/billing-care/${ACCOUNT}/${DEAL}`,
    ],
    [
      { provider: 'billing-care', target: { accountId: ACCOUNT, serviceId: SERVICE, packageId: 3 } },
      `cancellation/billing-care/${ACCOUNT}/${SERVICE}`,
    ],
    [
      { provider: 'billing-care', target: { accountId: ACCOUNT, packageId: 0 } },
      `cancellation/billing-care/${ACCOUNT}/package-0`,
    ],
  ])('%j -> %s', (request, id) => {
    expect(workflowIdFor(request)).toBe(id);
  });

  test('with a pseudonym, only the provider is readable, and the hash covers provider and key', () => {
    const seen: string[] = [];
    const id = workflowIdFor({ provider: 'rebilly', target: { orderId: 'ord-1' } }, (key) => {
      seen.push(key);
      return 'h4sh';
    });
    expect(id).toBe('cancellation/rebilly/h4sh');
    expect(seen).toEqual(['rebilly/order-ord-1']);
  });
});

describe('describeTarget', () => {
  test.each<[ProviderTarget, string]>([
    [{ provider: 'keliweb', target: { serviceId: 42 } }, 'Keliweb service 42'],
    [
      { provider: 'payway', target: { accountId: '585a4768edce2c5e6f000001', userProductId: 'UP-1' } },
      'Payway user product UP-1 (account 585a4768edce2c5e6f000001)',
    ],
    [{ provider: 'rebilly', target: { orderId: 'ord-1' } }, 'Rebilly order ord-1'],
    [
      {
        provider: 'billing-care',
        target: { accountId: ACCOUNT, dealId: DEAL, serviceId: SERVICE, packageId: 0 },
      },
      `Billing Care bundle (deal ${DEAL}, service ${SERVICE}, package 0) of account ${ACCOUNT}`,
    ],
    [
      { provider: 'billing-care', target: { accountId: ACCOUNT, serviceId: SERVICE } },
      `Billing Care bundle (service ${SERVICE}) of account ${ACCOUNT}`,
    ],
  ])('%j -> %s', (request, text) => {
    expect(describeTarget(request)).toBe(text);
  });
});

describe('canonicalJson', () => {
  test('sorts keys at every depth and drops undefined, so equal requests compare equal', () => {
    const a = canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, c: 'x' });
    expect(a).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"c":"x"}');
    expect(canonicalJson({ c: 'x', a: { d: [3, { y: 2, z: 1 }] }, b: 1 })).toBe(a);
    expect(canonicalJson({ m: 1, k: 2, l: 3, j: 4 })).toBe('{"j":4,"k":2,"l":3,"m":1}');
  });

  test('keeps array order and writes primitives as JSON', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('s')).toBe('"s"');
    expect(canonicalJson(0)).toBe('0');
    expect(canonicalJson({ '': false })).toBe('{"":false}');
  });
});

describe('timingLabel', () => {
  test('reads each timing', () => {
    expect(timingLabel({ mode: 'immediate' })).toBe('immediately');
    expect(timingLabel({ mode: 'at', at: '2030-01-01T00:00:00Z' })).toBe('at a date');
    expect(timingLabel({ mode: 'end-of-billing-period', deferTo: 'provider' })).toBe(
      'end of billing period, deferred to the provider',
    );
    expect(timingLabel({ mode: 'end-of-billing-period' })).toBe(
      'end of billing period, deferred to the orchestrator',
    );
  });
});
