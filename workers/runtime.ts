import { IllegalStateError } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { z } from 'zod';
import { ConfigError } from '../activities/config';
import { redactingLogger, secretValuesFromEnv } from '../codec/redact';
import { METRIC, PROVIDER_LATENCY_BUCKETS_MS } from '../common/metrics';
import { listenAddress } from '../common/listen-address';
import { fieldPath } from '../common/validation';
import { tracingFromEnv } from './tracing';

const RuntimeEnvSchema = z.object({
  /** Where the Prometheus endpoint listens (`/metrics`), e.g. 0.0.0.0:9464. Unset: no metrics. */
  CANCELLATIONS_METRICS_ADDRESS: listenAddress('0.0.0.0:9464').optional(),
});

export interface WorkerRuntimeOptions {
  env?: NodeJS.ProcessEnv;
  level?: LogLevel;
  write?: (entry: LogEntry) => void;
}

export interface WorkerRuntime {
  /** False when the embedding process had installed the runtime already (its settings stay). */
  installed: boolean;
  /** The Prometheus endpoint, when CANCELLATIONS_METRICS_ADDRESS turned it on. */
  metricsUrl?: string;
  /** Whether spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT, workers/tracing.ts). */
  tracing: boolean;
}

/**
 * Installs the process-wide Temporal runtime, once, before the first connection: a logger that
 * redacts the configured secrets (provider credentials, encryption and hash keys, the codec
 * token, TEMPORAL_API_KEY) and credential headers from every worker, activity and workflow log
 * line; Prometheus metrics (the SDK's and the product's, common/metrics.ts) when
 * CANCELLATIONS_METRICS_ADDRESS is set; and OTLP tracing when OTEL_EXPORTER_OTLP_ENDPOINT is.
 */
export function installWorkerRuntime(o: WorkerRuntimeOptions = {}): WorkerRuntime {
  const env = o.env ?? process.env;
  const level = o.level ?? (env.CANCELLATIONS_LOG_LEVEL as LogLevel | undefined) ?? 'INFO';
  const parsed = RuntimeEnvSchema.safeParse(env.CANCELLATIONS_METRICS_ADDRESS === '' ? {} : env);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${fieldPath(i?.path ?? [])}: ${i?.message}`);
  }
  const bindAddress = parsed.data.CANCELLATIONS_METRICS_ADDRESS;
  const tracing = tracingFromEnv(env) !== undefined;
  const logger = redactingLogger(new DefaultLogger(level, o.write), secretValuesFromEnv(env));
  try {
    Runtime.install({
      logger,
      ...(bindAddress && {
        telemetryOptions: {
          metrics: {
            prometheus: {
              bindAddress,
              histogramBucketOverrides: { [METRIC.providerRequestDuration]: PROVIDER_LATENCY_BUCKETS_MS },
            },
          },
        },
      }),
    });
  } catch (err) {
    if (!(err instanceof IllegalStateError)) throw err; // e.g. the metrics port is taken
    if (bindAddress)
      process.emitWarning(
        'CANCELLATIONS_METRICS_ADDRESS is ignored: this process installed the Temporal runtime before',
      );
    return { installed: false, tracing };
  }
  const metricsUrl = bindAddress && `http://${bindAddress}/metrics`;
  if (metricsUrl) logger.info(`Prometheus metrics at ${metricsUrl}`);
  return { installed: true, tracing, ...(metricsUrl && { metricsUrl }) };
}
