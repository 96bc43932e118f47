import { type WorkflowExecutionDescription } from '@temporalio/client';
import { SA_REQUEST_ID, SA_SCHEDULED_FOR, SA_STAGE, type Stage } from '../common/search-attributes';
import { IdempotencyConflictError } from './errors';

export interface RequestAccepted {
  workflowId: string;
  runId: string;
  /** `started`: a new run; `existing`: this same request was already accepted (idempotent replay);
   *  `in-progress`: another request for the same subscription is already running (returned as is). */
  disposition: 'started' | 'existing' | 'in-progress';
  requestId: string;
  stage: Stage | 'unknown';
  scheduledFor?: string;
}

export const FINGERPRINT_MEMO = 'requestFingerprint';

/**
 * What a request finds when its subscription already has a run: this same request (`existing`),
 * another request's run in progress (`in-progress`), or the same requestId with other parameters
 * (IdempotencyConflictError, from the fingerprint kept in the run's memo).
 */
export async function acceptedRun(
  run: WorkflowExecutionDescription,
  requestId: string,
  fingerprint: string,
): Promise<RequestAccepted> {
  const runRequestId = run.typedSearchAttributes.get(SA_REQUEST_ID);
  const memo = (await run.memo) as Record<string, unknown> | undefined;
  let disposition: RequestAccepted['disposition'] = 'existing';
  if (runRequestId !== requestId) disposition = 'in-progress';
  else if (memo?.[FINGERPRINT_MEMO] !== undefined && memo[FINGERPRINT_MEMO] !== fingerprint)
    throw new IdempotencyConflictError(requestId, run.workflowId);
  const scheduledFor = run.typedSearchAttributes.get(SA_SCHEDULED_FOR);
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    disposition,
    requestId: runRequestId ?? requestId,
    stage: (run.typedSearchAttributes.get(SA_STAGE) as Stage | undefined) ?? 'unknown',
    ...(scheduledFor && { scheduledFor: scheduledFor.toISOString() }),
  };
}
