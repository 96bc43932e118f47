import { providers, type Provider } from '../common/request';
import { type SimulatorSet } from '../simulators';
import { type SimRequest } from '../simulators/framework';
import { judgeOutcomes, levelsOf, resultOrError } from './support/outcomes';
import { mapLimit, summary } from '../harness/stats';
import { startDrillSystem, DrillFailure } from './support/system';
import {
  exactlyOnceCounts,
  exactlyOnceProblem,
  isWrite,
  seedMany,
  SUBMIT_PATH,
  touches,
  type ExactlyOnceCounts,
  type Seeded,
} from '../harness/targets';

export interface KillWorkerOptions {
  count: number;
  /**
   * How long each target's first submit is held at its simulator, drawn from [min, max] ms. The
   * provider applies the cancel at once and answers after the hold, so at the kill every one is a
   * write whose answer the dead worker never sees. The hold must outlast the ramp (all submits
   * arriving) and stay inside the submit's 45 s start-to-close timeout.
   */
  holdMs: [number, number];
  /**
   * How long the last submit must have been held when the worker dies: long enough for the
   * activities' keep-alive heartbeats to have gone out, as with any slow provider call.
   */
  killAfterHeldMs: number;
  /** The goal: each in-flight cancellation's next attempt reaches its provider within this of the kill. */
  resumeGoalMs: number;
  /** Beyond this the drill fails (the goal's share is reported either way). */
  resumeBoundMs: number;
  /** Every in-flight cancellation must complete within this of the kill. */
  completeBoundMs: number;
  bundlePath: string;
  log: (line: string) => void;
}

type Summary = ReturnType<typeof summary>;

export interface KillWorkerCounts extends ExactlyOnceCounts {
  requested: number;
  /** Submits the simulators had received and not answered when the worker died. */
  inFlightAtKill: number;
  completedBeforeKill: number;
  completed: number;
  /** Ended as CancellationOutcomeUnknown (a lost answer no read could settle). */
  outcomeUnknown: number;
  unexpectedOutcomes: number;
  levels: Record<string, number>;
  /** Kill to the in-flight cancellation's next request reaching its provider (the new worker's retry). */
  resumeMs: Summary;
  /** In-flight cancellations whose next attempt reached the provider within resumeGoalMs. */
  resumedWithinGoal: number;
  resumeGoalMs: number;
  /** Kill to the in-flight cancellation's result. */
  completeMs: Summary;
  newWorkerReadyMs: number;
  targetsWithRetriedSubmit: number;
  seconds: number;
}

/**
 * kill -9 of the worker while hundreds of submits are in flight at the providers, then a new
 * worker: every cancellation resumes on it within the bound, completes, and every target is
 * cancelled exactly once at its simulator although each first answer was lost with the worker.
 */
