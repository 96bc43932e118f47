import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type WithdrawArgs } from '../common/request';
import { type CancellationStatus, type VerificationInfo } from '../common/result';

// Defined once, used by the workflows and by the client library.
export const WORKFLOW_TYPE = 'cancelSubscription';
export const VERIFICATION_WORKFLOW_TYPE = 'verifyCancellation';

export const statusQuery = defineQuery<CancellationStatus>('status');
/** The verification run's view of itself. */
export const verificationQuery = defineQuery<VerificationInfo>('verification');

// Updates refuse what they cannot do with typed ApplicationFailures (InvalidRequest naming the
// field, InvalidState naming the stage) raised by their validators: nothing reaches history then.

/** Withdraw a cancellation that has not been submitted yet. Refused once submission started. */
export const withdrawUpdate = defineUpdate<CancellationStatus, [WithdrawArgs]>('withdraw');
/** Move a scheduled cancellation to another time (ISO-8601, UTC or with offset). */
export const rescheduleUpdate = defineUpdate<CancellationStatus, [{ at: string }]>('reschedule');
/** Submit a scheduled cancellation now instead of waiting. */
export const expediteUpdate = defineUpdate<CancellationStatus, []>('expedite');
