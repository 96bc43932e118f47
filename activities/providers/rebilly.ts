import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { type Response } from 'got';
import { z } from 'zod';
import { NOT_YET_CONFIRMED, PERIOD_END_UNKNOWN } from '../../common/errors';
import { type ReasonCode } from '../../common/request';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import { failureFromHttp, type HttpOutcome } from '../http/failures';
import { parseJsonBody, tryJson } from '../http/parse';
import { activitySignal } from './activity-context';
import { type ProviderActivities, type SubmitReceipt } from './types';

const PROVIDER = 'rebilly';

// Rebilly's `reason` enum has no exact match for some of ours; the closest honest one, else `other`.
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

const CancellationSchema = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  status: z.enum(['draft', 'confirmed', 'completed', 'revoked']),
  churnTime: z.string().nullish(),
  canceledTime: z.string().nullish(),
  canceledBy: z.string().nullish(),
  reason: z.string().nullish(),
});
const OrderSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  renewalTime: z.string().nullish(),
  churnTime: z.string().nullish(),
  canceledBy: z.string().nullish(),
});
const ProblemSchema = z.looseObject({
  title: z.string().optional(),
  detail: z.string().optional(),
  invalidFields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

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

export function createRebillyActivities({ http, env, clock }: ActivityDeps): ProviderActivities<'rebilly'> {
  const settings = () =>
    requireSettings(env, PROVIDER, ['REBILLY_BASE_URL', 'REBILLY_ORGANIZATION_ID', 'REBILLY_API_KEY']);
  const api = (path: string) => {
    const s = settings();
    return `${s.REBILLY_BASE_URL}/organizations/${encodeURIComponent(s.REBILLY_ORGANIZATION_ID)}${path}`;
  };
  const headers = () => ({ 'REB-APIKEY': settings().REBILLY_API_KEY, accept: 'application/json' });

  const outcomeOf = (operation: string, res: Response<string>): HttpOutcome => {
    const body = ProblemSchema.safeParse(tryJson(res.body));
    const p = body.success ? body.data : {};
    const invalid = p.invalidFields?.[0];
    const retryAt = Number(res.headers['x-ratelimit-retry-after']);
    return {
      provider: PROVIDER,
      operation,
      status: res.statusCode,
      message: invalid
        ? `${p.detail ?? p.title ?? 'invalid request'}: ${invalid.message}`
        : (p.detail ?? p.title ?? `HTTP ${res.statusCode}`),
      ...(invalid && { field: invalid.field }),
      ...(p.title && { providerCode: p.title }),
      // X-RateLimit-Retry-After is a Unix timestamp in seconds, not a number of seconds to wait.
      ...(Number.isFinite(retryAt) && retryAt > 0 && { retryAfterMs: retryAt * 1000 - clock().getTime() }),
    };
  };
  const problem = (operation: string, res: Response<string>) => failureFromHttp(outcomeOf(operation, res));

  const getOrder = async (orderId: string) => {
    const res = await send(http, PROVIDER, 'get order', api(`/orders/${encodeURIComponent(orderId)}`), {
      headers: headers(),
      signal: activitySignal(),
    });
    if (res.statusCode !== 200) throw problem('get order', res);
    return parseJsonBody(PROVIDER, 'get order', res, OrderSchema);
  };

  return {
    async submitCancellation(cmd): Promise<SubmitReceipt> {
      const id = rebillyCancellationId(cmd.requestId);
      const description = [cmd.comment, `requested by ${cmd.requestedBy}`, `request ${cmd.requestId}`]
        .filter(Boolean)
        .join(' | ')
        .slice(0, 255);
      const res = await send(
        http,
        PROVIDER,
        'upsert order-cancellation',
        api(`/order-cancellations/${encodeURIComponent(id)}`),
        {
          method: 'PUT',
          headers: headers(),
          json: {
            orderId: cmd.target.orderId,
            churnTimePolicy: cmd.effect === 'now' ? 'now' : 'at-next-renewal',
            canceledBy: cmd.requestedBy === 'customer' ? 'customer' : 'merchant',
            reason: REASONS[cmd.reasonCode ?? 'other'],
            prorated: cmd.target.prorated ?? false,
            description,
          },
          signal: activitySignal(),
        },
      );
      if (res.statusCode === 200 || res.statusCode === 201) {
        const c = parseJsonBody(PROVIDER, 'upsert order-cancellation', res, CancellationSchema);
        return {
          submittedAt: clock().toISOString(),
          // 201 created it; 200 updated one that a lost response had already created.
          alreadyExisted: res.statusCode === 200,
          providerReference: { cancellationId: c.id, orderId: c.orderId, status: c.status },
          ...(c.churnTime && { effectiveAt: c.churnTime }),
        };
      }
      const outcome = outcomeOf('upsert order-cancellation', res);
      if (outcome.status === 422 && outcome.field === 'orderId') {
        // Cancelled already under another request: that counts as done, not as a failure.
        const order = await getOrder(cmd.target.orderId).catch(() => undefined);
        if (order && (order.status === 'canceled' || order.status === 'churned' || order.churnTime)) {
          return {
            submittedAt: clock().toISOString(),
            alreadyExisted: true,
            providerReference: { orderId: order.id, orderStatus: order.status },
            ...(order.churnTime && { effectiveAt: order.churnTime }),
          };
        }
      }
      throw failureFromHttp(outcome);
    },

    async confirmCancellation(q) {
      const cancellationId = q.receipt.providerReference.cancellationId;
      if (typeof cancellationId === 'string') {
        const res = await send(
          http,
          PROVIDER,
          'get order-cancellation',
          api(`/order-cancellations/${encodeURIComponent(cancellationId)}`),
          { headers: headers(), signal: activitySignal() },
        );
        if (res.statusCode !== 200) throw problem('get order-cancellation', res);
        const c = parseJsonBody(PROVIDER, 'get order-cancellation', res, CancellationSchema);
        if (c.status === 'revoked' || c.status === 'draft') {
          throw ApplicationFailure.create({
            type: NOT_YET_CONFIRMED,
            message: `rebilly order-cancellation ${c.id} is ${c.status}`,
          });
        }
      }
      const order = await getOrder(q.target.orderId);
      const done = order.status === 'canceled' || order.status === 'churned' || Boolean(order.churnTime);
      if (!done) {
        throw ApplicationFailure.create({
          type: NOT_YET_CONFIRMED,
          message: `rebilly order ${order.id} is still ${order.status} with no churnTime`,
        });
      }
      return {
        confirmedAt: clock().toISOString(),
        providerState: `order ${order.status}`,
        ...(order.churnTime && { effectiveAt: order.churnTime }),
        providerReference: { orderId: order.id, orderStatus: order.status },
      };
    },

    async readPeriodEnd(target) {
      const order = await getOrder(target.orderId);
      if (!order.renewalTime) {
        throw ApplicationFailure.create({
          type: PERIOD_END_UNKNOWN,
          nonRetryable: true,
          message: `rebilly order ${order.id} has no renewalTime (status ${order.status})`,
        });
      }
      return { periodEnd: new Date(order.renewalTime).toISOString(), source: 'order.renewalTime' };
    },
  };
}
