import { type ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_PROVIDER_ERRORS, NON_RETRYABLE_CALLBACK_ERRORS } from '../common/errors';
import { type RunStartOptions } from './run-starts';

// Providers have outages measured in hours, so transient failures are retried with exponential
// backoff for most of a day; what the provider refused for good is listed as non-retryable.
// Every provider activity heartbeats while a call is slow (activities/providers/activity-context):
// a worker killed mid-call is noticed after HEARTBEAT_TIMEOUT, not after the start-to-close timeout.

// 3 s: the SDK sends heartbeats at most every 0.8 × this, and a killed worker's activity is retried
// after this plus the first retry interval; measured by the kill -9 drill (drills/REPORT.md).
const HEARTBEAT_TIMEOUT = '3s';

export const SUBMIT_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45s',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '12h',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '15m',
    nonRetryableErrorTypes: NON_RETRYABLE_PROVIDER_ERRORS,
  },
};

/** Reading back until the provider shows the cancellation; same non-retryable list. */
export const CONFIRM_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45s',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
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
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '6h',
  retry: {
    initialInterval: '5s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    nonRetryableErrorTypes: NON_RETRYABLE_PROVIDER_ERRORS,
  },
};

/** Verification reads once the effect is due; a provider outage only delays it. */
export const VERIFY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '45s',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '24h',
  retry: {
    initialInterval: '30s',
    backoffCoefficient: 2,
    maximumInterval: '1h',
    nonRetryableErrorTypes: NON_RETRYABLE_PROVIDER_ERRORS,
  },
};

/**
 * Starting the verification run is a call to Temporal itself: retried until it gets through.
 * A local activity since the ONE_TASK_COMPLETION patch (workflows/run-starts.ts).
 */
export const START_VERIFICATION_OPTIONS: RunStartOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/**
 * Starting a callback's delivery run: a call to Temporal, like starting verification, but bounded
 * so that the cancellation never waits long on its callback (a failure to start is logged).
 */
export const START_CALLBACK_DELIVERY_OPTIONS: RunStartOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/** A receiver that is down is tried again with backoff for up to 24 hours (shared/CONTRACT.md). */
const CALLBACK_FIRST_RETRY_MS = 10_000;

/**
 * One POST of a signed event. `firstRetryMs` is the worker's CANCELLATIONS_CALLBACK_FIRST_RETRY_MS,
 * passed in the delivery run's input; the 24-hour budget and the backoff stay as declared here.
 */
export function callbackDeliveryOptions(firstRetryMs = CALLBACK_FIRST_RETRY_MS): ActivityOptions {
  return {
    // The receiver's whole answer fits in CANCELLATIONS_CALLBACK_TIMEOUT_MS (at most 60 s).
    startToCloseTimeout: '90s',
    scheduleToCloseTimeout: '24h',
    retry: {
      initialInterval: firstRetryMs,
      backoffCoefficient: 2,
      maximumInterval: '1h',
      nonRetryableErrorTypes: NON_RETRYABLE_CALLBACK_ERRORS,
    },
  };
}
