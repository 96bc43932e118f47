// Rebilly's wire format (shared/seeds/003, shared/PROVIDERS.md): the upsert body we send, the
// resources we read back, and its RFC 7807 problems. No I/O here; rebilly.ts does the calls.
import { createHash } from 'node:crypto';
import { type Response } from 'got';
import { z } from 'zod';
import { type ReasonCode } from '../../common/request';
import { type HttpOutcome } from '../http/failures';
import { tryJson } from '../http/parse';
import { retryAfterMs } from '../http/retry-hints';
import { recordedText } from './free-text';
import { type SubmitCommand } from './types';

export const PROVIDER = 'rebilly';

// ASSUMPTION: Rebilly's `reason` enum has no exact match for some of ours (the docs give no
// mapping); the closest honest one, else `other`.
const REASONS: Record<ReasonCode, string> = {
  too_expensive: 'too-expensive',
  unused: 'did-not-use',
  missing_features: 'missing-features',
  switched_service: 'did-not-want',
  low_quality: 'bugs-or-problems',
  customer_service: 'other',
  too_complex: 'other',
  billing_failure: 'billing-failure',
  other: 'other',
};

const DateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date-time');

export const CancellationSchema = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  status: z.enum(['draft', 'confirmed', 'completed', 'revoked']),
  churnTime: DateTime.nullish(),
  canceledTime: DateTime.nullish(),
  canceledBy: z.string().nullish(),
  reason: z.string().nullish(),
});
export type Cancellation = z.output<typeof CancellationSchema>;

export const OrderSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  renewalTime: DateTime.nullish(),
  churnTime: DateTime.nullish(),
  canceledBy: z.string().nullish(),
});
export type Order = z.output<typeof OrderSchema>;

const ProblemSchema = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  invalidFields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** Order statuses that mean the subscription has ended (PROVIDERS.md lists the order statuses). */
export const ENDED_ORDER_STATUSES = new Set(['canceled', 'churned']);

/**
 * The cancellation's id at Rebilly, derived from the request: every retry and every replay of the
 * same request upserts the same cancellation, so a lost response can never cancel twice.
 * Rebilly ids are at most 50 chars of [@~-.\w]; our request ids may be 64 and may contain ':'.
 */
export function rebillyCancellationId(requestId: string): string {
  const direct = `cxl-${requestId.replace(/:/g, '~')}`;
  if (direct.length <= 50) return direct;
  return `cxl-${createHash('sha256').update(requestId).digest('hex').slice(0, 46)}`;
}

/** The upsert body: documented fields only (seed 003), since Rebilly refuses unknown ones. */
export function upsertBody(cmd: SubmitCommand<'rebilly'>) {
  return {
    orderId: cmd.target.orderId,
    // at-next-renewal is Rebilly's own end-of-period option: churnTime becomes the renewal time.
    churnTimePolicy: cmd.effect === 'now' ? 'now' : 'at-next-renewal',
    canceledBy: cmd.requestedBy === 'customer' ? 'customer' : 'merchant',
    reason: REASONS[cmd.reasonCode ?? 'other'],
    prorated: cmd.target.prorated ?? false,
    // Who asked and which request stay whole; only the caller's comment gives way (max 255).
    description: recordedText(
      { comment: cmd.comment, trail: [`requested by ${cmd.requestedBy}`, `request ${cmd.requestId}`] },
      255,
    ),
  };
}

/** A Rebilly answer reduced to what failure classification needs. */
export function outcomeOf(operation: string, res: Response<string>, now: Date): HttpOutcome {
  const body = ProblemSchema.safeParse(tryJson(res.body));
  const p = body.success ? body.data : {};
  const invalid = p.invalidFields?.[0];
  // X-RateLimit-Retry-After is the instant to retry at, in Unix seconds (PROVIDERS.md).
  const retryAfter = retryAfterMs(res.headers['x-ratelimit-retry-after'], 'unix-seconds', now);
  return {
    provider: PROVIDER,
    operation,
    status: res.statusCode,
    message: invalid
      ? `${p.detail ?? p.title ?? 'invalid request'}: ${invalid.message}`
      : (p.detail ?? p.title ?? `HTTP ${res.statusCode}`),
    ...(invalid && { field: invalid.field }),
    ...(p.title && { providerCode: p.title }),
    ...(retryAfter !== undefined && { retryAfterMs: retryAfter }),
  };
}

/** The provider's own date, normalised to ISO-8601 UTC (it is still the provider's instant). */
export function iso(date: string): string {
  return new Date(date).toISOString();
}
