import { InvalidRequestError } from '../../common/validation';
import { CancellationNotFoundError, CancellationStateError, IdempotencyConflictError } from '../errors';

/** Maps an error to the line printed on stderr and the exit code; validation names the field. */
export function describeCliError(err: unknown): {
  message: string;
  code: number;
  field?: string;
  type: string;
} {
  if (err instanceof InvalidRequestError)
    return { type: 'InvalidRequest', code: 2, field: err.field, message: `invalid request: ${err.message}` };
  if (err instanceof CancellationNotFoundError) return { type: 'NotFound', code: 4, message: err.message };
  if (err instanceof CancellationStateError) return { type: 'InvalidState', code: 5, message: err.message };
  if (err instanceof IdempotencyConflictError)
    return { type: 'IdempotencyConflict', code: 6, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { type: err instanceof Error ? err.name : 'Error', code: 1, message };
}
