import { proxyActivities, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { Activities, AttemptedReceipt } from '../activities';
import type {
  Confirmation,
  ConfirmQuery,
  PeriodEnd,
  SubmitCommand,
  VerificationReading,
  VerifyQuery,
} from '../activities/providers/types';
import type { Provider, TargetOf } from '../common/request';
import { providerTaskQueue } from '../common/task-queue';

/** One provider's activities as the workflow calls them. */
export interface ProviderOps<P extends Provider> {
  submit(command: SubmitCommand<P>): Promise<AttemptedReceipt>;
  confirm(query: ConfirmQuery<P>): Promise<Confirmation>;
  verify(query: VerifyQuery<P>): Promise<VerificationReading>;
  readPeriodEnd(target: TargetOf<P>): Promise<PeriodEnd>;
}

/**
 * The activities of `provider`, proxied with the given options (retry policy, summary for the UI)
 * on the provider's own task queue, whose workers Temporal holds to the provider's rate limit
 * (docs/rate-limits.md); the queue is derived from this run's, so runs on any queue work.
 * The table is typed per provider, so a provider whose module lacks an activity, or takes another
 * target, does not compile.
 */
export function providerOps<P extends Provider>(provider: P, options: ActivityOptions): ProviderOps<P> {
  const a = proxyActivities<Activities>({
    ...options,
    taskQueue: providerTaskQueue(workflowInfo().taskQueue, provider),
  });
  const table: { [K in Provider]: ProviderOps<K> } = {
    keliweb: {
      submit: a.keliwebSubmitCancellation,
      confirm: a.keliwebConfirmCancellation,
      verify: a.keliwebVerifyCancellation,
      readPeriodEnd: a.keliwebReadPeriodEnd,
    },
    payway: {
      submit: a.paywaySubmitCancellation,
      confirm: a.paywayConfirmCancellation,
      verify: a.paywayVerifyCancellation,
      readPeriodEnd: a.paywayReadPeriodEnd,
    },
    rebilly: {
      submit: a.rebillySubmitCancellation,
      confirm: a.rebillyConfirmCancellation,
      verify: a.rebillyVerifyCancellation,
      readPeriodEnd: a.rebillyReadPeriodEnd,
    },
    'billing-care': {
      submit: a.billingCareSubmitCancellation,
      confirm: a.billingCareConfirmCancellation,
      verify: a.billingCareVerifyCancellation,
      readPeriodEnd: a.billingCareReadPeriodEnd,
    },
  };
  return table[provider];
}
