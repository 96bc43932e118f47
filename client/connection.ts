import { Connection, type ClientInterceptors } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue';
import { tracingFromEnv } from '../workers/tracing';

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

/**
 * The workflow client interceptors of every client this project builds: with tracing on
 * (OTEL_EXPORTER_OTLP_ENDPOINT, or installed by the embedding process) a start, update, query or
 * signal is a span whose context travels to the workflow in the request headers.
 */
export function clientInterceptors(env: NodeJS.ProcessEnv = process.env): ClientInterceptors {
  return tracingFromEnv(env) ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : {};
}
