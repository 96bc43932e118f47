// Payway's wire format (shared/seeds/002, shared/PROVIDERS.md): the resources we read, its JSON
// errors `{code, field?, message}`, and how a refusal is told apart from "already cancelled".
// No I/O here; payway.ts does the calls.
import { type Response } from 'got';
import { z } from 'zod';
import { type HttpOutcome } from '../http/failures';
import { tryJson } from '../http/parse';
import { retryAfterMs } from '../http/retry-hints';

export const PROVIDER = 'payway';
export const SCOPE = '/external/account/r /external/account/w';

// Payway answers these for a malformed request; they can never mean "already cancelled".
export const REQUEST_SHAPE_ERRORS = new Set([
  'invalid_parameter',
  'unknown_parameter',
  'json_parser_error',
  'invalid_content_type_error',
]);
/** The product is deactivated at its next renewal date: not yet ended (seed 002). */
export const CANCELLED = 'cancelled';
/** Past that renewal date: ended. */
export const DEACTIVATED = 'deactivated';

export const TokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});
export const CancelledSchema = z.looseObject({ id: z.string() });
const ErrorSchema = z.looseObject({
  code: z.string().optional(),
  field: z.string().optional(),
  message: z.string().optional(),
});
const DateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date-time');
const UserProductSchema = z.looseObject({
  id: z.string(),
  product_code: z.string().nullish(),
  valid_from: DateTime.nullish(),
  valid_to: DateTime.nullish(),
  provision_service: z.string().nullish(),
  subscription_type: z.string().nullish(),
  state: z.string(),
  has_pending_change_request: z.boolean().nullish(),
});
export const UserProductsSchema = z.looseObject({ items: z.array(UserProductSchema) });
export type UserProduct = z.output<typeof UserProductSchema>;
const ReasonSchema = z.looseObject({ id: z.string(), integration_code: z.string().nullish() });
// The docs show one reason, not the list around it: accept a bare array and an `items` envelope.
export const ReasonsSchema = z.union([
  z.array(ReasonSchema),
  z.looseObject({ items: z.array(ReasonSchema) }).transform((l) => l.items),
]);
export const ReasonIdsSchema = z.record(z.string(), z.string().min(1));

/** A Payway answer reduced to what failure classification needs. */
export function outcomeOf(operation: string, res: Response<string>, now: Date): HttpOutcome {
  const body = ErrorSchema.safeParse(tryJson(res.body));
  const e = body.success ? body.data : {};
  // ASSUMPTION: Payway documents no throttling; a 429 is taken to carry Retry-After in seconds.
  const retryAfter = retryAfterMs(res.headers['retry-after'], 'seconds', now);
  return {
    provider: PROVIDER,
    operation,
    status: res.statusCode,
    message: e.message ?? `HTTP ${res.statusCode}`,
    ...(e.code && { providerCode: e.code }),
    ...(e.field && { field: e.field }),
    ...(retryAfter !== undefined && { retryAfterMs: retryAfter }),
  };
}

/** valid_to as ISO-8601 UTC: the provider's own instant, when it gave one. */
export function validTo(item: UserProduct): string | undefined {
  return item.valid_to ? new Date(item.valid_to).toISOString() : undefined;
}
