import { type z } from 'zod';
import {
  CancellationRequestSchema,
  RescheduleSchema,
  WithdrawSchema,
  type CancellationRequest,
} from './request';
import { dateWindowProblem, timingDates } from './timing';

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

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

function checked<T>(parsed: z.ZodSafeParseResult<T>, rules: (value: T) => FieldIssue[]): Checked<T> {
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error) };
  const issues = rules(parsed.data);
  return issues.length ? { ok: false, issues } : { ok: true, value: parsed.data };
}

const windowIssues = (dates: { field: string; value: string }[], now: number): FieldIssue[] =>
  dates.flatMap(({ field, value }) => {
    const message = dateWindowProblem(value, now);
    return message ? [{ field, message }] : [];
  });

/**
 * Every rule of the request contract: the schema, then the dates against the clock (`now`: the
 * caller's clock in the client, the run's start time in the workflow, so a request accepted by the
 * client is not refused by a workflow whose first task runs late).
 */
export function checkCancellationRequest(input: unknown, now: number): Checked<CancellationRequest> {
  return checked(CancellationRequestSchema.safeParse(input), (r) => windowIssues(timingDates(r.timing), now));
}

export function checkReschedule(input: unknown, now: number): Checked<{ at: string }> {
  return checked(RescheduleSchema.safeParse(input), (r) => windowIssues([{ field: 'at', value: r.at }], now));
}

export function checkWithdraw(input: unknown): Checked<{ reason?: string | undefined }> {
  return checked(WithdrawSchema.safeParse(input), () => []);
}

/** The first issue as an InvalidRequestError, for the client and the CLI. */
export function orThrow<T>(result: Checked<T>): T {
  if (result.ok) return result.value;
  const first = result.issues[0] ?? { field: '(request)', message: 'invalid request' };
  throw new InvalidRequestError(first.field, `${first.field}: ${first.message}`, result.issues);
}

/** Parses an untrusted request; throws InvalidRequestError naming the field. */
export function parseCancellationRequest(input: unknown, now = Date.now()): CancellationRequest {
  return orThrow(checkCancellationRequest(input, now));
}
