import { providers, type Provider } from '../common/request';
import { type Fault } from '../simulators/framework';
import { judgeOutcomes, levelsOf, resultOrError } from './support/outcomes';
import { mapLimit } from '../harness/stats';
import { startDrillSystem, DrillFailure } from './support/system';
import { faultsOf, isFault, retryHintChecks, submitAttempts, type HintCheck } from './support/storm-checks';
import {
  seedMany,
  submitCalls,
  SUBMIT_PATH,
  requestsFor,
  exactlyOnceCounts,
  exactlyOnceProblem,
  type ExactlyOnceCounts,
} from '../harness/targets';

export interface FaultStormOptions {
  count: number;
  /** Retry-After of the injected 429s; above the 5 s first retry, so an ignored hint shows. */
  retryAfterSeconds: number;
  httpTimeoutMs: number;
  bundlePath: string;
  log: (line: string) => void;
}

type Plan = { label: string; faults: Fault[] };

/** What a target's submit calls meet, in turn for each provider's targets; 40 % go through cleanly. */
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
const READ_FAULTS = { 503: 8, 429: 4, retryAfterSeconds: 2 };

export interface FaultStormCounts extends ExactlyOnceCounts {
  requested: number;
  faultsInjected: Record<string, number>;
  /** Armed faults that never met a request (each must fire). */
  faultsNotFired: number;
  providerRefusals: Record<string, number>;
  completed: number;
  /** Ended as CancellationOutcomeUnknown (a lost answer no read could settle). */
  outcomeUnknown: number;
  unexpectedOutcomes: number;
  levels: Record<string, number>;
  /** Targets whose submit met no fault, and of those, the ones written exactly once. */
  cleanTargets: number;
  cleanTargetsWrittenOnce: number;
  /** Targets whose submit activity met an injected fault before it succeeded. */
  targetsWhoseSubmitMetFault: number;
  /** Targets whose submit succeeded on a later attempt (Temporal's retry). */
  targetsWithRetriedSubmit: number;
  rateLimitHints: number;
  hintsHonoured: number;
  hintsViolated: number;
  /** 429s after which no request for that target came at all (its cancellation had ended). */
  hintsNeverFollowed: number;
  minWaitAfterHintMs: number;
  minMarginOverHintMs: number;
  maxAttempts: number;
  seconds: number;
}

