import 'dotenv/config';
import { NativeConnection } from '@temporalio/worker';
import { loadProviderEnv } from '../activities/config';
import { createHttpClient } from '../activities/http/client';
import { temporalTargetFromEnv } from '../client/connection';
import { createCancellationWorker } from './worker';

async function main(): Promise<void> {
  const env = loadProviderEnv();
  const target = temporalTargetFromEnv();
  const connection = await NativeConnection.connect(
    target.connectionOptions as Parameters<typeof NativeConnection.connect>[0],
  );
  const worker = await createCancellationWorker({
    connection,
    namespace: target.namespace,
    taskQueue: target.taskQueue,
    deps: {
      http: createHttpClient({ timeoutMs: env.PROVIDER_HTTP_TIMEOUT_MS }),
      env,
      clock: () => new Date(),
    },
  });
  console.log(`worker polling task queue "${target.taskQueue}" in namespace "${target.namespace}"`);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
