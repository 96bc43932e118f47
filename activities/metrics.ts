import { Context } from '@temporalio/activity';
import { ApplicationFailure, noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { type ActivityInterceptorsFactory } from '@temporalio/worker';
import { trace } from '@opentelemetry/api';
import { errorTypeLabel, METRIC, providerOfActivity } from '../common/metrics';

/**
 * The running activity's meter (it adds the activity and workflow type, task queue and namespace),
 * or one that drops everything outside an activity (contract tests call provider code directly).
 */
export function activityMetricMeter(): MetricMeter {
  try {
    return Context.current().metricMeter;
  } catch {
    return noopMetricMeter;
  }
}

/** One provider HTTP call: its latency, and whether the provider throttled us. */
export function recordProviderCall(call: {
  provider: string;
  operation: string;
  /** HTTP status code, or `no-answer` (timeout, reset, refused). */
  status: number | 'no-answer';
  durationMs: number;
}): void {
  const meter = activityMetricMeter();
  const tags = { provider: call.provider, operation: call.operation };
  meter
    .createHistogram(METRIC.providerRequestDuration, 'float', 'ms', 'provider HTTP call latency')
    .record(call.durationMs, { ...tags, status: String(call.status) });
  if (call.status === 429)
    meter
      .createCounter(METRIC.providerRateLimited, undefined, 'provider throttling answers (429)')
      .add(1, tags);
}

const isSubmit = (activityType: string) => activityType.endsWith('SubmitCancellation');

/**
 * Counts every attempt of a provider's submit activity with its outcome, and names the error type
 * on the attempt's span (its message may quote the provider, so spans keep only the type).
 */
export const activityOutcomeInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const { activityType } = ctx.info;
      const provider = providerOfActivity(activityType) ?? 'unknown';
      const attempt = (tags: Record<string, string>) => {
        if (isSubmit(activityType))
          ctx.metricMeter
            .createCounter(METRIC.submitAttempts, undefined, 'provider submit attempts')
            .add(1, { provider, ...tags });
      };
      try {
        const result = await next(input);
        attempt({ outcome: 'success', error_type: 'none' });
        return result;
      } catch (err) {
        const type = errorTypeLabel(err instanceof ApplicationFailure ? err.type : (err as Error)?.name);
        trace.getActiveSpan()?.setAttribute('error.type', type);
        attempt({ outcome: 'failure', error_type: type });
        throw err;
      }
    },
  },
});
