import { judgeOutcomes, resultOrError } from './support/outcomes';
import { mapLimit, summary } from '../harness/stats';
import { startDrillSystem, DrillFailure, waitFor, type DrillSystem } from './support/system';
import { seedMany, exactlyOnceCounts, exactlyOnceProblem, type ExactlyOnceCounts } from '../harness/targets';
import { type WorkerProcess } from '../harness/worker-process';

export type RestartMode = 'graceful' | 'kill';

export interface ServerRestartOptions {
  count: number;
  /** How far ahead the cancellations are scheduled (every restart happens well before). */
  aheadMs: number;
  /** How long the server stays down each time. */
  downMs: number;
  /** The restarts, in order: SIGTERM (graceful) and/or SIGKILL of the dev server. */
  modes: RestartMode[];
  /** The last of them must be submitted within this of the due time. */
  lateBoundMs: number;
  /** After each restart, a fresh immediate cancellation must complete within this. */
  recoverBoundMs: number;
  bundlePath: string;
  log: (line: string) => void;
}

export interface RestartCounts {
  mode: RestartMode;
  signal: 'SIGTERM' | 'SIGKILL';
  /** From the stop signal until the server answered again (includes the imposed downtime). */
  downMs: number;
  /** From the server answering until visibility showed every cancellation still scheduled. */
  scheduledVisibleMs: number;
  scheduledAfter: number;
  /** From the server answering until a fresh immediate cancellation completed (worker back at work). */
  recoveredMs: number;
}

type Summary = ReturnType<typeof summary>;

export interface ServerRestartCounts extends ExactlyOnceCounts {
  requested: number;
  scheduledBeforeRestart: number;
  restarts: RestartCounts[];
  completed: number;
  unexpectedOutcomes: number;
  firedBeforeRestart: number;
  firedEarly: number;
  lateMs: Summary;
  workerRestarts: number;
  seconds: number;
}

const SCHEDULED = `CancellationStage = 'scheduled' AND ExecutionStatus = 'Running'`;

/**
 * Restarts the dev server (same SQLite file, same port), gracefully and with kill -9, while
 * hundreds of cancellations wait for a common time: after each restart every one is still there,
 * the system takes new work again, and at the due time each fires once, no earlier.
 */
