import { ms, round, signedPercent } from './numbers';
import { EXPERIMENT, type Experiment, type Finding, type Measured } from './report-types';

// The report's conclusions, each drawn from this run's numbers: a sentence here may only state a
// number or a verdict that it computes, so no sentence can outlive the data it describes.

/** A throughput difference smaller than this fraction is treated as noise. */
export const NOISE = 0.1;
const NOISE_PERCENT = `${NOISE * 100} %`;

const change = (value: number, base: number) => (value - base) / base;
const reference = (r: Measured) => r.experiments.find((x) => x.name === EXPERIMENT.reference);
const experiment = (r: Measured, name: string) => r.experiments.find((x) => x.name === name);
const ON_ANOTHER_SERVER: readonly string[] = [EXPERIMENT.plainServer, EXPERIMENT.onePartition];

/**
 * What an experiment is judged against: a server experiment against the fresh server as shipped
 * (reports before it existed: the shipped defaults), the fresh server itself and every worker
 * experiment against the shipped defaults on the main server.
 */
export function referenceFor(r: Measured, x: Experiment): Experiment | undefined {
  const fresh = ON_ANOTHER_SERVER.includes(x.name) ? experiment(r, EXPERIMENT.freshServer) : undefined;
  return fresh ?? reference(r);
}

const against = (base: Experiment) =>
  base.name === EXPERIMENT.reference ? 'with the shipped defaults' : `on the ${base.name}`;

/** The experiment's verdict against the shipped defaults. */
export function verdict(perSecond: number, base: number): string {
  const delta = change(perSecond, base);
  if (Math.abs(delta) < NOISE) return 'within noise: the shipped default stays';
  return delta > 0 ? 'faster in this one short run: repeat before changing a default' : 'slower: not shipped';
}

/** One finding per experiment against the reference, and eager start if it was measured. */
export function findingsFrom(r: Measured): Finding[] {
  const out: Finding[] = [];
  for (const x of r.experiments) {
    const base = referenceFor(r, x);
    if (x === base || !base) continue;
    out.push({
      tried: `${x.name}: ${x.setting}`,
      numbers: `${x.perSecond}/s (p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms) against ${base.perSecond}/s (p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms) ${against(base)}: ${signedPercent(change(x.perSecond, base.perSecond))}`,
    });
  }
  const e = r.eagerStart;
  if (e?.regular && e.eager)
    out.push({
      tried: `eager workflow start (baseline workflow, worker in the starting process on one NativeConnection, ${e.eager.count} sequential runs)`,
      numbers: `p50 ${e.eager.p50} ms eager against ${e.regular.p50} ms regular (p99 ${e.eager.p99} / ${e.regular.p99} ms)`,
    });
  return out;
}

/** Why the closed-loop latencies are not the ones to quote, from Little's law and the open loop. */
export function saturationNote(r: Measured): string {
  const closed = r.throughput.cancellation;
  const open = r.latency.cancellation;
  const times = closed.latencyMs.p50 / open.latencyMs.p50;
  const waitMs = (r.setup.concurrency / closed.perSecond) * 1000;
  return `At saturation the cancellation p50 (${ms(closed.latencyMs.p50)}) is ${round(times)} times the open-loop p50 at half the rate (${ms(open.latencyMs.p50)}); ${r.setup.concurrency} starters at ${closed.perSecond}/s make each round take about ${ms(waitMs)} (Little's law). ${times >= 2 ? 'So the latencies above are mostly queueing in the load generator (the starters wait their turn at the worker); the open-loop figures below are the ones to quote.' : 'Little of the latency above is queueing at this concurrency.'}`;
}

/** Worker memory per cached run, from the scale phase (MB). */
function perCachedRunMB(r: Measured): { cached: number; each: string } {
  const cached = Math.min(r.scale.count, Number(r.setup.workerOptions.maxCachedWorkflows) || r.scale.count);
  const grew = (r.scale.rssMB.workerWaiting ?? 0) - (r.scale.rssMB.workerBefore ?? 0);
  return { cached, each: cached > 0 ? (grew / cached).toFixed(1) : '?' };
}

/** What the worker's and the server's memory did while the deferred cancellations waited. */
export function memoryNote(r: Measured): string {
  const m = r.scale.rssMB;
  const { cached, each } = perCachedRunMB(r);
  const serverGrew = signedPercent(change(m.serverWaiting ?? NaN, m.serverBefore ?? NaN));
  return `The worker keeps at most maxCachedWorkflows (${String(r.setup.workerOptions.maxCachedWorkflows)} as shipped, workers/worker.ts) runs in memory and evicts beyond that: with ${r.scale.count.toLocaleString('en')} waiting its RSS went from ${m.workerBefore} to ${m.workerWaiting} MB, about ${each} MB per cached run (${cached} cached) if the cache holds all of the growth. The server's RSS went from ${m.serverBefore} to ${m.serverWaiting} MB (${serverGrew}), ${m.serverPeakWhileFiring} MB at its peak while they fired.`;
}

