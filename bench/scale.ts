import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimit, percentile, progress, summary } from '../harness/stats';
import { seedMany } from '../harness/targets';
import { cpuMsOf, rssOf, type WorkerProcess } from '../harness/worker-process';
import { type Env } from './env';
import { MB, round } from './numbers';
import { type RunRecorder } from './recorder';

type Accepted = Awaited<ReturnType<Env['product']['request']>>;

export interface ScaleOptions {
  count: number;
  withdrawSample: number;
  /** Scheduling rate to plan the due time by (requests per second). */
  startRateGuess: number;
  /** Seconds from now to the common due time; planned from `startRateGuess` when absent. */
  aheadSeconds?: number;
}

/** How many requests to schedule, and to withdraw, at a time. */
const SCHEDULE_CONCURRENCY = 32;
const WITHDRAW_CONCURRENCY = 4;

/** N deferred cancellations waiting for one common time: memory, lateness, withdraw latency. */
export async function measureScale(e: Env, rec: RunRecorder, worker: WorkerProcess, o: ScaleOptions) {
  const { count, withdrawSample } = o;
  const start = Date.now();
  const aheadS = o.aheadSeconds ?? Math.max(120, Math.ceil((count / Math.max(1, o.startRateGuess)) * 2 + 60));
  const fireAt = new Date(Math.ceil((Date.now() + aheadS * 1000) / 1000) * 1000).toISOString();
  const due = Date.parse(fireAt);
  rec.log(
    `scale: ${count} cancellations at ${fireAt} (${aheadS} s ahead), then ${withdrawSample} withdrawn while they wait`,
  );
  const rss: Array<{ t: number; worker: number; server: number }> = [];
  const sampler = setInterval(
    () => rss.push({ t: Date.now(), worker: worker.rss(), server: rssOf(e.server.pid()) }),
    2000,
  );
  const baseRss = { worker: worker.rss(), server: rssOf(e.server.pid()) };

  const seeded = seedMany(e.sims, count, `scale${Date.now().toString(36)}`, () => ({
    mode: 'at',
    at: fireAt,
  }));
  const p = progress('scale: scheduling', count, 5000, rec.log);
  const requestMs: number[] = [];
  const accepted = await mapLimit(seeded, SCHEDULE_CONCURRENCY, async (s) => {
    const t0 = Date.now();
    const a = await e.product.request(s.request);
    requestMs.push(Date.now() - t0);
    p.tick();
    return a;
  });
  p.stop();
  const scheduledIn = (Date.now() - start) / 1000;
  const allWaitingBy = Date.now();
  rec.log(
    `scale: ${count} scheduled in ${scheduledIn.toFixed(0)} s (${(count / scheduledIn).toFixed(0)}/s); ${((due - Date.now()) / 1000).toFixed(0)} s to go`,
  );

  // While they wait: withdraw half the sample right after the burst (the worker still works through
  // its first workflow tasks), the other half once the worker is quiet; then read the memory.
  await sleep(5000);
  const half = Math.ceil(withdrawSample / 2);
  const w = await withdrawSampleOf(e, rec, accepted, half, 'withdraw right after the burst');
  const quiet = await untilQuiet(worker, due);
  const rest = accepted.filter((a) => !w.withdrawn.has(a.workflowId));
  const w2 = await withdrawSampleOf(e, rec, rest, withdrawSample - half, 'withdraw once the worker is quiet');
  for (const id of w2.withdrawn) w.withdrawn.add(id);
  for (const id of w2.refused) w.refused.add(id);
  const waiting = {
    workerRssMB: MB(worker.rss()),
    serverRssMB: MB(rssOf(e.server.pid())),
  };
  rec.log(
    `scale: withdraw right after the burst p50 ${percentile(w.ms, 50)} ms p99 ${percentile(w.ms, 99)} ms; once quiet (${quiet.quiet ? `${quiet.seconds} s later` : `not quiet after ${quiet.seconds} s`}) p50 ${percentile(w2.ms, 50)} ms p99 ${percentile(w2.ms, 99)} ms; RSS worker ${waiting.workerRssMB} MB, server ${waiting.serverRssMB} MB`,
  );
  if (Date.now() >= due) rec.log('scale: WARNING scheduling and withdrawing ran past the due time');

  // They fall due together: follow the completions by visibility.
  await sleep(Math.max(0, due - Date.now()));
  const firing = count - w.withdrawn.size + w.refused.size;
  const fireStart = Date.now();
  await followCompletions(e, rec, firing);
  const drainS = (Date.now() - fireStart) / 1000;
  rec.band(`${firing} fire together`, fireStart);
  clearInterval(sampler);

  rec.log('scale: reading the results');
  const lateMs: number[] = [];
  let notCompleted = 0;
  await mapLimit(
    accepted.filter((a) => !w.withdrawn.has(a.workflowId) || w.refused.has(a.workflowId)),
    SCHEDULE_CONCURRENCY,
    async (a) => {
      const r = await e.product.result(a.workflowId);
      if (r.status !== 'completed' || !r.submittedAt) return void notCompleted++;
      const late = Date.parse(r.submittedAt) - due;
      lateMs.push(late);
      rec.point('deferred: late at submit', Date.parse(r.submittedAt), Math.max(1, late));
    },
  );
  const peak = (k: 'worker' | 'server', from: number, to: number) =>
    MB(Math.max(0, ...rss.filter((r) => r.t >= from && r.t <= to).map((r) => r[k])));
  return {
    count,
    fireAt,
    scheduledInSeconds: round(scheduledIn),
    schedulingPerSecond: round(count / scheduledIn),
    requestLatencyMs: summary(requestMs),
    allWaitingBeforeDue: allWaitingBy < due,
    rssMB: {
      workerBefore: MB(baseRss.worker),
      serverBefore: MB(baseRss.server),
      workerWaiting: waiting.workerRssMB,
      serverWaiting: waiting.serverRssMB,
      workerPeakWhileFiring: peak('worker', fireStart, Date.now()),
      serverPeakWhileFiring: peak('server', fireStart, Date.now()),
    },
    withdrawn: w.withdrawn.size - w.refused.size,
    withdrawRefused: w.refused.size,
    withdrawConcurrency: WITHDRAW_CONCURRENCY,
    withdrawLatencyMs: summary(w.ms),
    ...(w2.ms.length && { withdrawWhenQuietLatencyMs: summary(w2.ms) }),
    workerQuietAfterSeconds: quiet.seconds,
    workerWasQuiet: quiet.quiet,
    fired: firing,
    completed: lateMs.length,
    notCompleted,
    drainSeconds: round(drainS),
    drainPerSecond: round(firing / drainS),
    lateAtSubmitMs: summary(lateMs),
    ...(lateMs.length && { firstSubmitLateMs: Math.min(...lateMs) }),
  };
}

