export { InvalidRequestError } from '../common/validation';

/** No cancellation workflow with that id. */
export class CancellationNotFoundError extends Error {
  override readonly name = 'CancellationNotFoundError';
  constructor(readonly workflowId: string) {
    super(`no cancellation with workflow id ${workflowId}`);
  }
}

/** The same requestId was used before with other parameters. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(
    readonly requestId: string,
    readonly workflowId: string,
  ) {
    super(`requestId ${requestId} was already used for a different request (workflow ${workflowId})`);
  }
}

/** Withdraw, reschedule or expedite refused by the workflow (e.g. already submitted). */
export class CancellationStateError extends Error {
  override readonly name = 'CancellationStateError';
  constructor(
    readonly workflowId: string,
    message: string,
  ) {
    super(message);
  }
}