/** How late the due runs were submitted, against what the measured throughput predicts. */
export function latenessNote(r: Measured): string {
  const s = r.scale;
  const rate = r.throughput.cancellation.perSecond;
  const drainDelta = change(s.drainPerSecond, rate);
  const predictedMs = (s.fired / rate) * 1000;
  const setByThroughput = Math.abs(drainDelta) < NOISE;
  return `They drained at ${s.drainPerSecond}/s against the ${rate}/s measured at saturation (${signedPercent(drainDelta)}); at that rate ${s.fired.toLocaleString('en')} take ${ms(predictedMs)}, and the last submit came ${ms(s.lateAtSubmitMs.max)} after the due time. ${setByThroughput ? `Within ${NOISE_PERCENT} of the saturation rate, so how late they fire is set by throughput: the one worker works through the due runs as fast as it works at all.` : `More than ${NOISE_PERCENT} off the saturation rate, so throughput alone does not explain how late they fire in this run.`} Spread large batches of deferred cancellations (or add workers) when that matters.`;
}

/** The threshold the verdicts use, next to how far apart the same configuration measured twice. */
export function noiseNote(r: Measured): string {
  const base = reference(r);
  const sat = r.throughput.cancellation;
  const head = `Verdicts treat differences under ${NOISE_PERCENT} as noise.`;
  if (!base) return head;
  const apart = Math.abs(change(base.perSecond, sat.perSecond));
  return `${head} The same configuration ran twice in this run, the saturation window (${sat.perSecond}/s over ${sat.seconds} s) and "${EXPERIMENT.reference}" (${base.perSecond}/s over ${String(r.setup.experimentSeconds)} s): ${(apart * 100).toFixed(0)} % apart${apart >= NOISE ? `, more than the threshold, so a single verdict below is weak evidence` : ''}.`;
}

/** The verdict on the shipped pragmas, from the throughput without them. */
function pragmasVerdict(withoutThem: number): string {
  if (Math.abs(withoutThem) < NOISE) return 'within noise, no evidence for or against them in this run';
  return withoutThem < 0
    ? 'they stay'
    : 'faster without them in this one short run: repeat before changing them';
}

const listed = (xs: Experiment[], base: Experiment) =>
  xs.length
    ? xs.map((x) => `${x.name} (${signedPercent(change(x.perSecond, base.perSecond))})`).join(', ')
    : 'none';

/** The "What the project ships" bullets: each states what this run showed for it. */
export function shipsNotes(r: Measured): string[] {
  const base = reference(r);
  const plain = experiment(r, EXPERIMENT.plainServer);
  const partition = experiment(r, EXPERIMENT.onePartition);
  const small = experiment(r, EXPERIMENT.smallCache);
  const { each } = perCachedRunMB(r);
  const cache = `\`maxCachedWorkflows\` ${String(r.setup.workerOptions.maxCachedWorkflows)} as shipped (workers/worker.ts): about ${each} MB of worker memory per cached run in this run (if the cache holds all of the RSS growth)`;
  const eager =
    "Eager workflow start is not used: it needs the worker in the starting process on the same NativeConnection, which the product's separate client and worker processes do not have.";
  if (!base)
    return [
      `- Tuning experiments were skipped in this run (\`--no-experiments\`): no verdict on the server pragmas or the worker settings.`,
      `- ${cache}.`,
      `- ${eager}`,
    ];
  const fresh = experiment(r, EXPERIMENT.freshServer);
  const changes = r.experiments.filter((x) => x !== base && x !== fresh);
  const others = changes.filter((x) => x !== plain && x !== partition);
  const baseOf = (x: Experiment) => referenceFor(r, x) ?? base;
  const delta = (x: Experiment) => change(x.perSecond, baseOf(x).perSecond);
  const largest = changes.reduce((a, b) => (Math.abs(delta(b)) > Math.abs(delta(a)) ? b : a), plain ?? base);
  return [
    plain
      ? `- The dev server with the shipped SQLite pragmas (scripts/dev-server-tuning.ts, see Setup): without them ${plain.perSecond}/s against ${baseOf(plain).perSecond}/s ${against(baseOf(plain))} (${signedPercent(delta(plain))}: ${pragmasVerdict(delta(plain))}); ${largest === plain ? 'the largest change of any experiment in this run' : `not the largest change in this run (${largest.name}, ${signedPercent(delta(largest))})`}.`
      : '- The dev server with the shipped SQLite pragmas: not compared against SQLite defaults in this run.',
    partition
      ? `- Task-queue partitions as start-dev leaves them (4 per queue): with one (${partition.setting}) ${partition.perSecond}/s against ${baseOf(partition).perSecond}/s ${against(baseOf(partition))} (${signedPercent(delta(partition))}, ${verdict(partition.perSecond, baseOf(partition).perSecond)}).`
      : '- Task-queue partitions: not compared in this run.',
    `- The worker and client settings as shipped, against ${base.perSecond}/s: faster by more than ${NOISE_PERCENT}: ${listed(
      others.filter((x) => delta(x) >= NOISE),
      base,
    )}; slower by more than ${NOISE_PERCENT}: ${listed(
      others.filter((x) => delta(x) <= -NOISE),
      base,
    )}; within ${NOISE_PERCENT}: ${listed(
      others.filter((x) => Math.abs(delta(x)) < NOISE),
      base,
    )}. Each is one short run: repeat one before changing a default.`,
    `- ${cache}${small ? `; the "${small.name}" experiment (${small.setting}) ran at ${small.perSecond}/s against ${base.perSecond}/s (${signedPercent(delta(small))}, ${verdict(small.perSecond, base.perSecond)})` : ''}.`,
    `- ${eager}`,
  ];
}
