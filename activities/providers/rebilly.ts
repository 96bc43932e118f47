import { Context } from '@temporalio/activity';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import {
  cancellationRevoked,
  failureFromHttp,
  notYetConfirmed,
  periodEndUnknown,
  unlessTransient,
} from '../http/failures';
import { parseJsonBody } from '../http/parse';
import { activitySignal } from './activity-context';
import { acknowledgedReceipt, receiptFromRead } from './receipts';
import {
  type Cancellation,
  CancellationSchema,
  ENDED_ORDER_STATUSES,
  iso,
  type Order,
  OrderSchema,
  outcomeOf,
  PROVIDER,
  rebillyCancellationId,
  upsertBody,
} from './rebilly-wire';
import { type LevelEvidence, type ProviderActivities, type SubmitReceipt } from './types';

export { rebillyCancellationId } from './rebilly-wire';

/** What Rebilly can show, and from which read (shared/CONTRACT.md, confirmation levels). */
export const REBILLY_LEVELS: LevelEvidence = {
  scheduled:
    'GET order-cancellations/{id} shows our cancellation `confirmed` with a churnTime still ahead ' +
    '(effectiveAt = that churnTime); for a cancellation made by another request, GET orders/{id} ' +
    'shows the order still active with a churnTime ahead',
  effective:
    'GET orders/{id} shows the order `canceled` or `churned` (effectiveAt = the order churnTime, ' +
    'else the cancellation churnTime or canceledTime)',
  verification: 'GET orders/{id}: `canceled` or `churned` is verified; any other status is not-applied',
};

/** Temporal's attempt number; 1 when called directly (contract tests), outside an activity. */
function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

