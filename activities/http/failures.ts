import { ApplicationFailure } from '@temporalio/common';
import {
  CANCELLATION_REVOKED,
  NOT_YET_CONFIRMED,
  OUTCOME_UNKNOWN,
  PERIOD_END_UNKNOWN,
  PROVIDER_AUTH_FAILED,
  PROVIDER_CONFLICT,
  PROVIDER_NOT_FOUND,
  PROVIDER_PROTOCOL_ERROR,
  PROVIDER_RATE_LIMITED,
  PROVIDER_REJECTED,
  PROVIDER_UNAVAILABLE,
  type ProviderErrorDetails,
} from '../../common/errors';

/** A provider's answer reduced to what classification needs; message is the provider's own words. */
export interface HttpOutcome {
  provider: string;
  operation: string;
  status: number;
  message: string;
  providerCode?: string;
  field?: string;
  /** Milliseconds the provider asked us to wait before trying again. */
  retryAfterMs?: number;
}

function failure(type: string, nonRetryable: boolean, o: HttpOutcome, nextRetryDelay?: number) {
  const details: ProviderErrorDetails = {
    provider: o.provider,
    status: o.status,
    ...(o.providerCode !== undefined && { providerCode: o.providerCode }),
    ...(o.field !== undefined && { field: o.field }),
  };
  const where = o.field ? ` (field ${o.field})` : '';
  return ApplicationFailure.create({
    type,
    nonRetryable,
    message: `${o.provider} ${o.operation}: ${o.message}${where}`,
    details: [details],
    ...(nextRetryDelay !== undefined && { nextRetryDelay }),
  });
}

/**
 * The single place where an HTTP answer becomes a retryable or non-retryable failure.
 * 5xx and 408 are transient; 429 is transient with the provider's hint; every other 4xx is final.
 */
export function failureFromHttp(o: HttpOutcome): ApplicationFailure {
  if (o.status === 429)
    return failure(PROVIDER_RATE_LIMITED, false, o, Math.max(o.retryAfterMs ?? 1000, 1000));
  if (o.status >= 500 || o.status === 408)
    return failure(
      PROVIDER_UNAVAILABLE,
      false,
      o,
      o.retryAfterMs !== undefined ? Math.max(o.retryAfterMs, 1000) : undefined,
    );
  if (o.status === 401 || o.status === 403) return failure(PROVIDER_AUTH_FAILED, true, o);
  if (o.status === 404) return failure(PROVIDER_NOT_FOUND, true, o);
  if (o.status === 409) return failure(PROVIDER_CONFLICT, true, o);
  if (o.status >= 400) return failure(PROVIDER_REJECTED, true, o);
  // A 2xx/3xx that still means failure (WHMCS-style `result: error`) is a refusal by the provider.
  return failure(PROVIDER_REJECTED, true, o);
}

/** An answer-level refusal with a known meaning, e.g. Keliweb's `Service ID Not Found`. */
export function notFound(o: HttpOutcome): ApplicationFailure {
  return failure(PROVIDER_NOT_FOUND, true, o);
}

/** No answer at all: the provider may be down, or the network between us. */
export function networkFailure(provider: string, operation: string, err: Error & { code?: string }) {
  // got's messages name the URL and the socket error, never request headers: no credentials here.
  return ApplicationFailure.create({
    type: PROVIDER_UNAVAILABLE,
    message: `${provider} ${operation}: no answer (${err.code ?? err.name}: ${err.message})`,
    details: [{ provider } satisfies ProviderErrorDetails],
  });
}

/** The answer does not match the provider's documented shape. Retryable: often a proxy's error page. */
export function protocolFailure(provider: string, operation: string, status: number, problem: string) {
  return ApplicationFailure.create({
    type: PROVIDER_PROTOCOL_ERROR,
    message: `${provider} ${operation}: unexpected answer (HTTP ${status}): ${problem}`,
    details: [{ provider, status } satisfies ProviderErrorDetails],
  });
}

/** A failure about the cancellation itself (not one HTTP answer), in the provider's name. */
const cancellationFailure =
  (type: string, nonRetryable: boolean) =>
  (provider: string, message: string): ApplicationFailure =>
    ApplicationFailure.create({
      type,
      nonRetryable,
      message: `${provider}: ${message}`,
      details: [{ provider } satisfies ProviderErrorDetails],
    });

/** The provider does not show the cancellation yet: confirm is retried by its policy. */
export const notYetConfirmed = cancellationFailure(NOT_YET_CONFIRMED, false);
/** The provider shows the cancellation undone or refused for good. */
export const cancellationRevoked = cancellationFailure(CANCELLATION_REVOKED, true);
/** A write's answer was lost and no read shows its effect: say so instead of guessing. */
export const outcomeUnknown = cancellationFailure(OUTCOME_UNKNOWN, true);
/** Neither the request nor the provider gives a billing period end. */
export const periodEndUnknown = cancellationFailure(PERIOD_END_UNKNOWN, true);

/**
 * For a read that can explain a refusal: a final failure of the read (the thing is not there)
 * leaves the refusal standing (undefined), a transient one fails the attempt so it is retried.
 */
export function unlessTransient(err: unknown): undefined {
  if (err instanceof ApplicationFailure && err.nonRetryable) return undefined;
  throw err;
}
