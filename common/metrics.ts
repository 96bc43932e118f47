import { providers, type Provider } from './request';

// The product's metrics, in one place: workflows (through the replay-safe workflow meter) and
// activities (through the activity context's meter) both emit them, and the SDK's runtime exports
// them on the worker's Prometheus endpoint next to its own (docs/observability.md).
//
// Labels are a closed, small vocabulary: provider, operation, status, error type, confirmation
// level, outcome. Never a customer id, a target id, a request id, a URL or a message: a label is
// stored in plaintext by every metrics backend, and each distinct value is a time series.

export const METRIC = {
  /** Cancellation runs that began (a replay after a worker restart does not count again). */
  started: 'cancellations_started',
  /** Runs that ended completed, by provider and the confirmation level the provider showed. */
  completed: 'cancellations_completed',
  /** Runs that ended failed, by provider and error type. */
  failed: 'cancellations_failed',
  /** Runs withdrawn before they were due. */
  withdrawn: 'cancellations_withdrawn',
  /** Verification runs that finished, by provider and outcome (verified, not-applied, error). */
  verifications: 'cancellations_verifications',
  /** Every attempt of a provider's submit activity, by provider, outcome and error type. */
  submitAttempts: 'cancellations_submit_attempts',
  /** Provider HTTP calls: latency in milliseconds, by provider, operation and status. */
  providerRequestDuration: 'cancellations_provider_request_duration',
  /** Throttling answers (HTTP 429): each makes the attempt wait for the provider's hint. */
  providerRateLimited: 'cancellations_provider_rate_limited',
} as const;

/** Bucket bounds (ms) for provider latency: the SDK's defaults start at 50 ms, too coarse for APIs. */
export const PROVIDER_LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** A label value for the provider; anything not in the contract's list is `unknown`. */
export function providerLabel(value: unknown): Provider | 'unknown' {
  return providers.find((p) => p === value) ?? 'unknown';
}

/**
 * A label value for an error type: our failure types are short identifiers (common/errors.ts),
 * SDK failures are class names. Anything else (it would come from elsewhere) is `Other`, so a
 * label can never carry a message.
 */
export function errorTypeLabel(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(value) ? value : 'Other';
}

/** The provider of a provider activity, from its registered name (`rebillySubmitCancellation`). */
export function providerOfActivity(activityType: string): Provider | undefined {
  const camel = (p: Provider) => p.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
  return providers.find((p) => activityType.startsWith(camel(p)));
}
