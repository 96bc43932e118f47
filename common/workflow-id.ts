import { type Provider, type TargetOf } from './request';

/** A provider with its own kind of target, as a discriminated union. */
export type ProviderTarget = { [P in Provider]: { provider: P; target: TargetOf<P> } }[Provider];

/**
 * One workflow id per subscription, so at most one cancellation per subscription is in progress:
 * a second request for the same target finds the running one instead of starting another.
 *
 * Workflow ids are stored and shown in plaintext (no payload codec touches them), so the client
 * passes `pseudonym` (a keyed hash, see codec/id-hash.ts) and the id names the provider only:
 * `cancellation/rebilly/<hash>`. Without it the id shows the subscription (`.../order-<orderId>`).
 */
export function workflowIdFor(request: ProviderTarget, pseudonym?: (naturalKey: string) => string): string {
  const key = subscriptionKey(request);
  return `cancellation/${request.provider}/${pseudonym ? pseudonym(`${request.provider}/${key}`) : key}`;
}

function subscriptionKey(request: ProviderTarget): string {
  switch (request.provider) {
    case 'keliweb':
      return `service-${request.target.serviceId}`;
    case 'payway':
      return `${request.target.accountId.toLowerCase()}/${request.target.userProductId}`;
    case 'rebilly':
      return `order-${request.target.orderId}`;
    case 'billing-care': {
      const t = request.target;
      const bundle = t.dealId ?? t.serviceId ?? `package-${t.packageId}`;
      return `${t.accountId}/${bundle}`;
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
