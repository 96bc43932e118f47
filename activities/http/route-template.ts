// A provider call's span names its endpoint by route template (`/orders/{id}`), never by the path
// it was sent to: paths carry order, account and service ids, and spans are not encrypted.

/**
 * Path segments of the provider APIs that are names, not data (see activities/providers/). Any
 * other segment is shown as `{id}`: an endpoint added without listing its words here shows up with
 * more `{id}`s than it should, never with an identifier in it.
 */
const LITERAL_SEGMENTS: ReadonlySet<string> = new Set([
  // Rebilly
  'organizations',
  'orders',
  'order-cancellations',
  // Payway
  'api',
  'authorization',
  'access_token',
  'external',
  'v1',
  'userproducts',
  'cancellation_reasons',
  'accounts',
  'cancel_product',
  // Keliweb
  'oauth',
  'token',
  'v2',
  'keliweb',
  'get-clients-products',
  'get-clients-addons',
  'add-cancel-request',
  // Billing Care
  'authentication',
  'queryAccessToken',
  'subscriptions',
  'purchasedbundles',
  'cancel',
  'bundle',
]);

/** The route template of a request URL: its path with every non-literal segment as `{id}`. */
export function routeTemplate(url: string): string {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return '{invalid}';
  }
  return pathname
    .split('/')
    .map((segment) => (segment === '' || LITERAL_SEGMENTS.has(segment) ? segment : '{id}'))
    .join('/');
}
