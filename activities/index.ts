import { Context } from '@temporalio/activity';
import { type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createBillingCareActivities } from './providers/billing-care';
import { createKeliwebActivities } from './providers/keliweb';
import { createPaywayActivities } from './providers/payway';
import { createRebillyActivities } from './providers/rebilly';
import { withKeepAlive } from './providers/activity-context';
import { type ProviderActivities, type SubmitCommand, type SubmitReceipt } from './providers/types';
import { type ActivityDeps } from './deps';
import { createVerificationRunActivities } from './verification-runs';
import { createCallbackActivities } from './callbacks';
import { type Provider } from '../common/request';

/** The attempt that finally succeeded, so the workflow can report how many it took. */
export type AttemptedReceipt = SubmitReceipt & { attempt: number };

// Temporal has been seen to start the next attempt before the delay a failure asked for (attempt 2
// started 1.5 s after a 429 asking 7 s): the activity keeps the provider's hint itself.
const notBefore = new Map<string, number>();
async function honouringHints<T>(call: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const key = `${ctx.info.workflowExecution?.runId}/${ctx.info.activityId}`;
  const wait = (notBefore.get(key) ?? 0) - Date.now();
  if (wait > 0) await ctx.sleep(wait);
  try {
    const out = await call();
    notBefore.delete(key);
    return out;
  } catch (err) {
    if (err instanceof ApplicationFailure && typeof err.nextRetryDelay === 'number')
      notBefore.set(key, Date.now() + err.nextRetryDelay);
    throw err;
  }
}

/** Keep-alive heartbeats for every provider activity (see withKeepAlive), and attempt counts. */
function asActivities<P extends Provider>(acts: ProviderActivities<P>) {
  return {
    confirmCancellation: (q: Parameters<typeof acts.confirmCancellation>[0]) =>
      withKeepAlive(() => honouringHints(() => acts.confirmCancellation(q))),
    verifyCancellation: (q: Parameters<typeof acts.verifyCancellation>[0]) =>
      withKeepAlive(() => honouringHints(() => acts.verifyCancellation(q))),
    readPeriodEnd: (t: Parameters<typeof acts.readPeriodEnd>[0]) =>
      withKeepAlive(() => honouringHints(() => acts.readPeriodEnd(t))),
    submitCancellation: async (cmd: SubmitCommand<P>): Promise<AttemptedReceipt> => {
      const attempt = Context.current().info.attempt;
      try {
        return {
          ...(await withKeepAlive(() => honouringHints(() => acts.submitCancellation(cmd)))),
          attempt,
        };
      } catch (err) {
        // The workflow only sees the last failure: let it carry how many attempts were made.
        if (!(err instanceof ApplicationFailure)) throw err;
        throw ApplicationFailure.create({
          message: err.message,
          ...(err.type && { type: err.type }),
          nonRetryable: err.nonRetryable ?? false,
          details: [{ ...(err.details?.[0] as object | undefined), attempt }],
          ...(err.nextRetryDelay !== undefined && { nextRetryDelay: err.nextRetryDelay }),
        });
      }
    },
  };
}

/**
 * The activities of the cancellation workflows: the provider activities (see below), the one
 * that starts a verification run, and those of completion callbacks.
 */
export function createWorkerActivities(deps: ActivityDeps, temporal: { client: Client }) {
  return {
    ...createActivities(deps),
    ...createVerificationRunActivities(temporal),
    ...createCallbackActivities(deps, temporal),
  };
}

/**
 * All provider activities, registered under provider-prefixed names so that the Web UI shows
 * which provider each call went to (e.g. `rebillySubmitCancellation`).
 */
export function createActivities(deps: ActivityDeps) {
  const rebilly = asActivities(createRebillyActivities(deps));
  const payway = asActivities(createPaywayActivities(deps));
  const keliweb = asActivities(createKeliwebActivities(deps));
  const billingCare = asActivities(createBillingCareActivities(deps));
  return {
    keliwebSubmitCancellation: keliweb.submitCancellation,
    keliwebConfirmCancellation: keliweb.confirmCancellation,
    keliwebVerifyCancellation: keliweb.verifyCancellation,
    keliwebReadPeriodEnd: keliweb.readPeriodEnd,
    billingCareSubmitCancellation: billingCare.submitCancellation,
    billingCareConfirmCancellation: billingCare.confirmCancellation,
    billingCareVerifyCancellation: billingCare.verifyCancellation,
    billingCareReadPeriodEnd: billingCare.readPeriodEnd,
    paywaySubmitCancellation: payway.submitCancellation,
    paywayConfirmCancellation: payway.confirmCancellation,
    paywayVerifyCancellation: payway.verifyCancellation,
    paywayReadPeriodEnd: payway.readPeriodEnd,
    rebillySubmitCancellation: rebilly.submitCancellation,
    rebillyConfirmCancellation: rebilly.confirmCancellation,
    rebillyVerifyCancellation: rebilly.verifyCancellation,
    rebillyReadPeriodEnd: rebilly.readPeriodEnd,
  };
}

export type Activities = ReturnType<typeof createWorkerActivities>;
