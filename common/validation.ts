import { type z } from 'zod';
import { CancellationRequestSchema, type CancellationRequest } from './request';

export interface FieldIssue {
  field: string;
  message: string;
}

/** A request that failed validation; `field` is the first offending path, e.g. `target.accountId`. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(
    readonly field: string,
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super(message);
  }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

function describe(issue: z.core.$ZodIssue): FieldIssue {
  let field = fieldPath(issue.path);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    field = fieldPath([...issue.path, issue.keys[0] ?? '']);
    message = `unknown field (allowed fields are listed in the request schema)`;
  } else if (
    issue.code === 'invalid_union' &&
    'discriminator' in issue &&
    issue.discriminator &&
    issue.path.at(-1) !== issue.discriminator // zod 4 already ends the path with it
  ) {
    field = fieldPath([...issue.path, String(issue.discriminator)]);
  }
  return { field: field || '(request)', message };
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map(describe);
}

/** Parses an untrusted request; throws InvalidRequestError naming the field. */
export function parseCancellationRequest(input: unknown): CancellationRequest {
  const parsed = CancellationRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  const first = issues[0] ?? { field: '(request)', message: 'invalid request' };
  throw new InvalidRequestError(first.field, `${first.field}: ${first.message}`, issues);
}
