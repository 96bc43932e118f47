import { z } from 'zod';
import { type CancellationResult } from './result';

// Completion callbacks (shared/CONTRACT.md, "Callbacks"): the URL rule of the request, the event a
// receiver gets, and the failure types of a delivery. Signing lives with the activity
// (activities/callbacks/signature.ts): workflow code must not import node:crypto.

/**
 * https, or http to a loopback host only (localhost, 127.0.0.0/8, [::1]) for development; no
 * `user:password@` (a credential would be kept in the run's input). One regular expression, so the
 * generated JSON Schema carries the whole rule as its `pattern`.
 */
const CALLBACK_URL_PATTERN =
  /^(?:https:\/\/[^/?#@\s]+|http:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?)(?:[/?#]\S*)?$/;

export const CallbackUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .regex(
    CALLBACK_URL_PATTERN,
    'must be an https URL without user:password (http only for localhost, 127.0.0.0/8 or [::1])',
  )
  .meta({
    format: 'uri',
    description:
      "Where the worker POSTs signed completion events; its host must be in the worker's CANCELLATIONS_CALLBACK_HOSTS.",
  });

/** The workflow type of a delivery run (workflows/callback-delivery.ts). */
export const CALLBACK_DELIVERY_WORKFLOW_TYPE = 'deliverCallbackEvent';

export const callbackEventTypes = [
  'cancellation.completed',
  'cancellation.failed',
  'cancellation.withdrawn',
  'cancellation.verified',
  'cancellation.not-applied',
] as const;
export type CallbackEventType = (typeof callbackEventTypes)[number];

/** The body a receiver gets. `id` is the delivery id: the same on every retry of one delivery. */
export interface CallbackEvent {
  id: string;
  type: CallbackEventType;
  createdAt: string;
  data: CancellationResult;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, as Stripe's webhooks do. */
export const SIGNATURE_HEADER = 'Cancellations-Signature';
