import { proxyActivities, proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { SA_STAGE, SA_VERIFICATION } from '../../common/search-attributes';
import { type SkeletonActivities } from './activities';
import { type SkeletonStep } from './steps';

// The bench's same-shape skeleton: the commands a product run gives Temporal (its activities on
// the same queues, its search-attribute upserts, its timers, the run it starts), taken from a
// product history of the same bench run, and nothing else. The product's ratio to it is the
// product's own overhead: validation, the payload codec, interceptors, the provider calls.

const options = { startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } } as const;
const onMain = proxyActivities<SkeletonActivities>(options);
const local = proxyLocalActivities<SkeletonActivities>(options);

export async function skeletonWorkflow(steps: SkeletonStep[], providerQueue: string): Promise<string> {
  const onProvider = proxyActivities<SkeletonActivities>({ ...options, taskQueue: providerQueue });
  for (const step of steps) {
    if (step === 'upsert') upsertSearchAttributes([{ key: SA_STAGE, value: 'submitting' }]);
    else if (step === 'timer') await sleep(1);
    else if (step === 'provider-activity') await onProvider.noop();
    else if (step === 'main-activity') await onMain.noop();
    else if (step === 'local-start-run') await local.startWaitingRun();
    else await onMain.startWaitingRun();
  }
  return 'ok';
}

/** What the verification run does until it is due: marks itself pending, and waits. */
export async function skeletonWaitingRun(): Promise<void> {
  upsertSearchAttributes([{ key: SA_VERIFICATION, value: 'pending' }]);
  await sleep('30 days');
}
