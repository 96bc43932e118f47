import { type Provider, type TargetOf } from './request';

/** A provider with its own kind of target, as a discriminated union. */
export type ProviderTarget = { [P in Provider]: { provider: P; target: TargetOf<P> } }[Provider];

/**
 * One workflow id per subscription, so at most one cancellation per subscription is in progress:
 * a second request for the same target finds the running one instead of starting another.
 */
export function workflowIdFor(request: ProviderTarget): string {
  switch (request.provider) {
    case 'keliweb':
      return `cancellation/keliweb/service-${request.target.serviceId}`;
    case 'payway':
      return `cancellation/payway/${request.target.accountId.toLowerCase()}/${request.target.userProductId}`;
    case 'rebilly':
      return `cancellation/rebilly/order-${request.target.orderId}`;
    case 'billing-care': {
      const t = request.target;
      const bundle = t.dealId ?? t.serviceId ?? `package-${t.packageId}`;
      return `cancellation/billing-care/${t.accountId}/${bundle}`;
    }
  }
}

/** A short human description of the target, for summaries and logs. */
export function describeTarget(request: ProviderTarget): string {
  switch (request.provider) {
    case 'keliweb':
      return `Keliweb service ${request.target.serviceId}`;
    case 'payway':
      return `Payway user product ${request.target.userProductId} (account ${request.target.accountId})`;
    case 'rebilly':
      return `Rebilly order ${request.target.orderId}`;
    case 'billing-care': {
      const t = request.target;
      const what = [
        t.dealId && `deal ${t.dealId}`,
        t.serviceId && `service ${t.serviceId}`,
        t.packageId !== undefined && `package ${t.packageId}`,
      ]
        .filter(Boolean)
        .join(', ');
      return `Billing Care bundle (${what}) of account ${t.accountId}`;
    }
  }
}
