import { type ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_PROVIDER_ERRORS } from '../common/errors';

// Providers have outages measured in hours, so transient failures are retried with exponential
// backoff for most of a day; what the provider refused for good is listed as non-retryable.

export const SUBMIT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '12h',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '15m',
    nonRetryableErrorTypes: NON_RETRYABLE_PROVIDER_ERRORS,
  },
};

/** Reading back until the provider shows the cancellation; same non-retryable list. */
export const CONFIRM_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '12h',
  retry: {
    initialInterval: '10s',
    backoffCoefficient: 2,
    maximumInterval: '30m',
    nonRetryableErrorTypes: NON_RETRYABLE_PROVIDER_ERRORS,
  },
};

export const READ_PERIOD_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '6h',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    nonRetryableErrorTypes: NON_RETRYABLE_PROVIDER_ERRORS,
  },
};
