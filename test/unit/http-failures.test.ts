import { type ApplicationFailure } from '@temporalio/common';
import {
  cancellationRevoked,
  failureFromHttp,
  networkFailure,
  notFound,
  notYetConfirmed,
  outcomeUnknown,
  periodEndUnknown,
  protocolFailure,
  type HttpOutcome,
} from '../../activities/http/failures';
import {
  CANCELLATION_REVOKED,
  NOT_YET_CONFIRMED,
  OUTCOME_UNKNOWN,
  PERIOD_END_UNKNOWN,
  PROVIDER_AUTH_FAILED,
  PROVIDER_CONFLICT,
  PROVIDER_NOT_FOUND,
  PROVIDER_PROTOCOL_ERROR,
  PROVIDER_RATE_LIMITED,
  PROVIDER_REJECTED,
  PROVIDER_UNAVAILABLE,
} from '../../common/errors';

const outcome = (status: number, extra: Partial<HttpOutcome> = {}): HttpOutcome => ({
  provider: 'payway',
  operation: 'cancel',
  status,
  message: 'the provider said no',
  ...extra,
});

/** The parts of a failure that the workflow and the client act on. */
const shape = (f: ApplicationFailure) => ({
  type: f.type,
  nonRetryable: f.nonRetryable,
  nextRetryDelay: f.nextRetryDelay,
});

describe('failureFromHttp: the one place an HTTP answer becomes retryable or final', () => {
  test.each([
    [429, undefined, PROVIDER_RATE_LIMITED, false, 1000],
    [429, 5000, PROVIDER_RATE_LIMITED, false, 5000],
    // A hint shorter than a second (or "now") still waits a second: no hot loop against a throttle.
    [429, 0, PROVIDER_RATE_LIMITED, false, 1000],
    [429, 999, PROVIDER_RATE_LIMITED, false, 1000],
    [500, undefined, PROVIDER_UNAVAILABLE, false, undefined],
    [503, 7000, PROVIDER_UNAVAILABLE, false, 7000],
    [503, 10, PROVIDER_UNAVAILABLE, false, 1000],
    [599, undefined, PROVIDER_UNAVAILABLE, false, undefined],
    [408, undefined, PROVIDER_UNAVAILABLE, false, undefined],
    [408, 2500, PROVIDER_UNAVAILABLE, false, 2500],
    [401, undefined, PROVIDER_AUTH_FAILED, true, undefined],
    [403, 3000, PROVIDER_AUTH_FAILED, true, undefined],
    [404, undefined, PROVIDER_NOT_FOUND, true, undefined],
    [409, 3000, PROVIDER_CONFLICT, true, undefined],
    [400, undefined, PROVIDER_REJECTED, true, undefined],
    [422, undefined, PROVIDER_REJECTED, true, undefined],
    [499, 3000, PROVIDER_REJECTED, true, undefined],
    [402, undefined, PROVIDER_REJECTED, true, undefined],
    // WHMCS-style `result: error` inside a 200 is a refusal, not a success.
    [200, undefined, PROVIDER_REJECTED, true, undefined],
  ])(
    'HTTP %i with hint %p -> %s (nonRetryable %p, next retry %p ms)',
    (status, hint, type, nonRetryable, delay) => {
      const f = failureFromHttp(outcome(status, hint === undefined ? {} : { retryAfterMs: hint }));
      expect(shape(f)).toEqual({ type, nonRetryable, nextRetryDelay: delay });
    },
  );

  test('the message names provider and operation and keeps the provider words', () => {
    expect(failureFromHttp(outcome(422)).message).toBe('payway cancel: the provider said no');
    expect(failureFromHttp(outcome(422, { field: 'reason' })).message).toBe(
      'payway cancel: the provider said no (field reason)',
    );
  });

  test('details carry provider, status and only the codes the provider gave', () => {
    expect(failureFromHttp(outcome(422)).details).toStrictEqual([{ provider: 'payway', status: 422 }]);
    expect(
      failureFromHttp(outcome(409, { providerCode: 'E42', field: 'userProductId' })).details,
    ).toStrictEqual([{ provider: 'payway', status: 409, providerCode: 'E42', field: 'userProductId' }]);
    // An empty code is still the provider's answer: kept, not mistaken for absent.
    expect(failureFromHttp(outcome(400, { providerCode: '', field: '' })).details).toStrictEqual([
      { provider: 'payway', status: 400, providerCode: '', field: '' },
    ]);
  });

  test('no nextRetryDelay key at all when there is no hint (the retry policy decides)', () => {
    expect(failureFromHttp(outcome(500)).nextRetryDelay).toBeUndefined();
    expect(failureFromHttp(outcome(404, { retryAfterMs: 5000 })).nextRetryDelay).toBeUndefined();
  });
});

describe('the named failures', () => {
  test('notFound is final, with the HTTP details', () => {
    const f = notFound(
      outcome(200, { provider: 'keliweb', operation: 'read', message: 'Service ID Not Found' }),
    );
    expect(shape(f)).toEqual({ type: PROVIDER_NOT_FOUND, nonRetryable: true, nextRetryDelay: undefined });
    expect(f.message).toBe('keliweb read: Service ID Not Found');
    expect(f.details).toStrictEqual([{ provider: 'keliweb', status: 200 }]);
  });

  test('networkFailure is retryable and names the socket error, by code or else by name', () => {
    const withCode = networkFailure(
      'rebilly',
      'cancel',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    );
    expect(shape(withCode)).toEqual({
      type: PROVIDER_UNAVAILABLE,
      nonRetryable: false,
      nextRetryDelay: undefined,
    });
    expect(withCode.message).toBe('rebilly cancel: no answer (ECONNRESET: socket hang up)');
    expect(withCode.details).toStrictEqual([{ provider: 'rebilly' }]);
    const timeout = new Error('Timeout awaiting request');
    timeout.name = 'TimeoutError';
    expect(networkFailure('rebilly', 'read', timeout).message).toBe(
      'rebilly read: no answer (TimeoutError: Timeout awaiting request)',
    );
  });

  test('protocolFailure is retryable (often a proxy page) and keeps the status', () => {
    const f = protocolFailure('billing-care', 'read', 502, 'body is not JSON: <html>');
    expect(shape(f)).toEqual({
      type: PROVIDER_PROTOCOL_ERROR,
      nonRetryable: false,
      nextRetryDelay: undefined,
    });
    expect(f.message).toBe('billing-care read: unexpected answer (HTTP 502): body is not JSON: <html>');
    expect(f.details).toStrictEqual([{ provider: 'billing-care', status: 502 }]);
  });

  test.each([
    [notYetConfirmed, NOT_YET_CONFIRMED, false],
    [cancellationRevoked, CANCELLATION_REVOKED, true],
    [outcomeUnknown, OUTCOME_UNKNOWN, true],
    [periodEndUnknown, PERIOD_END_UNKNOWN, true],
  ])('%p -> %s, nonRetryable %p', (make, type, nonRetryable) => {
    const f = make('keliweb', 'still Active');
    expect(shape(f)).toEqual({ type, nonRetryable, nextRetryDelay: undefined });
    expect(f.message).toBe('keliweb: still Active');
    expect(f.details).toStrictEqual([{ provider: 'keliweb' }]);
  });
});