export function createRebillyActivities({ http, env, clock }: ActivityDeps): ProviderActivities<'rebilly'> {
  const settings = () =>
    requireSettings(env, PROVIDER, ['REBILLY_BASE_URL', 'REBILLY_ORGANIZATION_ID', 'REBILLY_API_KEY']);
  const api = (path: string) => {
    const s = settings();
    return `${s.REBILLY_BASE_URL}/organizations/${encodeURIComponent(s.REBILLY_ORGANIZATION_ID)}${path}`;
  };
  const headers = () => ({ 'REB-APIKEY': settings().REBILLY_API_KEY, accept: 'application/json' });

  const get = (operation: string, path: string) =>
    send(http, PROVIDER, operation, api(path), { headers: headers(), signal: activitySignal() });
  const getOrder = async (orderId: string): Promise<Order> => {
    const operation = 'get order';
    const res = await get(operation, `/orders/${encodeURIComponent(orderId)}`);
    if (res.statusCode !== 200) throw failureFromHttp(outcomeOf(operation, res, clock()));
    return parseJsonBody(PROVIDER, operation, res, OrderSchema);
  };
  /** Undefined when Rebilly has no cancellation under this id. ASSUMPTION: it answers 404 then. */
  const getCancellation = async (id: string): Promise<Cancellation | undefined> => {
    const operation = 'get order-cancellation';
    const res = await get(operation, `/order-cancellations/${encodeURIComponent(id)}`);
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw failureFromHttp(outcomeOf(operation, res, clock()));
    return parseJsonBody(PROVIDER, operation, res, CancellationSchema);
  };

  const referenceOf = (c: Cancellation) => ({ cancellationId: c.id, orderId: c.orderId, status: c.status });
  const churnOf = (x: { churnTime?: string | null }) => (x.churnTime ? iso(x.churnTime) : undefined);
  const ahead = (date: string | null | undefined) =>
    date && Date.parse(date) > clock().getTime() ? date : undefined;

  return {
    async submitCancellation(cmd): Promise<SubmitReceipt> {
      const id = rebillyCancellationId(cmd.requestId);
      if (currentAttempt() > 1) {
        // An earlier attempt may have created it and lost the answer. Upserting again would turn a
        // `revoked` (someone undid it since) back into `confirmed`, so look before writing again.
        const earlier = await getCancellation(id);
        if (earlier?.status === 'revoked') {
          throw cancellationRevoked(
            PROVIDER,
            `order-cancellation ${id} was revoked after an earlier attempt created it; not re-confirming it`,
          );
        }
        // Found under our own id: the provider has it. The receipt rests on a read, not on an answer.
        if (earlier && earlier.status !== 'draft') {
          return receiptFromRead(clock(), referenceOf(earlier), churnOf(earlier));
        }
      }
      const operation = 'upsert order-cancellation';
      const res = await send(
        http,
        PROVIDER,
        operation,
        api(`/order-cancellations/${encodeURIComponent(id)}`),
        {
          method: 'PUT',
          headers: headers(),
          json: upsertBody(cmd),
          signal: activitySignal(),
        },
      );
      if (res.statusCode === 200 || res.statusCode === 201) {
        // 201 created it; 200 updated the one a lost answer had already created (same id).
        const c = parseJsonBody(PROVIDER, operation, res, CancellationSchema);
        return acknowledgedReceipt(clock(), referenceOf(c), res.statusCode === 200, churnOf(c));
      }
      const outcome = outcomeOf(operation, res, clock());
      if (outcome.status === 422 && outcome.field === 'orderId') {
        // ASSUMPTION: Rebilly refuses a second cancellation of an ended or already scheduled order
        // with a 422 on orderId (undocumented). The order read decides; the refusal alone proves
        // nothing, so the receipt is not an acknowledgement. A failed read fails the attempt with its
        // own (often transient) failure rather than making the refusal final.
        const order = await getOrder(cmd.target.orderId).catch(unlessTransient);
        if (order && (ENDED_ORDER_STATUSES.has(order.status) || order.churnTime)) {
          return receiptFromRead(clock(), { orderId: order.id, orderStatus: order.status }, churnOf(order));
        }
      }
      throw failureFromHttp(outcome);
    },

    async confirmCancellation(q) {
      const cancellationId = q.receipt.providerReference.cancellationId;
      const c = typeof cancellationId === 'string' ? await getCancellation(cancellationId) : undefined;
      if (c?.status === 'revoked')
        throw cancellationRevoked(PROVIDER, `order-cancellation ${c.id} is revoked`);
      const order = await getOrder(q.target.orderId);
      const observed = {
        observedAt: clock().toISOString(),
        providerReference: {
          orderId: order.id,
          orderStatus: order.status,
          ...(c && { cancellationId: c.id, cancellationStatus: c.status }),
        },
      };
      if (ENDED_ORDER_STATUSES.has(order.status)) {
        const effectiveAt = order.churnTime ?? c?.churnTime ?? c?.canceledTime;
        return {
          level: 'effective',
          providerState: `order ${order.status}`,
          ...(effectiveAt && { effectiveAt: iso(effectiveAt) }),
          ...observed,
        };
      }
      const pendingChurn = c?.status === 'confirmed' ? ahead(c.churnTime) : undefined;
      if (pendingChurn) {
        return {
          level: 'scheduled',
          providerState: `order-cancellation confirmed, order ${order.status}`,
          effectiveAt: iso(pendingChurn),
          ...observed,
        };
      }
      // ASSUMPTION: a churnTime ahead on an order that is not ended is a pending cancellation
      // (PROVIDERS.md: the order's churnTime). Used only when we hold no cancellation of our own,
      // i.e. another request's cancellation made ours unnecessary.
      const orderChurn = typeof cancellationId === 'string' ? undefined : ahead(order.churnTime);
      if (orderChurn) {
        return {
          level: 'scheduled',
          providerState: `order ${order.status} with churnTime`,
          effectiveAt: iso(orderChurn),
          ...observed,
        };
      }
      // ASSUMPTION: a 404 for our own cancellation is a read lagging the write it follows, so it
      // is retried (not yet confirmed) rather than taken as a refusal.
      const shown = c
        ? `order-cancellation ${c.id} is ${c.status}`
        : typeof cancellationId === 'string'
          ? `order-cancellation ${cancellationId} is not found`
          : 'no order-cancellation of ours';
      throw notYetConfirmed(PROVIDER, `${shown}; order ${order.id} is ${order.status}`);
    },

    async verifyCancellation(q) {
      const order = await getOrder(q.target.orderId);
      return {
        status: ENDED_ORDER_STATUSES.has(order.status) ? 'verified' : 'not-applied',
        checkedAt: clock().toISOString(),
        providerState: `order ${order.status}`,
      };
    },

    async readPeriodEnd(target) {
      const order = await getOrder(target.orderId);
      if (!order.renewalTime)
        throw periodEndUnknown(PROVIDER, `order ${order.id} has no renewalTime (status ${order.status})`);
      return { periodEnd: iso(order.renewalTime), source: 'order.renewalTime' };
    },
  };
}
