import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { checkCancellationRequest, InvalidRequestError, type FieldIssue } from '../common/validation';
import { IdempotencyConflictError } from './errors';
import { type RequestAccepted } from './cancellation-client';

// `cancellations bulk`: one request per line of an NDJSON file, started with bounded concurrency.
// Starting is idempotent by requestId (CancellationClient.request), so running the same file again
// after an interruption starts only what had not been started and reports the rest as existing.

/** What became of one line: its run's disposition, or why it was not started. */
export type BulkOutcome = RequestAccepted['disposition'] | 'valid' | 'refused' | 'failed';

export interface BulkLineResult {
  /** 1-based line number in the file, blank lines counted. */
  line: number;
  outcome: BulkOutcome;
  requestId?: string;
  workflowId?: string;
  runId?: string;
  /** in-progress: the request whose run holds the subscription. */
  runningRequestId?: string;
  /** For refused (validation) and failed (start) lines; `field` names the offending field. */
  error?: { type: string; message: string; field?: string; issues?: FieldIssue[] };
}

export interface BulkCounts {
  /** Request lines (non-blank) taken so far. */
  requests: number;
  /** Lines whose outcome is known. */
  done: number;
  started: number;
  existing: number;
  /** Another request for the same subscription was already running: its run was left as is. */
  inProgress: number;
  /** Valid, not started (dry run). */
  valid: number;
  refused: number;
  failed: number;
}

export interface BulkSummary extends BulkCounts {
  /** Stopped by the signal before the end of the input; lines not read were not started. */
  interrupted: boolean;
  /** By line number. */
  results: BulkLineResult[];
}

export interface BulkOptions {
  /** Starts one request (CancellationClient.request); omitted: only validate (dry run). */
  submit?: (input: unknown) => Promise<RequestAccepted>;
  /** Starts in flight at most (default 16). */
  concurrency?: number;
  /** Stops taking new lines; those in flight finish. Give the same signal to requestLines so a
   *  wait for the next line of a quiet standard input ends too. */
  signal?: AbortSignal;
  /** After each line is read and after each is done, for a progress display. */
  onProgress?: (counts: Readonly<BulkCounts>) => void;
  now?: () => number;
}

export const DEFAULT_BULK_CONCURRENCY = 16;

const counterOf: Record<BulkOutcome, keyof BulkCounts> = {
  started: 'started',
  existing: 'existing',
  'in-progress': 'inProgress',
  valid: 'valid',
  refused: 'refused',
  failed: 'failed',
};

/** Reads `lines`, validates each non-blank one with the request's rules and starts the valid ones. */
export async function runBulk(lines: AsyncIterable<string>, options: BulkOptions = {}): Promise<BulkSummary> {
  const concurrency = options.concurrency ?? DEFAULT_BULK_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error('concurrency must be a positive integer');
  const now = options.now ?? Date.now;
  const counts: BulkCounts = {
    requests: 0,
    done: 0,
    started: 0,
    existing: 0,
    inProgress: 0,
    valid: 0,
    refused: 0,
    failed: 0,
  };
  const results: BulkLineResult[] = [];
  const record = (r: BulkLineResult) => {
    results.push(r);
    counts.done++;
    counts[counterOf[r.outcome]]++;
    options.onProgress?.(counts);
  };

  const inFlight = new Set<Promise<void>>();
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (options.signal?.aborted) break;
    if (text.trim() === '') continue;
    counts.requests++;
    options.onProgress?.(counts);
    const line = lineNo;
    const parsed = parseLine(text, now());
    if (!parsed.ok) {
      record({ line, outcome: 'refused', ...requestIdOf(parsed.input), error: parsed.error });
    } else if (!options.submit) {
      record({ line, outcome: 'valid', requestId: parsed.requestId });
    } else {
      const p = start(options.submit, parsed.input, parsed.requestId, line)
        .then(record)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
  }
  const interrupted = options.signal?.aborted ?? false;
  await Promise.all(inFlight);
  results.sort((a, b) => a.line - b.line);
  return { ...counts, interrupted, results };
}

type ParsedLine =
  | { ok: true; input: unknown; requestId: string }
  | { ok: false; input?: unknown; error: NonNullable<BulkLineResult['error']> };

function parseLine(text: string, now: number): ParsedLine {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    const message = `not valid JSON (${(err as Error).message})`;
    return { ok: false, error: { type: 'InvalidRequest', field: '(request)', message } };
  }
  const checked = checkCancellationRequest(input, now);
  if (checked.ok) return { ok: true, input, requestId: checked.value.requestId };
  const first = checked.issues[0] ?? { field: '(request)', message: 'invalid request' };
  return {
    ok: false,
    input,
    error: { type: 'InvalidRequest', field: first.field, message: first.message, issues: checked.issues },
  };
}

/** A refused line's requestId, when it has a readable one, to find it in the file. */
function requestIdOf(input: unknown): { requestId?: string } {
  const id =
    typeof input === 'object' && input !== null ? (input as { requestId?: unknown }).requestId : undefined;
  return typeof id === 'string' ? { requestId: id } : {};
}

async function start(
  submit: NonNullable<BulkOptions['submit']>,
  input: unknown,
  requestId: string,
  line: number,
): Promise<BulkLineResult> {
  try {
    const r = await submit(input);
    return {
      line,
      outcome: r.disposition,
      requestId,
      workflowId: r.workflowId,
      runId: r.runId,
      ...(r.requestId !== requestId && { runningRequestId: r.requestId }),
    };
  } catch (err) {
    if (err instanceof InvalidRequestError) {
      const message = err.issues[0]?.message ?? err.message;
      return {
        line,
        outcome: 'refused',
        requestId,
        error: { type: 'InvalidRequest', field: err.field, message },
      };
    }
    const type = err instanceof IdempotencyConflictError ? 'IdempotencyConflict' : errorType(err);
    const message = err instanceof Error ? err.message : String(err);
    return { line, outcome: 'failed', requestId, error: { type, message } };
  }
}

const errorType = (err: unknown) => (err instanceof Error ? err.name : 'Error');

/** The lines of a file, or of standard input for `-`, read as they are needed; `signal` ends them. */
export async function requestLines(source: string, signal?: AbortSignal): Promise<AsyncIterable<string>> {
  const input = source === '-' ? process.stdin : (await openForReading(source)).createReadStream();
  // terminal: false keeps a terminal's Ctrl-C a SIGINT for the process, not a readline event.
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false, ...(signal && { signal }) });
  // The iterator buffers from now on; lines read before one exists would be lost while the caller
  // connects to Temporal.
  const lines = rl[Symbol.asyncIterator]();
  return { [Symbol.asyncIterator]: () => lines };
}

/** Non-blank lines of a file (a quick pass, for a progress bar's total). */
export async function countRequestLines(file: string): Promise<number> {
  let n = 0;
  for await (const line of await requestLines(file)) if (line.trim() !== '') n++;
  return n;
}

async function openForReading(file: string) {
  try {
    return await open(file, 'r');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}
