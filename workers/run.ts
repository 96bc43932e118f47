import { NativeConnection } from '@temporalio/worker';
import { loadProviderEnv } from '../activities/config';
import { activityDeps } from '../activities/deps';
import { temporalTargetFromEnv } from '../client/connection';
import { installRedactingWorkerLogger } from './logging';
import { createCancellationWorker } from './worker';

/** Runs a worker configured from the environment until SIGINT/SIGTERM (Temporal handles both). */
export async function runWorkerFromEnv(log: (line: string) => void = console.log): Promise<void> {
  const env = loadProviderEnv();
  installRedactingWorkerLogger(); // before the first connection creates the runtime
  const target = temporalTargetFromEnv();
  const connection = await NativeConnection.connect(
    target.connectionOptions as Parameters<typeof NativeConnection.connect>[0],
  );
  try {
    const worker = await createCancellationWorker({
      connection,
      namespace: target.namespace,
      taskQueue: target.taskQueue,
      deps: activityDeps(env),
    });
    log(`worker polling task queue "${target.taskQueue}" in namespace "${target.namespace}"`);
    await worker.run();
  } finally {
    await connection.close();
  }
}
