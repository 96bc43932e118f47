import { setTimeout as sleep } from 'node:timers/promises';
import { progress, summary } from '../harness/stats';
import { type Kind } from './kinds';
import { round } from './numbers';
import { type RunRecorder } from './recorder';

export interface ClosedLoopResult {
  perSecond: number;
  completedInWindow: number;
  errors: number;
  concurrency: number;
  seconds: number;
  latencyMs: ReturnType<typeof summary>;
  /** CPU the worker process used over the window per completion in it, when a probe was given. */
  workerCpuMsPerCompletion?: number;
}

export interface OpenLoopResult {
  offeredPerSecond: number;
  requests: number;
  errors: number;
  latencyMs: ReturnType<typeof summary>;
}

/**
 * Closed loop: `concurrency` starters, each starting the next as soon as its last completed.
 * Its samples go to the chart only when `chart` is set (warm-ups and experiments stay off it).
 */
export async function closedLoop(
  rec: RunRecorder,
  kind: Kind,
  concurrency: number,
  seconds: number,
  phase: string,
  chart = true,
  workerCpuMs?: () => number,
): Promise<ClosedLoopResult> {
  const warmupMs = Math.min(5000, seconds * 200);
  const start = Date.now();
  const windowStart = start + warmupMs;
  const end = windowStart + seconds * 1000;
  const p = progress(`${phase}`, Math.round(seconds * 1000) / 1000, 5000, (l) =>
    rec.log(l.replace(/\/\d+ done/, ' done')),
  );
  let inWindow = 0;
  let errors = 0;
  const latencies: number[] = [];
  const cpu: number[] = [];
  // Read at the window's two edges, on the clock rather than on a completion, so idle does count.
  const edges = workerCpuMs && [
    setTimeout(() => cpu.push(workerCpuMs()), windowStart - Date.now()),
    setTimeout(() => cpu.push(workerCpuMs()), end - Date.now()),
  ];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t0 = Date.now();
        const ok = await kind.once().catch(() => false);
        const t1 = Date.now();
        p.tick();
        if (!ok) errors++;
        if (t1 >= windowStart && t1 <= end && ok) {
          inWindow++;
          latencies.push(t1 - t0);
        }
        if (chart && ok) rec.point(`${kind.name} (${phase})`, t0, t1 - t0);
      }
    }),
  );
  p.stop();
  edges?.forEach(clearTimeout);
  if (chart) rec.band(phase, start);
  const rate = inWindow / seconds;
  const cpuPerCompletion =
    cpu.length === 2 && inWindow > 0 ? round((cpu[1]! - cpu[0]!) / inWindow, 1) : undefined;
  rec.log(
    `${phase}: ${rate.toFixed(1)}/s at concurrency ${concurrency} (${inWindow} in ${seconds} s, ${errors} errors)`,
  );
  return {
    perSecond: round(rate),
    completedInWindow: inWindow,
    errors,
    concurrency,
    seconds,
    latencyMs: summary(latencies),
    ...(cpuPerCompletion !== undefined && { workerCpuMsPerCompletion: cpuPerCompletion }),
  };
}

/** Open loop: arrivals at a fixed rate regardless of completions; latency from request to result. */
export async function openLoop(
  rec: RunRecorder,
  kind: Kind,
  rate: number,
  seconds: number,
  phase: string,
): Promise<OpenLoopResult> {
  const start = Date.now();
  const total = Math.max(1, Math.round(rate * seconds));
  const p = progress(phase, total, 5000, rec.log);
  const latencies: number[] = [];
  let errors = 0;
  const all: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const t0 = Date.now();
    all.push(
      kind
        .once()
        .catch(() => false)
        .then((ok) => {
          const ms = Date.now() - t0;
          p.tick();
          if (!ok) return void errors++;
          latencies.push(ms);
          rec.point(`${kind.name} (${phase})`, t0, ms);
        }),
    );
  }
  await Promise.all(all);
  p.stop();
  rec.band(phase, start);
  const s = summary(latencies);
  rec.log(
    `${phase}: ${rate.toFixed(1)}/s offered, p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, ${errors} errors`,
  );
  return { offeredPerSecond: round(rate), requests: total, errors, latencyMs: s };
}

/**
 * A short warm-up off the chart, throughput at saturation (closed loop), then latency at half of
 * that rate (open loop): below saturation, so the latency is the system's and not the queue's.
 */
export async function saturationThenHalfRate(
  rec: RunRecorder,
  kind: Kind,
  o: { concurrency: number; seconds: number; latencySeconds: number },
  /** The worker process's CPU time so far, in ms (harness/worker-process.ts cpuMsOf). */
  workerCpuMs?: () => number,
): Promise<{ throughput: ClosedLoopResult; latency: OpenLoopResult }> {
  await closedLoop(rec, kind, 8, 3, 'warm-up', false);
  const throughput = await closedLoop(
    rec,
    kind,
    o.concurrency,
    o.seconds,
    `${kind.name} saturation`,
    true,
    workerCpuMs,
  );
  const latency = await openLoop(
    rec,
    kind,
    throughput.perSecond / 2,
    o.latencySeconds,
    `${kind.name} at half rate`,
  );
  return { throughput, latency };
}
