import { type CancellationResult } from '../common/result';
import { mapLimit, percentile } from './support/stats';
import { startDrillSystem, DrillFailure, waitFor } from './support/system';
import { seedMany, exactlyOnceCounts, type ExactlyOnceCounts } from './support/targets';

export interface ServerRestartOptions {
  count: number;
  /** How far ahead the cancellations are scheduled (the restart happens well before). */
  aheadMs: number;
  /** How long the server stays down. */
  downMs: number;
  /** SIGKILL instead of a graceful stop. */
  hard: boolean;
  bundlePath: string;
  log: (line: string) => void;
}

export interface ServerRestartCounts extends ExactlyOnceCounts {
  requested: number;
  scheduledBeforeRestart: number;
  restart: 'SIGTERM' | 'SIGKILL';
  downSeconds: number;
  scheduledAfterRestart: number;
  completed: number;
  notCompleted: number;
  firedBeforeRestart: number;
  firedEarly: number;
  workerRestarts: number;
  lateMsP50: number;
  lateMsMax: number;
  seconds: number;
}

/**
 * Restarts the dev server (same SQLite file, same port) while hundreds of cancellations wait for a
 * common time: after the restart every one is still there and fires, once, no earlier than due.
 */
export async function serverRestartDrill(o: ServerRestartOptions): Promise<ServerRestartCounts> {
  const started = Date.now();
  const sys = await startDrillSystem({ name: 'server-restart', bundlePath: o.bundlePath, log: o.log });
  try {
    const { sims, client, server } = sys;
    let worker = await sys.startWorker();
    const at = new Date(Date.now() + o.aheadMs).toISOString();
    const seeded = seedMany(sims, o.count, `restart${Date.now().toString(36)}`, () => ({ mode: 'at', at }));
    o.log(`  requesting ${o.count} cancellations at ${at} (server ${server.address}, db ${server.dbFile})`);
    const accepted = await mapLimit(seeded, 16, (s) => client.request(s.request));
    const scheduledBeforeRestart = await waitFor(
      () => sys.countWorkflows(`CancellationStage = 'scheduled' AND ExecutionStatus = 'Running'`),
      (n) => n === o.count,
      20_000,
    );
    o.log(
      `  ${scheduledBeforeRestart} scheduled by visibility; ${o.hard ? 'kill -9' : 'stopping'} the server (pid ${server.pid()})`,
    );

    const downAt = Date.now();
    if (o.hard) await server.kill9();
    else await server.stop();
    await new Promise((r) => setTimeout(r, o.downMs));
    await server.start();
    const upAt = Date.now();
    o.log(`  server back (pid ${server.pid()}) after ${((upAt - downAt) / 1000).toFixed(1)} s down`);
    if (upAt >= Date.parse(at))
      throw new DrillFailure('server-restart: the restart took past the due time; raise aheadMs');

    // A worker that gave up while the server was away would be restarted by its supervisor.
    let workerRestarts = 0;
    let stopping = false;
    const supervise = async () => {
      const code = await worker.exited;
      if (stopping) return;
      workerRestarts++;
      o.log(`  worker exited (${code}) while the server was away: starting another`);
      worker = await sys.startWorker();
      void supervise();
    };
    void supervise();

    const scheduledAfterRestart = await waitFor(
      () => sys.countWorkflows(`CancellationStage = 'scheduled' AND ExecutionStatus = 'Running'`),
      (n) => n === o.count,
      20_000,
    );
    o.log(`  ${scheduledAfterRestart} still scheduled after the restart; waiting for ${at}`);
    const results = await Promise.all(
      accepted.map((a) =>
        client
          .result(a.workflowId)
          .catch((err: unknown) => ({ status: `error: ${String(err)}` }) as unknown as CancellationResult),
      ),
    );
    stopping = true;
    const submitted = results.map((r) => (r.submittedAt ? Date.parse(r.submittedAt) : NaN));
    const counts: ServerRestartCounts = {
      requested: o.count,
      scheduledBeforeRestart,
      restart: o.hard ? 'SIGKILL' : 'SIGTERM',
      downSeconds: Math.round((upAt - downAt) / 100) / 10,
      scheduledAfterRestart,
      completed: results.filter((r) => r.status === 'completed').length,
      notCompleted: results.filter((r) => r.status !== 'completed').length,
      firedBeforeRestart: submitted.filter((t) => t < upAt).length,
      firedEarly: submitted.filter((t) => t < Date.parse(at)).length,
      ...exactlyOnceCounts(sims, seeded),
      workerRestarts,
      lateMsP50: percentile(
        submitted.map((t) => t - Date.parse(at)),
        50,
      ),
      lateMsMax: Math.max(...submitted.map((t) => t - Date.parse(at))),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    await worker.stop();
    if (
      counts.completed !== o.count ||
      counts.cancelledExactlyOnce !== o.count ||
      counts.scheduledAfterRestart !== o.count ||
      counts.firedEarly > 0 ||
      counts.firedBeforeRestart > 0
    )
      throw new DrillFailure(`server-restart: lost, duplicated or early: ${JSON.stringify(counts)}`);
    return counts;
  } finally {
    await sys.stop();
  }
}
