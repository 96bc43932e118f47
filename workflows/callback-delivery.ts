import {
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  setCurrentDetails,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliveryReceipt } from '../activities/callbacks/deliver';
import { type CallbackEvent, type CallbackEventType } from '../common/callbacks';
import { CALLBACK_UNAVAILABLE } from '../common/errors';
import { type CancellationResult } from '../common/result';
import { callbackDeliveryOptions, START_CALLBACK_DELIVERY_OPTIONS } from './retry-policies';
import { runStartActivities } from './run-starts';

export interface CallbackDeliveryInput {
  url: string;
  /** Built once by the run that had the outcome: every attempt sends this same body and id. */
  event: CallbackEvent;
  /** The worker's first retry interval (CANCELLATIONS_CALLBACK_FIRST_RETRY_MS), when it sets one. */
  firstRetryMs?: number;
}

/**
 * Delivers one event, retrying with backoff for up to 24 hours. A delivery that fails for good
 * fails this run (and only this run) with the delivery's failure type, e.g. CallbackHostNotAllowed.
 */
export async function deliverCallbackEvent(input: CallbackDeliveryInput): Promise<DeliveryReceipt> {
  setCurrentDetails(`Delivering ${input.event.type} (${input.event.id})`);
  const { deliverCallback } = proxyActivities<Activities>({
    ...callbackDeliveryOptions(input.firstRetryMs),
    summary: `POST ${input.event.type}`,
  });
  try {
    const receipt = await deliverCallback({ url: input.url, event: input.event });
    setCurrentDetails(`Delivered ${input.event.type}: HTTP ${receipt.status} on attempt ${receipt.attempt}`);
    return receipt;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
    const failure = ApplicationFailure.create({
      type: cause?.type ?? CALLBACK_UNAVAILABLE,
      nonRetryable: true,
      message: cause?.message ?? `gave up: ${err.cause?.message ?? err.message}`,
      details: cause?.details ?? [],
    });
    setCurrentDetails(`Not delivered: ${failure.message}`);
    throw failure;
  }
}

/**
 * Hands an outcome to its callback, if the request named one: starts the delivery run (id
 * `<cancellation workflow id>/callback/<event type>/<this run's id>`) and returns. Never fails the
 * caller: the worst a callback can do to a cancellation is a warning in its log.
 */
export async function sendCallback(
  callbackUrl: string | undefined,
  cancellationWorkflowId: string,
  type: CallbackEventType,
  data: CancellationResult,
): Promise<void> {
  if (!callbackUrl) return;
  const event: CallbackEvent = { id: `evt_${uuid4()}`, type, createdAt: new Date().toISOString(), data };
  const { startCallbackDelivery } = runStartActivities({
    ...START_CALLBACK_DELIVERY_OPTIONS,
    summary: `start the ${type} callback`,
  });
  try {
    await startCallbackDelivery({
      workflowId: `${cancellationWorkflowId}/callback/${type}/${workflowInfo().runId}`,
      url: callbackUrl,
      event,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn(`the ${type} callback was not started: ${err.cause?.message ?? err.message}`);
  }
}
