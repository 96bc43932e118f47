import { Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue';

export interface TemporalTarget {
  /** Options for Connection.connect / NativeConnection.connect (address, TLS, API key). */
  connectionOptions: { address?: string } & Record<string, unknown>;
  namespace: string;
  taskQueue: string;
}

/**
 * Where Temporal is, read the way every Temporal SDK and the CLI read it (@temporalio/envconfig:
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables, or a config profile).
 */
export function temporalTargetFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const { connectionOptions, namespace } = loadClientConnectConfig({
    overrideEnvVars: Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  });
  return {
    connectionOptions: connectionOptions as TemporalTarget['connectionOptions'],
    namespace: namespace ?? 'default',
    taskQueue: env.CANCELLATIONS_TASK_QUEUE || DEFAULT_TASK_QUEUE,
  };
}

export async function connectClientConnection(target: TemporalTarget): Promise<Connection> {
  return Connection.connect(target.connectionOptions as Parameters<typeof Connection.connect>[0]);
}
