import { type CancellationResult } from '../common/result';
import { mapLimit } from './support/stats';
import { startDrillSystem, DrillFailure } from './support/system';
import {
  cancellationsAt,
  seedMany,
  submitCalls,
  exactlyOnceCounts,
  type ExactlyOnceCounts,
} from './support/targets';

export interface KillWorkerOptions {
  count: number;
  /** Added to every simulator answer, so that many cancellations are mid-flight at the kill. */
  latencyMs: number;
  /** Kill the worker once this many have completed (0: as soon as all are accepted). */
  killAfter: number;
  /**
   * Immediate cancellations (the default) are mid-activity at the kill: those activities are
   * retried after their 45 s start-to-close timeout. With `atInMs` they are waiting on their timers
   * in the worker's cache instead (the quick variant the test suite runs).
   */
  atInMs?: number;
  bundlePath: string;
  log: (line: string) => void;
}

export interface KillWorkerCounts extends ExactlyOnceCounts {
  requested: number;
  completedBeforeKill: number;
  submitCallsBeforeKill: number;
  inFlightAtKill: number;
  completed: number;
  notCompleted: number;
  submitCalls: number;
  targetsWithRetriedSubmit: number;
  seconds: number;
}

/**
 * kill -9 of the worker process during hundreds of in-flight cancellations, then a new worker:
 * every cancellation completes, and every target is cancelled exactly once at its simulator.
 */
export async function killWorkerDrill(o: KillWorkerOptions): Promise<KillWorkerCounts> {
  const started = Date.now();
  const sys = await startDrillSystem({ name: 'kill-worker', bundlePath: o.bundlePath, log: o.log });
  try {
    const { sims, client } = sys;
    for (const sim of Object.values(sims.byProvider))
      sim.addFault({ fault: { kind: 'latency', ms: o.latencyMs }, times: 0 });
    const at = o.atInMs === undefined ? undefined : new Date(Date.now() + o.atInMs).toISOString();
    const seeded = seedMany(sims, o.count, `kill${Date.now().toString(36)}`, () =>
      at ? { mode: 'at', at } : { mode: 'immediate' },
    );
    let worker = await sys.startWorker();
    o.log(
      `  worker ${worker.pid} running; requesting ${o.count} cancellations${at ? ` at ${at}` : ' (immediate)'}, ${o.latencyMs} ms simulator latency`,
    );

    let completed = 0;
    const results = new Map<string, Promise<CancellationResult>>();
    const accepted = await mapLimit(seeded, 16, async (s) => {
      const a = await client.request(s.request);
      const r = client.result(a.workflowId);
      r.then(() => completed++).catch(() => undefined);
      results.set(s.key, r);
      return a;
    });
    while (completed < o.killAfter) await new Promise((r) => setTimeout(r, 20));
    const submitCallsBeforeKill = seeded.reduce((n, s) => n + submitCalls(sims, s).length, 0);
    const completedBeforeKill = completed;
    await worker.kill9();
    o.log(
      `  kill -9 worker ${worker.pid}: ${completedBeforeKill}/${o.count} completed, ${o.count - completedBeforeKill} in flight, ${submitCallsBeforeKill} submit calls so far`,
    );
    await new Promise((r) => setTimeout(r, 1000));
    worker = await sys.startWorker();
    o.log(
      `  new worker ${worker.pid} running${at ? '' : '; activities that died with the old one retry after their 45 s start-to-close timeout'}`,
    );

    const outcomes = await Promise.all(
      accepted.map((_, i) =>
        results
          .get(seeded[i]!.key)!
          .then((r) => r.status)
          .catch((err: unknown) => `error: ${String(err)}`),
      ),
    );
    const perTarget = seeded.map((s) => cancellationsAt(sims, s));
    const calls = seeded.map((s) => submitCalls(sims, s).length);
    const counts: KillWorkerCounts = {
      requested: o.count,
      completedBeforeKill,
      submitCallsBeforeKill,
      inFlightAtKill: o.count - completedBeforeKill,
      completed: outcomes.filter((x) => x === 'completed').length,
      notCompleted: outcomes.filter((x) => x !== 'completed').length,
      ...exactlyOnceCounts(sims, seeded),
      submitCalls: calls.reduce((a, b) => a + b, 0),
      targetsWithRetriedSubmit: calls.filter((n) => n > 1).length,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    await worker.stop();
    if (counts.completed !== o.count || counts.cancelledExactlyOnce !== o.count) {
      const bad = outcomes
        .map((x, i) => `${seeded[i]!.key}=${x}/${perTarget[i]}`)
        .filter((_, i) => outcomes[i] !== 'completed' || perTarget[i] !== 1);
      throw new DrillFailure(
        `kill-worker: lost or duplicated: ${JSON.stringify(counts)}; ${bad.slice(0, 10).join(', ')}`,
      );
    }
    return counts;
  } finally {
    await sys.stop();
  }
}
