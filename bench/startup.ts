import { CancellationClient } from '../client/cancellation-client';
import { percentile } from '../drills/support/stats';
import { seedMany } from '../drills/support/targets';
import { spawnWorker } from '../drills/support/worker-process';
import { queue, type Env, type Started } from './env';

export interface StartupResult {
  runs: Array<Record<string, number>>;
  medianMs: Record<string, number>;
}

/** Process start to RUNNING (first poll), and to the first cancellation completed, `runs` times. */
export async function measureStartup(e: Env, started: Started, runs = 3): Promise<StartupResult> {
  const out: Array<Record<string, number>> = [];
  for (let i = 0; i < runs; i++) {
    const tq = queue('startup');
    const client = new CancellationClient(e.product.client, tq);
    const [s] = seedMany(e.sims, 1, `startup${i}${Date.now().toString(36)}`);
    const accepted = await client.request(s!.request); // waits in the task queue for the worker
    const w = started.worker(
      spawnWorker({
        address: e.server.address,
        taskQueue: tq,
        bundlePath: e.bundles.product,
        env: { ...e.sims.env },
      }),
    );
    const m = await w.ready;
    await client.result(accepted.workflowId);
    const done = Date.now();
    await w.stop();
    out.push({
      toModulesLoadedMs: m.loaded - w.spawnedAt,
      toConnectedMs: m.connected - w.spawnedAt,
      toWorkerCreatedMs: m.created - w.spawnedAt,
      toRunningMs: m.running - w.spawnedAt,
      toFirstCancellationCompletedMs: done - w.spawnedAt,
    });
    e.log(
      `start-up ${i + 1}: RUNNING after ${m.running - w.spawnedAt} ms, first cancellation done after ${done - w.spawnedAt} ms`,
    );
  }
  const median = (k: string) =>
    percentile(
      out.map((r) => r[k]!),
      50,
    );
  return {
    runs: out,
    medianMs: Object.fromEntries(Object.keys(out[0]!).map((k) => [k, median(k)])),
  };
}
