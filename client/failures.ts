import { type WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_REQUEST, INVALID_STATE, type InvalidRequestDetails } from '../common/errors';
import { InvalidRequestError } from '../common/validation';
import { CancellationStateError } from './errors';

/**
 * An update refused by the workflow's validator, as the client's own error types: matched on the
 * ApplicationFailure's type, never on its message.
 */
export function updateRefusal(workflowId: string, err: WorkflowUpdateFailedError): Error {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === INVALID_REQUEST) {
    const d = cause.details?.[0] as InvalidRequestDetails | undefined;
    const field = d?.field ?? '(request)';
    const message = d?.message ?? cause.message;
    return new InvalidRequestError(field, `${field}: ${message}`, [{ field, message }]);
  }
  if (cause instanceof ApplicationFailure && cause.type === INVALID_STATE)
    return new CancellationStateError(workflowId, cause.message);
  return err;
}
