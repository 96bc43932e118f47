// What one submit attempt knows about the attempts before it. Billing Care's cancel has no
// idempotency key, so the only memory across Temporal's retries is the activity's heartbeat details,
// which the server keeps from one attempt to the next.
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { recordProgress } from './activity-context';

/** The parts of a running activity that a submit needs; injectable so tests can play the retries. */
export interface ActivityRun {
  attempt: number;
  /** The last details heartbeated by this attempt or an earlier one. */
  heartbeatDetails: unknown;
  heartbeat(details: unknown): void;
}

/** The current activity's run, or undefined outside an activity (contract tests call directly). */
export function currentActivityRun(): ActivityRun | undefined {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return undefined;
  }
  return {
    attempt: ctx.info.attempt,
    heartbeatDetails: ctx.info.heartbeatDetails,
    heartbeat: (details) => recordProgress(details),
  };
}

/**
 * Written before the POST leaves: "a cancel with this effective date may have reached Billing Care",
 * with the bundle as it read before it, so that a retry can tell a change from what was always there.
 */
export const PostRecordSchema = z.object({
  posted: z.literal(true),
  effective: z.iso.datetime({ offset: true }),
  bundle: z.object({ bundleId: z.string(), validTo: z.string().nullable() }).optional(),
});
export type PostRecord = z.infer<typeof PostRecordSchema>;

/** Written once Billing Care has answered the POST with an error: nothing of ours is in flight. */
export const NOTHING_POSTED = { posted: false } as const;

export function postRecordOf(run: ActivityRun | undefined): PostRecord | undefined {
  const parsed = PostRecordSchema.safeParse(run?.heartbeatDetails);
  return parsed.success ? parsed.data : undefined;
}
