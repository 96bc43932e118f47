import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type CancellationStatus } from '../common/result';

// Defined once, used by the workflow and by the client library.
export const WORKFLOW_TYPE = 'cancelSubscription';

export const statusQuery = defineQuery<CancellationStatus>('status');

/** Withdraw a cancellation that has not been submitted yet. Rejected once submission started. */
export const withdrawUpdate = defineUpdate<CancellationStatus, [{ reason?: string }]>('withdraw');
/** Move a scheduled cancellation to another time (ISO-8601, UTC or with offset). */
export const rescheduleUpdate = defineUpdate<CancellationStatus, [{ at: string }]>('reschedule');
/** Submit a scheduled cancellation now instead of waiting. */
export const expediteUpdate = defineUpdate<CancellationStatus, []>('expedite');
