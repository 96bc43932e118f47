import { Context } from '@temporalio/activity';
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
      const receipt = await acts.submitCancellation(cmd);
      return { ...receipt, attempt: Context.current().info.attempt } satisfies AttemptedReceipt;
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
  return {
    paywaySubmitCancellation: payway.submitCancellation,
    paywayConfirmCancellation: payway.confirmCancellation,
    paywayReadPeriodEnd: payway.readPeriodEnd,
    rebillySubmitCancellation: rebilly.submitCancellation,
    rebillyConfirmCancellation: rebilly.confirmCancellation,
    rebillyReadPeriodEnd: rebilly.readPeriodEnd,
  };
}

export type Activities = ReturnType<typeof createActivities>;
