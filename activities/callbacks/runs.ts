import { Context } from '@temporalio/activity';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { CALLBACK_DELIVERY_WORKFLOW_TYPE, type CallbackEvent } from '../../common/callbacks';
import type { CallbackDeliveryInput } from '../../workflows/callback-delivery';
import { type CallbackSettings } from './config';

export interface StartCallbackDeliveryCommand {
  /** `<cancellation workflow id>/callback/<event type>/<run id>`: one delivery per event of a run. */
  workflowId: string;
  url: string;
  event: CallbackEvent;
}

/**
 * Starts the delivery of one event as a run of its own, so that a receiver that is down for a day
 * holds up neither the cancellation nor its result (the same pattern as the verification run).
 * Idempotent: a retry finds the run it started before and leaves it be. The worker's retry setting
 * goes into the delivery run's input here, so the cancellation run never carries it.
 */
export function createCallbackRunActivities({
  client,
  settings,
}: {
  client: Client;
  settings: Pick<CallbackSettings, 'firstRetryMs'>;
}) {
  return {
    async startCallbackDelivery(cmd: StartCallbackDeliveryCommand): Promise<{ started: boolean }> {
      const input: CallbackDeliveryInput = {
        url: cmd.url,
        event: cmd.event,
        ...(settings.firstRetryMs !== undefined && { firstRetryMs: settings.firstRetryMs }),
      };
      try {
        await client.workflow.start(CALLBACK_DELIVERY_WORKFLOW_TYPE, {
          workflowId: cmd.workflowId,
          taskQueue: Context.current().info.taskQueue,
          args: [input],
          staticSummary: `Deliver ${cmd.event.type} to ${hostOf(cmd.url)}`,
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

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
