import { Context } from '@temporalio/activity';

/**
 * The running activity's cancellation signal, so that a cancelled or timed-out activity aborts its
 * HTTP call. Outside an activity (direct calls in contract tests) there is nothing to abort.
 */
export function activitySignal(): AbortSignal | undefined {
  return currentContext()?.cancellationSignal;
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // called directly, outside an activity
  }
}

// What each running activity last recorded: keep-alive heartbeats must repeat it, because a
// heartbeat without details would erase it, and a retry reads the last heartbeat's details.
const recorded = new WeakMap<Context, unknown>();

/** Records progress that a retry of this activity must see (info.heartbeatDetails), and heartbeats. */
export function recordProgress(details: unknown): void {
  const ctx = currentContext();
  if (!ctx) return;
  recorded.set(ctx, details);
  ctx.heartbeat(details);
}

/** What an earlier attempt of this activity recorded with recordProgress, if anything. */
export function earlierProgress(): unknown {
  return currentContext()?.info.heartbeatDetails;
}

/** Heartbeats while a call is slower than this, so a dead worker is noticed by its heartbeat timeout. */
const KEEP_ALIVE_MS = 1000;

/**
 * Runs `call` with keep-alive heartbeats. A worker killed mid-call stops heartbeating, and the
 * server retries the activity elsewhere after the heartbeat timeout (seconds) instead of its
 * start-to-close timeout (most of a minute). Calls faster than a second never heartbeat, so the
 * common path costs nothing.
 */
export async function withKeepAlive<T>(call: () => Promise<T>): Promise<T> {
  const ctx = currentContext();
  if (!ctx) return call();
  const timer = setInterval(() => {
    // Repeat what this attempt recorded, else what an earlier attempt did: never erase it.
    ctx.heartbeat(recorded.has(ctx) ? recorded.get(ctx) : ctx.info.heartbeatDetails);
  }, KEEP_ALIVE_MS);
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}
