import { z } from 'zod';
import { CancellationRequestSchema } from './request';

/**
 * The request contract as JSON Schema, for backends in other languages that start the workflow
 * with their own Temporal SDK. Rules zod cannot express in JSON Schema (Billing Care needs one of
 * serviceId/dealId/packageId) are still enforced by the workflow, which names the field.
 */
export function cancellationRequestJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(CancellationRequestSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://schemas.example.com/subscription-cancellations/cancellation-request.schema.json',
    title: 'CancellationRequest',
    description:
      'Argument of workflow type cancelSubscription on task queue "cancellations" (CANCELLATIONS_TASK_QUEUE).',
  };
}