export async function killWorkerDrill(o: KillWorkerOptions): Promise<KillWorkerCounts> {
  const started = Date.now();
  const [holdMin, holdMax] = o.holdMs;
  const sys = await startDrillSystem({
    name: 'kill-worker',
    bundlePath: o.bundlePath,
    // Longer than the hold, so the old worker's calls wait for the answer instead of timing out.
    httpTimeoutMs: holdMax + 5000,
    log: o.log,
  });
  // Enough activity slots for every submit at once, else only 100 (the SDK default) are in flight;
  // and more pollers on each provider queue, so that 500 submits reach the providers inside the hold
  // now that they are dispatched from provider queues by polls, not eagerly (docs/rate-limits.md).
  const tuning = { maxConcurrentActivityTaskExecutions: o.count + 50, maxConcurrentActivityTaskPolls: 20 };
  try {
    const { sims, client } = sys;
    const seeded = seedMany(sims, o.count, `kill${Date.now().toString(36)}`);
    for (const s of seeded) {
      const ms = Math.round(holdMin + Math.random() * (holdMax - holdMin));
      sims.byProvider[s.provider].addFault({
        path: SUBMIT_PATH[s.provider],
        bodyIncludes: s.marker,
        fault: { kind: 'latency', ms },
      });
    }
    // Requested before any worker runs, so that the submits reach the providers in one burst and
    // all are held before the first hold ends.
    const accepted = await mapLimit(seeded, 16, (s) => client.request(s.request));
    let worker = await sys.startWorker(tuning);
    o.log(
      `  ${o.count} immediate cancellations requested; worker ${worker.pid} running; first submits held ${holdMin}-${holdMax} ms`,
    );
    const resolvedAt = new Map<string, number>();
    const results = accepted.map((a, i) =>
      resultOrError(a.workflowId, client.result(a.workflowId)).finally(() =>
        resolvedAt.set(seeded[i]!.key, Date.now()),
      ),
    );

    const firstWrites = firstWriteTracker(sims, seeded);
    // A write the simulator received and has not answered: it has no outcome yet.
    const held = () => {
      firstWrites.update();
      return seeded.filter((s) => {
        const w = firstWrites.of(s);
        return w !== undefined && w.outcome === undefined;
      });
    };
    const rampDeadline = Date.now() + 120_000;
    let firstArrival: number | undefined;
    let allHeldAt: number | undefined;
    for (;;) {
      const inFlight = held().length;
      if (inFlight > 0) firstArrival ??= Date.now();
      if (inFlight >= o.count) allHeldAt ??= Date.now();
      if (allHeldAt !== undefined && Date.now() >= allHeldAt + o.killAfterHeldMs) break;
      // The earliest held answer is due at firstArrival + holdMin: kill before it goes out.
      if (firstArrival !== undefined && Date.now() > firstArrival + holdMin - 2000) break;
      if (Date.now() > rampDeadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const inFlightTargets = held();
    const completedBeforeKill = resolvedAt.size;
    const seenAtKill = Object.fromEntries(
      Object.entries(sims.byProvider).map(([p, sim]) => [p, sim.requests.length]),
    );
    const killAt = Date.now();
    await worker.kill9();
    o.log(
      `  kill -9 worker ${worker.pid} with ${inFlightTargets.length}/${o.count} submits in flight at the providers (${completedBeforeKill} completed before)`,
    );
    worker = await sys.startWorker(tuning);
    const newWorkerReadyMs = Date.now() - killAt;
    o.log(`  new worker ${worker.pid} polling ${newWorkerReadyMs} ms after the kill`);

    const outcomes = await Promise.all(results);
    const resumeMs = inFlightTargets.map((s) => {
      const after = sims.byProvider[s.provider].requests.slice(seenAtKill[s.provider]);
      const next = after.find((r) => touches(r, s));
      return next ? Date.parse(next.at) - killAt : Infinity;
    });
    // Each first answer died with the worker; each retry must be recognised and complete.
    const judged = judgeOutcomes(
      outcomes,
      seeded,
      seeded.map(() => 'completed'),
    );
    const completeMs = inFlightTargets.map((s) => (resolvedAt.get(s.key) ?? Infinity) - killAt);
    const counts: KillWorkerCounts = {
      requested: o.count,
      inFlightAtKill: inFlightTargets.length,
      completedBeforeKill,
      ...judged.counts,
      levels: levelsOf(outcomes, seeded),
      resumeMs: summary(resumeMs),
      resumedWithinGoal: resumeMs.filter((ms) => ms <= o.resumeGoalMs).length,
      resumeGoalMs: o.resumeGoalMs,
      completeMs: summary(completeMs),
      newWorkerReadyMs,
      ...exactlyOnceCounts(sims, seeded),
      targetsWithRetriedSubmit: outcomes.filter((r) => (r.attempts ?? 0) > 1).length,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    await worker.stop();
    const problems = [
      counts.inFlightAtKill !== o.count && `only ${counts.inFlightAtKill}/${o.count} in flight at the kill`,
      judged.unexpected.length > 0 &&
        `${judged.unexpected.length} unexpected outcomes: ${judged.unexpected.slice(0, 5).join('; ')}`,
      exactlyOnceProblem(counts, o.count),
      // Every in-flight submit died with the worker: each must have been retried by the new one.
      counts.targetsWithRetriedSubmit !== counts.inFlightAtKill &&
        `${counts.targetsWithRetriedSubmit} submits retried, ${counts.inFlightAtKill} were in flight`,
      !(counts.resumeMs.max <= o.resumeBoundMs) &&
        `resume after the kill took up to ${counts.resumeMs.max} ms (bound ${o.resumeBoundMs})`,
      !(counts.completeMs.max <= o.completeBoundMs) &&
        `completion after the kill took up to ${counts.completeMs.max} ms (bound ${o.completeBoundMs})`,
    ].filter(Boolean);
    if (problems.length) throw new DrillFailure(`kill-worker: ${problems.join('; ')}`, counts);
    return counts;
  } finally {
    await sys.stop();
  }
}

/**
 * Each target's first write as it arrives, found incrementally: polling every target's writes over
 * the whole request log ten times a second would slow the simulators that share this process.
 */
function firstWriteTracker(sims: SimulatorSet, seeded: readonly Seeded[]) {
  const first = new Map<string, SimRequest>();
  const scanned = new Map<Provider, number>();
  const update = () => {
    for (const provider of providers) {
      const log = sims.byProvider[provider].requests;
      const waiting = seeded.filter((s) => s.provider === provider && !first.has(s.key));
      for (let i = scanned.get(provider) ?? 0; i < log.length; i++) {
        const r = log[i]!;
        if (!isWrite(sims, provider, r)) continue;
        const s = waiting.find((t) => touches(r, t));
        if (s) first.set(s.key, r);
      }
      scanned.set(provider, log.length);
    }
  };
  return { update, of: (s: Seeded): SimRequest | undefined => first.get(s.key) };
}
