import { Context } from '@temporalio/activity';

/**
 * The running activity's cancellation signal, so that a cancelled or timed-out activity aborts its
 * HTTP call. Outside an activity (direct calls in contract tests) there is nothing to abort.
 */
export function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}
