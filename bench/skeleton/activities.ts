import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { type Client } from '@temporalio/client';

/** The skeleton's activities: nothing, and starting a waiting run (as the verification start does). */
export function skeletonActivities(client: Client) {
  return {
    async noop(): Promise<void> {},
    async startWaitingRun(): Promise<void> {
      await client.workflow.start('skeletonWaitingRun', {
        taskQueue: Context.current().info.taskQueue,
        workflowId: `skeleton-waiting-${randomUUID()}`,
      });
    },
  };
}

export type SkeletonActivities = ReturnType<typeof skeletonActivities>;
