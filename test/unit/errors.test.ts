import * as errors from '../../common/errors';

// These strings are stored in every run's history and matched by clients in other languages and
// by the CLI: renaming one breaks them, so the names are pinned here on purpose.
describe('the stable error types', () => {
  test('keep their names', () => {
    expect({ ...errors }).toEqual({
      PROVIDER_UNAVAILABLE: 'ProviderUnavailable',
      PROVIDER_RATE_LIMITED: 'ProviderRateLimited',
      PROVIDER_REJECTED: 'ProviderRejected',
      PROVIDER_NOT_FOUND: 'ProviderNotFound',
      PROVIDER_CONFLICT: 'ProviderConflict',
      PROVIDER_AUTH_FAILED: 'ProviderAuthFailed',
      PROVIDER_PROTOCOL_ERROR: 'ProviderProtocolError',
      PROVIDER_NOT_CONFIGURED: 'ProviderNotConfigured',
      NOT_YET_CONFIRMED: 'CancellationNotYetConfirmed',
      CANCELLATION_REVOKED: 'CancellationRevoked',
      OUTCOME_UNKNOWN: 'CancellationOutcomeUnknown',
      CANCELLATION_NOT_APPLIED: 'CancellationNotApplied',
      INVALID_STATE: 'InvalidState',
      INVALID_REQUEST: 'InvalidRequest',
      PERIOD_END_UNKNOWN: 'PeriodEndUnknown',
      NON_RETRYABLE_PROVIDER_ERRORS: expect.any(Array),
      CALLBACK_HOST_NOT_ALLOWED: 'CallbackHostNotAllowed',
      CALLBACK_URL_REFUSED: 'CallbackUrlRefused',
      CALLBACK_NOT_CONFIGURED: 'CallbackNotConfigured',
      CALLBACK_REJECTED: 'CallbackRejected',
      CALLBACK_UNAVAILABLE: 'CallbackUnavailable',
      NON_RETRYABLE_CALLBACK_ERRORS: expect.any(Array),
    });
  });

  test('the final ones are exactly those that reading or asking again cannot change', () => {
    expect([...errors.NON_RETRYABLE_PROVIDER_ERRORS].sort()).toEqual(
      [
        'CancellationOutcomeUnknown',
        'CancellationRevoked',
        'InvalidRequest',
        'PeriodEndUnknown',
        'ProviderAuthFailed',
        'ProviderConflict',
        'ProviderNotConfigured',
        'ProviderNotFound',
        'ProviderRejected',
      ].sort(),
    );
  });
});
