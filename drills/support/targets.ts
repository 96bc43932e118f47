import { type CancellationRequestInput, type Provider, providers } from '../../common/request';
import { seedTarget } from '../../scripts/demo/targets';
import { type SimulatorSet } from '../../simulators';

/** Where each provider's submit call goes (a path substring the fault rules can match). */
export const SUBMIT_PATH: Record<Provider, string> = {
  keliweb: 'add-cancel-request',
  payway: 'cancel_product',
  rebilly: 'order-cancellations',
  'billing-care': 'cancel/bundle',
};

export interface Seeded {
  provider: Provider;
  key: string;
  target: CancellationRequestInput['target'];
  /** Unique to this target within the provider's request bodies (fixed width: never a prefix). */
  marker: string;
  request: CancellationRequestInput;
}

let serial = 0;

/**
 * Seeds `count` subscriptions round-robin over the four simulators and returns one request each.
 * Keys are fixed-width, so no target's marker is a substring of another's.
 */
export function seedMany(
  sims: SimulatorSet,
  count: number,
  runKey: string,
  timing: (i: number) => CancellationRequestInput['timing'] = () => ({ mode: 'immediate' }),
  only: readonly Provider[] = providers,
): Seeded[] {
  const out: Seeded[] = [];
  for (let i = 0; i < count; i++) {
    const provider = only[i % only.length]!;
    const n = ++serial;
    if (n >= 900_000) throw new Error('too many targets for fixed-width keys');
    const key = `${runKey}-${String(n).padStart(6, '0')}`;
    const { target, marker } = seedTarget(sims, provider, key, n);
    out.push({
      provider,
      key,
      target,
      marker,
      request: {
        requestId: key,
        provider,
        target,
        timing: timing(i),
        reason: { code: 'unused' },
        requestedBy: 'customer',
      } as CancellationRequestInput,
    });
  }
  return out;
}

/** How many cancellations the provider's simulator holds for this target (exactly one is right). */
export function cancellationsAt(sims: SimulatorSet, s: Seeded): number {
  const t = s.target as Record<string, string | number>;
  switch (s.provider) {
    case 'rebilly':
      return [...sims.rebilly.cancellations.values()].filter((c) => c.orderId === t.orderId).length;
    case 'payway':
      return sims.payway.cancellations.filter((c) => c.userProductId === t.userProductId).length;
    case 'keliweb':
      // WHMCS keeps at most one cancel request per service (a second is refused), so 0 or 1.
      return sims.keliweb.cancelRequests.has(Number(t.serviceId)) ? 1 : 0;
    case 'billing-care': {
      const bundle = sims.billingCare.accounts.get(String(t.accountId))?.find((b) => b.dealId === t.dealId);
      return bundle ? sims.billingCare.cancelCount(bundle.bundleId) : 0;
    }
  }
}

/** Submit calls that reached the simulator for this target. */
export function submitCalls(sims: SimulatorSet, s: Seeded) {
  return sims.byProvider[s.provider]
    .calls(undefined, SUBMIT_PATH[s.provider])
    .filter((r) => r.method !== 'GET' && r.rawBody.includes(s.marker));
}

/** How many targets the provider cancelled once, more than once, or never: the drills' verdict. */
export interface ExactlyOnceCounts {
  cancelledExactlyOnce: number;
  cancelledTwiceOrMore: number;
  neverCancelled: number;
}

export function exactlyOnceCounts(sims: SimulatorSet, seeded: readonly Seeded[]): ExactlyOnceCounts {
  const perTarget = seeded.map((s) => cancellationsAt(sims, s));
  return {
    cancelledExactlyOnce: perTarget.filter((n) => n === 1).length,
    cancelledTwiceOrMore: perTarget.filter((n) => n > 1).length,
    neverCancelled: perTarget.filter((n) => n === 0).length,
  };
}
