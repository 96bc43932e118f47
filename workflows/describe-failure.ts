import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { type ProviderErrorDetails } from '../common/errors';
import { type CancellationError } from '../common/result';

/**
 * What a failed cancellation reports: the provider's typed failure under the activity failure that
 * carried it (with the attempt it came from), or RetriesExhausted when Temporal gave up.
 */
export function describeFailure(err: unknown): CancellationError & { attempt?: number } {
  let cause: unknown = err;
  while (
    cause instanceof ActivityFailure ||
    (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause)
  ) {
    cause = (cause as Error).cause;
  }
  if (cause instanceof ApplicationFailure) {
    const d = (cause.details?.[0] ?? {}) as ProviderErrorDetails & { attempt?: number };
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      ...(d.field && { field: d.field }),
      ...(d.attempt && { attempt: d.attempt }),
    };
  }
  if (err instanceof ActivityFailure) {
    return {
      type: 'RetriesExhausted',
      message: `${err.activityType}: ${err.message} (${String(err.retryState)})`,
    };
  }
  throw err; // not a provider failure: a bug, let Temporal retry the workflow task
}
