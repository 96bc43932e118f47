import { type Provider } from '../common/request';
import { type CancellationResult } from '../common/result';
import { type Fault } from '../simulators/framework';
import { mapLimit } from './support/stats';
import { startDrillSystem, DrillFailure } from './support/system';
import {
  seedMany,
  submitCalls,
  SUBMIT_PATH,
  type Seeded,
  exactlyOnceCounts,
  type ExactlyOnceCounts,
} from './support/targets';

export interface FaultStormOptions {
  count: number;
  /** Retry-After of the injected 429s; above the 5 s first retry, so an ignored hint shows. */
  retryAfterSeconds: number;
  httpTimeoutMs: number;
  bundlePath: string;
  log: (line: string) => void;
}

type Plan = { label: string; faults: Fault[] };

/** What each target's submit calls meet, by index; the rest go through cleanly (40 %). */
const plans = (retryAfterSeconds: number): Plan[] => [
  { label: '503 twice', faults: [503, 503].map((status) => ({ kind: 'status', status }) as const) },
  { label: '500', faults: [{ kind: 'status', status: 500 }] },
  { label: 'hang', faults: [{ kind: 'hang' }] },
  { label: '429', faults: [{ kind: 'rate-limit', retryAfterSeconds }] },
  { label: 'lost response', faults: [{ kind: 'lost-response' }] },
  { label: '502 then lost response', faults: [{ kind: 'status', status: 502 }, { kind: 'lost-response' }] },
  { label: 'clean', faults: [] },
  { label: 'clean', faults: [] },
  { label: 'clean', faults: [] },
  { label: 'clean', faults: [] },
];

/** Read paths (confirmation, pre-submit checks) that also meet untargeted faults. */
const READS: Record<Provider, { method: string; path: string }> = {
  keliweb: { method: 'POST', path: 'get-clients-products' },
  payway: { method: 'GET', path: 'userproducts' },
  rebilly: { method: 'GET', path: 'order-cancellations' },
  'billing-care': { method: 'GET', path: 'purchasedbundles' },
};

export interface FaultStormCounts extends ExactlyOnceCounts {
  requested: number;
  faultsInjected: Record<string, number>;
  providerRefusals: Record<string, number>;
  completed: number;
  notCompleted: number;
  submitCalls: number;
  rateLimitHints: number;
  hintsHonoured: number;
  hintsViolated: number;
  minWaitAfterHintMs: number;
  maxAttempts: number;
  seconds: number;
}

/**
 * 5xx, hangs, 429s with Retry-After and lost responses across the four simulators: every
 * cancellation completes, none twice, and no retry comes before the provider said it may.
 */
export async function faultStormDrill(o: FaultStormOptions): Promise<FaultStormCounts> {
  const started = Date.now();
  const sys = await startDrillSystem({
    name: 'fault-storm',
    bundlePath: o.bundlePath,
    httpTimeoutMs: o.httpTimeoutMs,
    log: o.log,
  });
  try {
    const { sims, client } = sys;
    const seeded = seedMany(sims, o.count, `storm${Date.now().toString(36)}`);
    const planOf = (i: number) => plans(o.retryAfterSeconds)[i % 10]!;
    seeded.forEach((s, i) => {
      for (const fault of planOf(i).faults)
        sims.byProvider[s.provider].addFault({
          path: SUBMIT_PATH[s.provider],
          bodyIncludes: s.marker,
          fault,
        });
    });
    for (const p of Object.keys(READS) as Provider[]) {
      const sim = sims.byProvider[p];
      sim.addFault({ ...READS[p], fault: { kind: 'status', status: 503 }, times: 8 });
      sim.addFault({ ...READS[p], fault: { kind: 'rate-limit', retryAfterSeconds: 2 }, times: 4 });
    }
    const worker = await sys.startWorker();
    o.log(
      `  ${o.count} immediate cancellations; 60 % of targets meet 5xx, hangs (${o.httpTimeoutMs} ms timeout), 429 (Retry-After ${o.retryAfterSeconds} s) or lost responses on submit, plus 503/429 on reads`,
    );
    const accepted = await mapLimit(seeded, 16, (s) => client.request(s.request));
    let done = 0;
    const ticker = setInterval(() => o.log(`  ${done}/${o.count} finished`), 10_000);
    const results = await Promise.all(
      accepted.map((a) =>
        client
          .result(a.workflowId)
          .catch((err: unknown) => ({ status: `error: ${String(err)}` }) as unknown as CancellationResult)
          .finally(() => done++),
      ),
    );
    clearInterval(ticker);
    await worker.stop();

    const faultsInjected: Record<string, number> = {};
    const providerRefusals: Record<string, number> = {};
    for (const sim of Object.values(sims.byProvider))
      for (const r of sim.calls()) {
        const outcome = r.outcome ?? 'no answer';
        if (/^\d+$/.test(outcome)) {
          // The simulator's own answers: a 409 here is Payway saying "already cancelled" after a lost response.
          if (Number(outcome) >= 400) providerRefusals[outcome] = (providerRefusals[outcome] ?? 0) + 1;
          continue;
        }
        const key = outcome.startsWith('lost-response') ? 'lost-response' : outcome;
        faultsInjected[key] = (faultsInjected[key] ?? 0) + 1;
      }
    const hints = retryHintChecks(sims, seeded, o.retryAfterSeconds);
    const counts: FaultStormCounts = {
      requested: o.count,
      faultsInjected,
      providerRefusals,
      completed: results.filter((r) => r.status === 'completed').length,
      notCompleted: results.filter((r) => r.status !== 'completed').length,
      ...exactlyOnceCounts(sims, seeded),
      submitCalls: seeded.reduce((n, s) => n + submitCalls(sims, s).length, 0),
      rateLimitHints: hints.length,
      hintsHonoured: hints.filter((h) => h.waitedMs >= h.askedMs).length,
      hintsViolated: hints.filter((h) => !(h.waitedMs >= h.askedMs)).length,
      minWaitAfterHintMs: Math.min(...hints.map((h) => h.waitedMs)),
      maxAttempts: Math.max(...results.map((r) => r.attempts ?? 0)),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    if (
      counts.completed !== o.count ||
      counts.cancelledExactlyOnce !== o.count ||
      counts.hintsViolated > 0 ||
      counts.rateLimitHints === 0
    )
      throw new DrillFailure(`fault-storm: lost, duplicated or hint ignored: ${JSON.stringify(counts)}`);
    return counts;
  } finally {
    await sys.stop();
  }
}

/**
 * For every 429 a target's submit met, how long until its next submit reached the simulator, and
 * how long the provider had asked for: Rebilly's X-RateLimit-Retry-After is a Unix time in whole
 * seconds (floor(now) + N), the others' Retry-After a number of seconds.
 */
function retryHintChecks(sims: Parameters<typeof submitCalls>[0], seeded: Seeded[], hintSeconds: number) {
  const checks: Array<{ key: string; askedMs: number; waitedMs: number }> = [];
  for (const s of seeded) {
    const calls = submitCalls(sims, s);
    calls.forEach((c, i) => {
      if (c.outcome !== 'fault 429') return;
      const at = Date.parse(c.at);
      const askedUntil =
        s.provider === 'rebilly' ? (Math.floor(at / 1000) + hintSeconds) * 1000 : at + hintSeconds * 1000;
      const next = calls[i + 1];
      checks.push({ key: s.key, askedMs: askedUntil - at, waitedMs: next ? Date.parse(next.at) - at : NaN });
    });
  }
  return checks;
}
