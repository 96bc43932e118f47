import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createBillingCareActivities } from './providers/billing-care';
import { createKeliwebActivities } from './providers/keliweb';
import { createPaywayActivities } from './providers/payway';
import { createRebillyActivities } from './providers/rebilly';
import { type ProviderActivities, type SubmitReceipt } from './providers/types';
import { type ActivityDeps } from './deps';
import { type Provider } from '../common/request';

/** The attempt that finally succeeded, so the workflow can report how many it took. */
export type AttemptedReceipt = SubmitReceipt & { attempt: number };

function withAttempt<P extends Provider>(acts: ProviderActivities<P>) {
  return {
    submitCancellation: async (cmd: Parameters<ProviderActivities<P>['submitCancellation']>[0]) => {
      const attempt = Context.current().info.attempt;
      try {
        const receipt = await acts.submitCancellation(cmd);
        return { ...receipt, attempt } satisfies AttemptedReceipt;
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
    confirmCancellation: acts.confirmCancellation,
    readPeriodEnd: acts.readPeriodEnd,
  };
}

/**
 * All provider activities, registered under provider-prefixed names so that the Web UI shows
 * which provider each call went to (e.g. `rebillySubmitCancellation`).
 */
export function createActivities(deps: ActivityDeps) {
  const rebilly = withAttempt(createRebillyActivities(deps));
  const payway = withAttempt(createPaywayActivities(deps));
  const keliweb = withAttempt(createKeliwebActivities(deps));
  const billingCare = withAttempt(createBillingCareActivities(deps));
  return {
    keliwebSubmitCancellation: keliweb.submitCancellation,
    keliwebConfirmCancellation: keliweb.confirmCancellation,
    keliwebReadPeriodEnd: keliweb.readPeriodEnd,
    billingCareSubmitCancellation: billingCare.submitCancellation,
    billingCareConfirmCancellation: billingCare.confirmCancellation,
    billingCareReadPeriodEnd: billingCare.readPeriodEnd,
    paywaySubmitCancellation: payway.submitCancellation,
    paywayConfirmCancellation: payway.confirmCancellation,
    paywayReadPeriodEnd: payway.readPeriodEnd,
    rebillySubmitCancellation: rebilly.submitCancellation,
    rebillyConfirmCancellation: rebilly.confirmCancellation,
    rebillyReadPeriodEnd: rebilly.readPeriodEnd,
  };
}

export type Activities = ReturnType<typeof createActivities>;
