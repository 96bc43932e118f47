import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as Resources from '@opentelemetry/resources';
import type * as TraceBase from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { ConfigError } from '../activities/config';
import { secretValuesFromEnv } from '../codec/redact';
import { fieldPath } from '../common/validation';
import { AsyncLocalStorageContextManager } from './otel-context';
import { ScrubbingSpanProcessor } from './span-scrubber';

// The process's OpenTelemetry tracer provider, shared by its clients and workers (the SDK's
// interceptors and our provider-HTTP spans use the global one). Off unless installed: by
// OTEL_EXPORTER_OTLP_ENDPOINT (OTLP over HTTP), or by a test with its own span processor.

const TracingEnvSchema = z.object({
  /** OTLP/HTTP base URL (e.g. http://collector:4318); spans go to <base>/v1/traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** Overrides the traces URL in full, as the OpenTelemetry specification defines. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).default('subscription-cancellations'),
});

export interface Tracing {
  resource: Resources.Resource;
  /** Every span of the process ends here (scrubbed first, see span-scrubber.ts). */
  processor: TraceBase.SpanProcessor;
  /** Exports what is pending and stops. */
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** The installed tracing, if any. */
export function activeTracing(): Tracing | undefined {
  return current;
}

/**
 * Installs tracing with the given span processor, once per process (later calls return the first
 * installation). Spans pass the scrubber before the processor sees them.
 */
export function installTracing(o: {
  processor: TraceBase.SpanProcessor;
  env?: NodeJS.ProcessEnv;
  serviceName?: string;
}): Tracing {
  if (current) return current;
  const env = parseTracingEnv(o.env ?? process.env);
  // Loaded only when tracing is on (as the exporter below): ~40 ms of every process's start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resource } = require('@opentelemetry/resources') as typeof Resources;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const resource = new Resource({ 'service.name': o.serviceName ?? env.OTEL_SERVICE_NAME });
  const processor = new ScrubbingSpanProcessor(o.processor, secretValuesFromEnv(o.env ?? process.env));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [processor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  current = { resource, processor, shutdown: () => provider.shutdown() };
  return current;
}

/**
 * Tracing by OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set; nothing
 * otherwise. Spans are batched; what is pending is sent when the process runs out of work.
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (current) return current;
  const parsed = parseTracingEnv(env);
  const base = parsed.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base && `${base}/v1/traces`);
  if (!url) return undefined;
  // Loaded only when tracing is on: the exporter costs every CLI command ~90 ms of start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof TraceBase;
  const tracing = installTracing({ processor: new BatchSpanProcessor(new OTLPTraceExporter({ url })), env });
  process.once('beforeExit', () => void tracing.shutdown().catch(() => undefined));
  return tracing;
}

function parseTracingEnv(env: NodeJS.ProcessEnv) {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = TracingEnvSchema.safeParse(blankAsUnset);
  if (parsed.success) return parsed.data;
  const i = parsed.error.issues[0];
  throw new ConfigError(`invalid tracing configuration: ${fieldPath(i?.path ?? [])}: ${i?.message}`);
}
