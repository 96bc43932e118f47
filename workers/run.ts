import { NativeConnection } from '@temporalio/worker';
import { loadProviderEnv } from '../activities/config';
import { activityDeps } from '../activities/deps';
import { temporalTargetFromEnv } from '../client/connection';
import { rateLimitsFromEnv } from '../common/rate-limits';
import { healthAddressFromEnv, healthSourceFor, startHealthServer, type HealthServer } from './health';
import { installRedactingWorkerLogger } from './logging';
import { createCancellationWorker } from './worker';

/** Runs a worker configured from the environment until SIGINT/SIGTERM (Temporal handles both). */
export async function runWorkerFromEnv(log: (line: string) => void = console.log): Promise<void> {
  const env = loadProviderEnv();
  const rateLimits = rateLimitsFromEnv(process.env); // a mistake stops here, before connecting
  const healthAddress = healthAddressFromEnv(); // CANCELLATIONS_HEALTH_ADDRESS: GET /healthz
  installRedactingWorkerLogger(); // before the first connection creates the runtime
  const target = temporalTargetFromEnv();
  const connection = await NativeConnection.connect(
    target.connectionOptions as Parameters<typeof NativeConnection.connect>[0],
  );
  let health: HealthServer | undefined;
  try {
    const worker = await createCancellationWorker({
      connection,
      namespace: target.namespace,
      taskQueue: target.taskQueue,
      deps: activityDeps(env),
      rateLimits,
    });
    log(`worker polling task queue "${target.taskQueue}" in namespace "${target.namespace}"`);
    const rates = Object.entries(worker.providerWorkers).map(
      ([p, w]) => `"${w.options.taskQueue}" at ${w.options.maxTaskQueueActivitiesPerSecond}/s (${p})`,
    );
    log(`provider activity queues, rates across all workers: ${rates.join(', ')}`);
    if (healthAddress) health = await startHealthServer(healthSourceFor(worker, connection), healthAddress);
    if (health) log(`health at ${health.url}`);
    await worker.run();
  } finally {
    await health?.close();
    await connection.close();
  }
}
