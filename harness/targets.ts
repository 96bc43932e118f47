import { rebillyCancellationId } from '../activities/providers/rebilly-wire';
import { type CancellationRequestInput, type Provider, providers } from '../common/request';
import { seedTarget } from '../scripts/demo/targets';
import { type SimulatorSet } from '../simulators';
import { type SimRequest } from '../simulators/framework';

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
  /** The id the simulator records this subscription's state changes under (SimChange.target). */
  changeTarget: string;
  /** Ids that name this target as a path segment in the provider's reads (not in the body). */
  pathIds: string[];
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
      ...identify(sims, provider, key, target as Record<string, string | number>),
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
  return withUniquePathIds(out);
}

/**
 * A path id shared by several targets (two user products on one Payway account) names none of
 * them: a read of that account is not about one target, so it is dropped from each.
 */
function withUniquePathIds(seeded: Seeded[]): Seeded[] {
  const owners = new Map<string, number>();
  for (const s of seeded)
    for (const id of s.pathIds)
      owners.set(`${s.provider}/${id}`, (owners.get(`${s.provider}/${id}`) ?? 0) + 1);
  return seeded.map((s) => ({
    ...s,
    pathIds: s.pathIds.filter((id) => owners.get(`${s.provider}/${id}`) === 1),
  }));
}

/** Where a simulator records this target's changes, and the ids its read paths end with. */
function identify(sims: SimulatorSet, provider: Provider, key: string, t: Record<string, string | number>) {
  switch (provider) {
    case 'keliweb':
      return { changeTarget: String(t.serviceId), pathIds: [] };
    case 'payway':
      return { changeTarget: String(t.userProductId), pathIds: [String(t.accountId)] };
    case 'rebilly':
      // The cancellation's own id is derived from the request id (the adapter's idempotency key).
      return {
        changeTarget: String(t.orderId),
        pathIds: [String(t.orderId), rebillyCancellationId(key)],
      };
    case 'billing-care': {
      const bundle = sims.billingCare.accounts.get(String(t.accountId))?.find((b) => b.dealId === t.dealId);
      if (!bundle) throw new Error(`billing-care simulator lost the bundle it just seeded for ${key}`);
      return { changeTarget: bundle.bundleId, pathIds: [String(t.accountId)] };
    }
  }
}

/** Every request that reached the target's simulator about this target (reads and writes). */
export function requestsFor(sims: SimulatorSet, s: Seeded): SimRequest[] {
  return sims.byProvider[s.provider].requests.filter((r) => touches(r, s));
}

/**
 * Whether a request names this target: an id as a whole path segment, or the marker as a whole
 * value in the parsed body. Never by raw text, where a short id can stand inside a multipart
 * boundary or another field (the way Simulator.writes matches too).
 */