/**
 * 5xx, hangs, 429s with Retry-After and lost responses across the four simulators: every
 * cancellation completes, none is cancelled twice, only faults cause retries, and no request for a
 * target comes before the provider said it may.
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
    // Targets go round-robin over the providers: every provider meets every plan.
    const all = plans(o.retryAfterSeconds);
    const planOf = (i: number) => all[Math.floor(i / providers.length) % all.length]!;
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
      sim.addFault({ ...READS[p], fault: { kind: 'status', status: 503 }, times: READ_FAULTS[503] });
      sim.addFault({
        ...READS[p],
        fault: { kind: 'rate-limit', retryAfterSeconds: READ_FAULTS.retryAfterSeconds },
        times: READ_FAULTS[429],
      });
    }
    const worker = await sys.startWorker();
    o.log(
      `  ${o.count} immediate cancellations; 60 % of targets meet 5xx, hangs (${o.httpTimeoutMs} ms timeout), 429 (Retry-After ${o.retryAfterSeconds} s) or lost responses on submit, plus 503/429 on reads`,
    );
    const accepted = await mapLimit(seeded, 16, (s) => client.request(s.request));
    let done = 0;
    const ticker = setInterval(() => o.log(`  ${done}/${o.count} finished`), 10_000);
    const results = await Promise.all(
      accepted.map((a) => resultOrError(a.workflowId, client.result(a.workflowId)).finally(() => done++)),
    );
    clearInterval(ticker);
    await worker.stop();

    const faultsInjected: Record<string, number> = {};
    const providerRefusals: Record<string, number> = {};
    for (const sim of Object.values(sims.byProvider))
      for (const r of sim.requests) {
        const outcome = r.outcome ?? 'no answer';
        if (!isFault(outcome)) {
          // The simulator's own answers: a 409 here is Payway saying "already cancelled" after a lost response.
          if (Number(outcome) >= 400) providerRefusals[outcome] = (providerRefusals[outcome] ?? 0) + 1;
          continue;
        }
        const key = outcome.startsWith('lost-response') ? 'lost-response' : outcome;
        faultsInjected[key] = (faultsInjected[key] ?? 0) + 1;
      }

    // Every armed fault fired: each target's writes met its plan, each provider's reads their share.
    const notFired: string[] = [];
    seeded.forEach((s, i) => {
      const want = planOf(i).faults.map(faultLabel);
      const got = faultsOf(submitCalls(sims, s)).map((f) =>
        f.startsWith('lost-response') ? 'lost-response' : f,
      );
      if (want.join() !== got.join()) notFired.push(`${s.key}: planned [${want}], met [${got}]`);
    });
    for (const p of Object.keys(READS) as Provider[]) {
      const reads = sims.byProvider[p].calls(READS[p].method, READS[p].path);
      for (const [label, times] of [
        ['fault 503', READ_FAULTS[503]],
        ['fault 429', READ_FAULTS[429]],
      ] as const) {
        const met = reads.filter((r) => r.outcome === label).length;
        if (met !== times) notFired.push(`${p} reads: ${times} × ${label} armed, ${met} met`);
      }
    }

    // Only faults cause retries: the targets whose submit met one are exactly those retried.
    const metFault = new Set<string>();
    const retried = new Set<string>();
    seeded.forEach((s, i) => {
      const r = results[i]!;
      const until = r.submittedAt ? Date.parse(r.submittedAt) : Infinity;
      if (requestsFor(sims, s).some((q) => isFault(q.outcome) && Date.parse(q.at) <= until))
        metFault.add(s.key);
      if ((r.attempts ?? 0) > 1) retried.add(s.key);
    });
    const retryMismatch = seeded.filter((s) => metFault.has(s.key) !== retried.has(s.key));
    const clean = seeded.filter((s) => !metFault.has(s.key));

    // Every retry is recognised (same id, "already exists", already cancelled, validTo moved to our
    // date): every cancellation must complete.
    const judged = judgeOutcomes(
      results,
      seeded,
      seeded.map(() => 'completed'),
    );
    const hints = retryHintChecks(sims, seeded, {
      write: o.retryAfterSeconds,
      read: READ_FAULTS.retryAfterSeconds,
    });
    const violated = hints.filter((h) => !(h.waitedMs >= h.askedMs));
    const followed = hints.filter((h) => h.waitedMs !== Infinity);
    const counts: FaultStormCounts = {
      requested: o.count,
      faultsInjected,
      faultsNotFired: notFired.length,
      providerRefusals,
      ...judged.counts,
      levels: levelsOf(results, seeded),
      ...exactlyOnceCounts(sims, seeded),
      cleanTargets: clean.length,
      cleanTargetsWrittenOnce: clean.filter((s) => submitCalls(sims, s).length === 1).length,
      targetsWhoseSubmitMetFault: metFault.size,
      targetsWithRetriedSubmit: retried.size,
      rateLimitHints: hints.length,
      hintsHonoured: hints.length - violated.length,
      hintsViolated: violated.length,
      hintsNeverFollowed: hints.filter((h) => h.waitedMs === Infinity).length,
      minWaitAfterHintMs: Math.min(...followed.map((h) => h.waitedMs)),
      minMarginOverHintMs: Math.min(...followed.map((h) => h.waitedMs - h.askedMs)),
      maxAttempts: Math.max(...results.map((r) => r.attempts ?? 0)),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    const problems = [
      judged.unexpected.length > 0 &&
        `${judged.unexpected.length} unexpected outcomes: ${judged.unexpected.slice(0, 5).join('; ')}`,
      exactlyOnceProblem(counts, o.count),
      counts.cleanTargetsWrittenOnce !== counts.cleanTargets &&
        `${counts.cleanTargets - counts.cleanTargetsWrittenOnce} targets without faults written more than once`,
      notFired.length > 0 && `faults not fired as armed: ${notFired.slice(0, 5).join('; ')}`,
      counts.targetsWithRetriedSubmit === 0 && 'no submit was retried',
      retryMismatch.length > 0 &&
        `${retryMismatch.length} targets retried without a fault or met one without a retry: ${retryMismatch
          .slice(0, 5)
          .map((s) => `${s.key} (${metFault.has(s.key) ? 'fault, no retry' : 'retry, no fault'})`)
          .join(', ')}`,
      counts.rateLimitHints === 0 && 'no rate-limit hint was met',
      violated.length > 0 &&
        `hints ignored: ${(
          await Promise.all(
            violated.slice(0, 3).map(async (h) => {
              const run = accepted[seeded.findIndex((x) => x.key === h.key)]!;
              return `${describeViolation(h)}; ${await submitAttempts(client.client, run.workflowId)}`;
            }),
          )
        ).join(' | ')}`,
    ].filter(Boolean);
    if (problems.length) throw new DrillFailure(`fault-storm: ${problems.join('; ')}`, counts);
    return counts;
  } finally {
    await sys.stop();
  }
}

function faultLabel(f: Fault): string {
  if (f.kind === 'status') return `fault ${f.status}`;
  if (f.kind === 'rate-limit') return 'fault 429';
  return f.kind;
}

function describeViolation(h: HintCheck): string {
  const trail = h.trail.map(
    (r) => `#${r.seq} ${r.at.slice(11, 23)} ${r.method} ${r.path} -> ${r.outcome ?? '…'}`,
  );
  return `${h.key}: waited ${h.waitedMs} ms of ${h.askedMs}: ${trail.join(', ')}`;
}