/**
 * Waits until the worker uses under a tenth of a core over two seconds (its backlog of first
 * workflow tasks done), but never closer than 30 s to the due time: whether it got quiet, and when.
 */
async function untilQuiet(worker: WorkerProcess, due: number): Promise<{ quiet: boolean; seconds: number }> {
  const start = Date.now();
  let quiet = false;
  while (!quiet && Date.now() < due - 30_000) {
    const before = cpuMsOf(worker.pid);
    await sleep(2000);
    quiet = cpuMsOf(worker.pid) - before < 200;
  }
  return { quiet, seconds: round((Date.now() - start) / 1000) };
}

/** Withdraws `n` of the waiting cancellations, spread over the list, a few at a time. */
async function withdrawSampleOf(e: Env, rec: RunRecorder, accepted: Accepted[], n: number, label: string) {
  const sample = accepted
    .filter((_, i) => i % Math.max(1, Math.floor(accepted.length / n)) === 0)
    .slice(0, n);
  const ms: number[] = [];
  const refused = new Set<string>();
  const start = Date.now();
  const p = progress('scale: withdrawing', sample.length, 5000, rec.log);
  await mapLimit(sample, WITHDRAW_CONCURRENCY, async (a) => {
    const t0 = Date.now();
    // Past the due time a sampled one may already be submitting: refused, and counted as such.
    const ok = await e.product.withdraw(a.workflowId, 'bench sample').then(
      () => true,
      () => false,
    );
    p.tick();
    if (!ok) return void refused.add(a.workflowId);
    const took = Date.now() - t0;
    ms.push(took);
    rec.point(label, t0, took);
  });
  p.stop();
  rec.band(label, start);
  return { ms, refused, withdrawn: new Set(sample.map((a) => a.workflowId)) };
}

/** Polls visibility until `firing` more runs completed on the product queue (30 min at most). */
async function followCompletions(e: Env, rec: RunRecorder, firing: number): Promise<void> {
  const q = `WorkflowType = 'cancelSubscription' AND CancellationStage = 'completed' AND TaskQueue = '${e.product.taskQueue}'`;
  const p = progress('scale: firing', firing, 5000, rec.log);
  let completedBefore = (await e.product.client.workflow.count(q)).count;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    await sleep(2000);
    const n = (await e.product.client.workflow.count(q)).count;
    p.tick(n - completedBefore);
    completedBefore = n;
    if (p.done >= firing || Date.now() > deadline) break;
  }
  p.stop();
}
