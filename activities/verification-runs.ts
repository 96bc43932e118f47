import { Context } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { type SearchAttributePair } from '@temporalio/common';
import type { VerificationInput } from '../workflows/verification';
import { VERIFICATION_WORKFLOW_TYPE } from '../workflows/definitions';

export interface StartVerificationCommand {
  workflowId: string;
  input: VerificationInput;
  summary: string;
  searchAttributes: SearchAttributePair[];
}

/**
 * Starts the verification of a completed cancellation as a run of its own (see
 * workflows/cancellation.ts for why not more of the same run, nor a child). Idempotent: a retry
 * finds the run it started before and leaves it be.
 */
export function createVerificationRunActivities({ client }: { client: Client }) {
  return {
    async startVerificationRun(cmd: StartVerificationCommand): Promise<{ started: boolean }> {
      try {
        await client.workflow.start(VERIFICATION_WORKFLOW_TYPE, {
          workflowId: cmd.workflowId,
          taskQueue: Context.current().info.taskQueue,
          args: [cmd.input],
          staticSummary: cmd.summary,
          typedSearchAttributes: cmd.searchAttributes,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        return { started: true };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { started: false };
        throw err;
      }
    },
  };
}