export function touches(r: SimRequest, s: Seeded): boolean {
  const segments = r.path.split('/').map(decodeSegment);
  return s.pathIds.some((id) => segments.includes(id)) || hasValue(r.body, s.marker);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function hasValue(body: unknown, value: string): boolean {
  if (body === null || body === undefined) return false;
  if (typeof body !== 'object') return String(body) === value;
  return Object.values(body as Record<string, unknown>).some((v) => hasValue(v, value));
}

/** Whether the provider's simulator counts this request as a write (Simulator.writes). */
export function isWrite(sims: SimulatorSet, provider: Provider, r: SimRequest): boolean {
  const sim = sims.byProvider[provider];
  return sim.options.isWrite ? sim.options.isWrite(r) : r.method !== 'GET';
}

/** Submit (write) calls that reached the simulator for this target. */
export function submitCalls(sims: SimulatorSet, s: Seeded): SimRequest[] {
  return sims.byProvider[s.provider].writes(s.marker);
}

/**
 * The change each simulator records when a cancel write takes effect. Everything else a simulator
 * records afterwards is its own automation carrying the cancellation out (FOLLOW_UP_CHANGES).
 */
const CANCEL_CHANGES: Record<Provider, readonly string[]> = {
  keliweb: ['cancel-request-recorded'],
  payway: ['cancelled'],
  rebilly: ['canceled', 'scheduled-to-end'],
  'billing-care': ['cancelled', 'scheduled-to-end'],
};
const FOLLOW_UP_CHANGES: Record<Provider, readonly string[]> = {
  keliweb: ['cancelled'], // the nightly run terminating a service with a cancel request
  payway: ['deactivated'],
  rebilly: ['churned'],
  'billing-care': ['ended'],
};

/** The cancellations the provider recorded for this target (exactly one is right). */
export function cancellationsAt(sims: SimulatorSet, s: Seeded): number {
  return sims.byProvider[s.provider]
    .changesOf(s.changeTarget)
    .filter((c) => CANCEL_CHANGES[s.provider].includes(c.change)).length;
}

/**
 * The drills' exactly-once verdict. Write calls and effective changes are counted apart: a provider
 * that absorbs or refuses a second write (Keliweb's one request per service, Payway's 409, Billing
 * Care's same cancel again, Rebilly's upsert of the same id) shows retries as writes, never as
 * changes. The claim is one effective cancellation per target, and for Rebilly, whose retries are
 * recognised by the cancellation id alone, one id across all of a target's PUTs.
 */
export interface ExactlyOnceCounts {
  writeCalls: number;
  targetsWrittenOnce: number;
  targetsWrittenMoreThanOnce: number;
  maxWritesPerTarget: number;
  /** Writes that the provider absorbed or refused without a change (retries it recognised). */
  absorbedWrites: number;
  cancelledExactlyOnce: number;
  cancelledTwiceOrMore: number;
  neverCancelled: number;
  /** Changes other than the cancellation itself, by kind ("keliweb Terminated": count). */
  changes: {
    /** The provider's automation carrying the cancellation out. */
    followUp: Record<string, number>;
    /** Neither: an undo, a renewal. Any is a failure. */
    unexpected: Record<string, number>;
  };
  rebillyTargets: number;
  /** Rebilly targets whose PUTs all used one cancellation id (the idempotency key). */
  rebillyTargetsWithOneId: number;
  /** The same, by provider: targets, write calls, cancelled once / twice or more / never. */
  perProvider: Partial<Record<Provider, ProviderTally>>;
}

export interface ProviderTally {
  targets: number;
  writes: number;
  once: number;
  twiceOrMore: number;
  never: number;
}

export function exactlyOnceCounts(sims: SimulatorSet, seeded: readonly Seeded[]): ExactlyOnceCounts {
  const writes = seeded.map((s) => submitCalls(sims, s));
  const cancels = seeded.map((s) => cancellationsAt(sims, s));
  const changes: ExactlyOnceCounts['changes'] = { followUp: {}, unexpected: {} };
  for (const s of seeded)
    for (const c of sims.byProvider[s.provider].changesOf(s.changeTarget)) {
      if (CANCEL_CHANGES[s.provider].includes(c.change)) continue;
      const tally = FOLLOW_UP_CHANGES[s.provider].includes(c.change) ? changes.followUp : changes.unexpected;
      const kind = `${s.provider} ${c.change}`;
      tally[kind] = (tally[kind] ?? 0) + 1;
    }
  const rebilly = seeded.flatMap((s, i) => (s.provider === 'rebilly' ? [writes[i]!] : []));
  return {
    writeCalls: writes.reduce((n, w) => n + w.length, 0),
    targetsWrittenOnce: writes.filter((w) => w.length === 1).length,
    targetsWrittenMoreThanOnce: writes.filter((w) => w.length > 1).length,
    maxWritesPerTarget: Math.max(0, ...writes.map((w) => w.length)),
    absorbedWrites: writes.reduce((n, w, i) => n + Math.max(0, w.length - cancels[i]!), 0),
    cancelledExactlyOnce: cancels.filter((n) => n === 1).length,
    cancelledTwiceOrMore: cancels.filter((n) => n > 1).length,
    neverCancelled: cancels.filter((n) => n === 0).length,
    changes,
    rebillyTargets: rebilly.length,
    rebillyTargetsWithOneId: rebilly.filter((w) => new Set(w.map((r) => r.path)).size === 1).length,
    perProvider: tallyByProvider(seeded, writes, cancels),
  };
}

function tallyByProvider(seeded: readonly Seeded[], writes: SimRequest[][], cancels: number[]) {
  const out: Partial<Record<Provider, ProviderTally>> = {};
  seeded.forEach((s, i) => {
    const t = (out[s.provider] ??= { targets: 0, writes: 0, once: 0, twiceOrMore: 0, never: 0 });
    t.targets++;
    t.writes += writes[i]!.length;
    if (cancels[i] === 1) t.once++;
    else if (cancels[i]! > 1) t.twiceOrMore++;
    else t.never++;
  });
  return out;
}

/** Why exactly-once does not hold, or undefined when it does. */
export function exactlyOnceProblem(c: ExactlyOnceCounts, expected: number): string | undefined {
  const problems = [
    c.cancelledExactlyOnce !== expected && `${c.cancelledExactlyOnce}/${expected} cancelled exactly once`,
    c.cancelledTwiceOrMore > 0 && `${c.cancelledTwiceOrMore} cancelled twice or more`,
    c.neverCancelled > 0 && `${c.neverCancelled} never cancelled`,
    Object.keys(c.changes.unexpected).length > 0 &&
      `unexpected changes ${JSON.stringify(c.changes.unexpected)}`,
    c.rebillyTargetsWithOneId !== c.rebillyTargets &&
      `${c.rebillyTargets - c.rebillyTargetsWithOneId} Rebilly targets used more than one cancellation id`,
  ].filter(Boolean);
  return problems.length ? problems.join('; ') : undefined;
}