export async function serverRestartDrill(o: ServerRestartOptions): Promise<ServerRestartCounts> {
  const started = Date.now();
  const sys = await startDrillSystem({ name: 'server-restart', bundlePath: o.bundlePath, log: o.log });
  let stopping = false;
  try {
    const { sims, client, server } = sys;
    const runKey = `restart${Date.now().toString(36)}`;
    const at = new Date(Date.now() + o.aheadMs).toISOString();
    const seeded = seedMany(sims, o.count, runKey, () => ({ mode: 'at', at }));
    const supervisor = supervise(sys, await sys.startWorker(), o.log, () => stopping);
    o.log(`  requesting ${o.count} cancellations at ${at} (server ${server.address}, db ${server.dbFile})`);
    const accepted = await mapLimit(seeded, 16, (s) => client.request(s.request));
    const scheduledBeforeRestart = await waitFor(
      () => sys.countWorkflows(SCHEDULED),
      (n) => n === o.count,
      30_000,
    );

    const restarts: RestartCounts[] = [];
    let lastUpAt = 0;
    for (const [i, mode] of o.modes.entries()) {
      const downAt = Date.now();
      o.log(
        `  ${scheduledBeforeRestart} scheduled; ${mode === 'kill' ? 'kill -9' : 'stopping'} the server (pid ${server.pid()})`,
      );
      if (mode === 'kill') await server.kill9();
      else await server.stop();
      await new Promise((r) => setTimeout(r, o.downMs));
      await server.start();
      const upAt = (lastUpAt = Date.now());
      const scheduledAfter = await waitFor(
        () => sys.countWorkflows(SCHEDULED),
        (n) => n === o.count,
        30_000,
      );
      const scheduledVisibleMs = Date.now() - upAt;
      // The worker reconnects by itself; a fresh cancellation completing shows it is at work again.
      const [probe] = seedMany(sims, 1, `${runKey}p${i}`, () => ({ mode: 'immediate' }), ['rebilly']);
      const probed = await client.request(probe!.request);
      const probeResult = await client.result(probed.workflowId);
      const recoveredMs = Date.now() - upAt;
      if (probeResult.status !== 'completed')
        throw new DrillFailure(`server-restart: the probe after the ${mode} restart ${probeResult.status}`);
      restarts.push({
        mode,
        signal: mode === 'kill' ? 'SIGKILL' : 'SIGTERM',
        downMs: upAt - downAt,
        scheduledVisibleMs,
        scheduledAfter,
        recoveredMs,
      });
      o.log(
        `  server back (pid ${server.pid()}) after ${upAt - downAt} ms; ${scheduledAfter} still scheduled; a new cancellation completed ${recoveredMs} ms after`,
      );
    }
    if (lastUpAt >= Date.parse(at))
      throw new DrillFailure('server-restart: the restarts took past the due time; raise aheadMs');

    o.log(`  waiting for ${at}`);
    const results = await Promise.all(
      accepted.map((a) => resultOrError(a.workflowId, client.result(a.workflowId))),
    );
    stopping = true;
    // Nothing's answer is lost here: every one must complete.
    const judged = judgeOutcomes(
      results,
      seeded,
      seeded.map(() => 'completed'),
    );
    const submitted = results.map((r) => (r.submittedAt ? Date.parse(r.submittedAt) : NaN));
    const due = Date.parse(at);
    const counts: ServerRestartCounts = {
      requested: o.count,
      scheduledBeforeRestart,
      restarts,
      completed: judged.counts.completed,
      unexpectedOutcomes: judged.counts.unexpectedOutcomes,
      firedBeforeRestart: submitted.filter((t) => t < lastUpAt).length,
      firedEarly: submitted.filter((t) => t < due).length,
      lateMs: summary(submitted.map((t) => t - due)),
      ...exactlyOnceCounts(sims, seeded),
      workerRestarts: supervisor.restarts(),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    await supervisor.current().stop();
    const problems = [
      counts.scheduledBeforeRestart !== o.count && `${counts.scheduledBeforeRestart} scheduled before`,
      ...restarts
        .filter((r) => r.scheduledAfter !== o.count || !(r.recoveredMs <= o.recoverBoundMs))
        .map(
          (r) => `${r.mode} restart: ${r.scheduledAfter} scheduled after, recovered in ${r.recoveredMs} ms`,
        ),
      judged.unexpected.length > 0 &&
        `${judged.unexpected.length} not completed: ${judged.unexpected.slice(0, 5).join('; ')}`,
      exactlyOnceProblem(counts, o.count),
      counts.firedEarly > 0 && `${counts.firedEarly} fired early`,
      counts.firedBeforeRestart > 0 && `${counts.firedBeforeRestart} fired before the restart`,
      !(counts.lateMs.max <= o.lateBoundMs) &&
        `submitted up to ${counts.lateMs.max} ms late (bound ${o.lateBoundMs})`,
    ].filter(Boolean);
    if (problems.length) throw new DrillFailure(`server-restart: ${problems.join('; ')}`, counts);
    return counts;
  } finally {
    stopping = true;
    await sys.stop();
  }
}

/** A worker that exits while the server is away is restarted, as its supervisor would. */
function supervise(
  sys: DrillSystem,
  first: WorkerProcess,
  log: (line: string) => void,
  stopping: () => boolean,
) {
  let worker = first;
  let restarts = 0;
  const watch = async (w: WorkerProcess): Promise<void> => {
    const code = await w.exited;
    if (stopping()) return;
    restarts++;
    log(`  worker exited (${code}) while the server was away: starting another`);
    worker = await sys.startWorker();
    return watch(worker);
  };
  void watch(first);
  return { current: () => worker, restarts: () => restarts };
}
