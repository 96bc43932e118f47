import { routeTemplate } from '../../activities/http/route-template';
import { errorTypeLabel, providerLabel, providerOfActivity } from '../../common/metrics';
import { installWorkerRuntime } from '../../workers/runtime';
import { tracingFromEnv } from '../../workers/tracing';

// What metric labels and span attributes may hold: fixed vocabularies, never an id.

describe('route templates of provider calls', () => {
  test.each([
    ['https://api.rebilly.test/organizations/org-1/orders/ord_123', '/organizations/{id}/orders/{id}'],
    [
      'https://api.rebilly.test/organizations/org-1/order-cancellations/cxl-req-9',
      '/organizations/{id}/order-cancellations/{id}',
    ],
    ['https://payway.test/external/api/v1/userproducts/acct-42', '/external/api/v1/userproducts/{id}'],
    [
      'https://payway.test/external/api/v1/accounts/cancel_product',
      '/external/api/v1/accounts/cancel_product',
    ],
    ['https://payway.test/api/authorization/access_token', '/api/authorization/access_token'],
    ['https://keliweb.test/api/v2/keliweb/add-cancel-request', '/api/v2/keliweb/add-cancel-request'],
    ['https://keliweb.test/oauth/token', '/oauth/token'],
    [
      'https://bc.test/subscriptions/purchasedbundles/0.0.0.1+-account+12345?x=ord_123',
      '/subscriptions/purchasedbundles/{id}',
    ],
    ['https://bc.test/subscriptions/cancel/bundle', '/subscriptions/cancel/bundle'],
  ])('%s → %s', (url, route) => {
    expect(routeTemplate(url)).toBe(route);
  });
});

describe('metric label values', () => {
  test('provider labels come from the contract list; anything else is unknown', () => {
    expect(providerLabel('billing-care')).toBe('billing-care');
    expect(providerLabel('cus-4812')).toBe('unknown');
    expect(providerLabel(undefined)).toBe('unknown');
  });

  test('error types are identifiers; anything that looks like a message is Other', () => {
    expect(errorTypeLabel('ProviderNotFound')).toBe('ProviderNotFound');
    expect(errorTypeLabel('Order ord_123 not found')).toBe('Other');
    expect(errorTypeLabel(undefined)).toBe('Other');
  });

  test('the provider of an activity comes from its registered name', () => {
    expect(providerOfActivity('billingCareSubmitCancellation')).toBe('billing-care');
    expect(providerOfActivity('rebillyConfirmCancellation')).toBe('rebilly');
    expect(providerOfActivity('startVerificationRun')).toBeUndefined();
  });
});

describe('telemetry settings', () => {
  test('a malformed metrics address or OTLP endpoint is refused, naming the variable', () => {
    expect(() =>
      installWorkerRuntime({ env: { CANCELLATIONS_METRICS_ADDRESS: 'http://0.0.0.0:9464' } }),
    ).toThrow(/CANCELLATIONS_METRICS_ADDRESS: must be host:port/);
    expect(() => tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  test('without OTEL_EXPORTER_OTLP_ENDPOINT there is no tracing', () => {
    expect(tracingFromEnv({})).toBeUndefined();
  });
});
