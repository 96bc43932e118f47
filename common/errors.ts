// Stable error types: the `type` of every ApplicationFailure this system raises. Workflows list the
// non-retryable ones where activities are proxied; clients and the CLI match on them.

/** The provider is down, slow, or answered 5xx / dropped the connection: try again later. */
export const PROVIDER_UNAVAILABLE = 'ProviderUnavailable';
/** The provider throttled us; the failure carries the provider's retry hint as nextRetryDelay. */
export const PROVIDER_RATE_LIMITED = 'ProviderRateLimited';
/** The provider refused the request as invalid (400/422, WHMCS `result: error`). */
export const PROVIDER_REJECTED = 'ProviderRejected';
/** The account, service, order or bundle does not exist at the provider. */
export const PROVIDER_NOT_FOUND = 'ProviderNotFound';
/** The subscription cannot be cancelled in its current state (e.g. Payway 409). */
export const PROVIDER_CONFLICT = 'ProviderConflict';
/** Our credentials were refused even after a fresh token. */
export const PROVIDER_AUTH_FAILED = 'ProviderAuthFailed';
/** The provider answered something its documentation does not allow. */
export const PROVIDER_PROTOCOL_ERROR = 'ProviderProtocolError';
/** The worker has no base URL or credentials for this provider. */
export const PROVIDER_NOT_CONFIGURED = 'ProviderNotConfigured';
/** The provider does not (yet) show the cancellation we submitted. */
export const NOT_YET_CONFIRMED = 'CancellationNotYetConfirmed';
/**
 * The provider shows the cancellation undone or refused for good (e.g. Rebilly `revoked`): reading
 * again will not change that, so it is final.
 */
export const CANCELLATION_REVOKED = 'CancellationRevoked';
/**
 * A write may have reached the provider but its answer was lost, and no provider read shows the
 * cancellation: nothing proves it happened, nothing proves it did not. An operator must look.
 */
export const OUTCOME_UNKNOWN = 'CancellationOutcomeUnknown';
/** The provider still shows the subscription active after the cancellation was due (verification). */
export const CANCELLATION_NOT_APPLIED = 'CancellationNotApplied';
/** An update arrived at a stage that no longer allows it (e.g. withdraw after submission). */
export const INVALID_STATE = 'InvalidState';
/** The request failed validation inside the workflow. */
export const INVALID_REQUEST = 'InvalidRequest';
/** The billing period end could not be found (neither in the request nor at the provider). */
export const PERIOD_END_UNKNOWN = 'PeriodEndUnknown';

// Failure types of a callback's delivery run (never of the cancellation).

/** The URL's host (or host:port) is not in the worker's CANCELLATIONS_CALLBACK_HOSTS. */
export const CALLBACK_HOST_NOT_ALLOWED = 'CallbackHostNotAllowed';
/** The URL breaks the https rule (a run started by another SDK without the client's checks). */
export const CALLBACK_URL_REFUSED = 'CallbackUrlRefused';
/** The worker has no CANCELLATIONS_CALLBACK_SECRET to sign with. */
export const CALLBACK_NOT_CONFIGURED = 'CallbackNotConfigured';
/** The receiver answered 4xx (other than 408 and 429): sending the same event again will not help. */
export const CALLBACK_REJECTED = 'CallbackRejected';
/** No answer, 3xx, 5xx, 408 or 429: retried with backoff for up to 24 hours. */
export const CALLBACK_UNAVAILABLE = 'CallbackUnavailable';

export const NON_RETRYABLE_PROVIDER_ERRORS = [
  PROVIDER_REJECTED,
  PROVIDER_NOT_FOUND,
  PROVIDER_CONFLICT,
  PROVIDER_AUTH_FAILED,
  PROVIDER_NOT_CONFIGURED,
  INVALID_REQUEST,
  PERIOD_END_UNKNOWN,
  CANCELLATION_REVOKED,
  OUTCOME_UNKNOWN,
];

export const NON_RETRYABLE_CALLBACK_ERRORS = [
  CALLBACK_HOST_NOT_ALLOWED,
  CALLBACK_URL_REFUSED,
  CALLBACK_NOT_CONFIGURED,
  CALLBACK_REJECTED,
];

/** Details of an InvalidRequest failure: the first offending field. */
export interface InvalidRequestDetails {
  field: string;
  message: string;
}

/** Details attached to every provider failure, for the result's `error` and the Web UI. */
export interface ProviderErrorDetails {
  provider: string;
  status?: number;
  providerCode?: string;
  field?: string;
}
