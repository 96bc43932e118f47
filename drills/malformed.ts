import { randomBytes } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type CancellationClient } from '../client/cancellation-client';
import { INVALID_REQUEST, type InvalidRequestDetails } from '../common/errors';
import { type CancellationResult } from '../common/result';
import { InvalidRequestError } from '../common/validation';
import { WORKFLOW_TYPE } from '../workflows/definitions';
import { MALFORMED, validControlRequest, type MalformedCase } from './corpus';
import { mapLimit } from '../harness/stats';
import { DrillFailure, waitFor } from './support/system';

export interface MalformedCounts {
  cases: number;
  /** The front door: CancellationClient.request. */
  clientRefusedNamingTheField: number;
  clientRefusedOtherwise: number;
  clientAccepted: number;
  /** The back door: a raw Temporal start of the workflow type, bypassing the client. */
  rawFailedNamingTheField: number;
  rawFailedOtherwise: number;
  rawCompleted: number;
  workflowsBefore: number;
  /** Runs after the corpus: the raw starts only (the client starts none). */
  workflowsAfter: number;
  /** Failed runs the corpus added (every raw start should be one). */
  failedRunsAfter: number;
  providerWrites: number;
  controlRequestSeen: boolean;
}

export interface MalformedOutcome {
  case: MalformedCase;
  /** `ok` when refused (client) or failed (raw start) as InvalidRequest naming the expected field. */
  verdict: 'ok' | 'wrong-field' | 'other-error' | 'accepted';
  detail: string;
}

/** What a drill needs of its system to run the corpus through both doors. */
export interface MalformedTarget {
  client: CancellationClient;
  taskQueue: string;
  countWorkflows: (extra?: string) => Promise<number>;
  writeCalls: () => number;
}

/** Sends every malformed request through the client; each must be refused with the field named. */
export async function runMalformedCorpus(client: CancellationClient): Promise<MalformedOutcome[]> {
  const out: MalformedOutcome[] = [];
  for (const c of MALFORMED) {
    try {
      const accepted = await client.request(c.input);
      out.push({ case: c, verdict: 'accepted', detail: `started ${accepted.workflowId}` });
    } catch (err) {
      if (!(err instanceof InvalidRequestError))
        out.push({ case: c, verdict: 'other-error', detail: String(err).slice(0, 200) });
      else
        out.push({
          case: c,
          verdict: err.field === c.field ? 'ok' : 'wrong-field',
          detail: `${err.field}: ${err.message.slice(0, 120)}`,
        });
    }
  }
  return out;
}

/**
 * Starts one malformed request as a raw Temporal client would (any SDK, no client-side validation)
 * and reads how the run failed: an InvalidRequest ApplicationFailure whose details are the result
 * (with error.field) and then {field, message}.
 */
export async function startRaw(
  t: MalformedTarget,
  c: MalformedCase,
  workflowId: string,
): Promise<MalformedOutcome> {
  let handle;
  try {
    handle = await t.client.client.workflow.start(WORKFLOW_TYPE, {
      workflowId,
      taskQueue: t.taskQueue,
      args: [c.input],
    });
  } catch (err) {
    return { case: c, verdict: 'other-error', detail: `start refused: ${String(err).slice(0, 160)}` };
  }
  try {
    // A run the workflow wrongly accepted may wait for months: give it a bound, then end it.
    const outcome = await Promise.race([
      handle.result() as Promise<CancellationResult>,
      new Promise<undefined>((r) => setTimeout(r, RAW_RESULT_TIMEOUT_MS, undefined).unref()),
    ]);
    if (outcome === undefined) await handle.terminate('malformed drill: accepted by the workflow');
    return {
      case: c,
      verdict: 'accepted',
      detail: `run ${workflowId} ${outcome ? `ended ${outcome.status}` : 'still running (terminated)'}`,
    };
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure) || cause.type !== INVALID_REQUEST)
      return { case: c, verdict: 'other-error', detail: String(cause ?? err).slice(0, 200) };
    const [result, issue] = (cause.details ?? []) as [CancellationResult?, InvalidRequestDetails?];
    const named = [result?.error?.field, issue?.field];
    return {
      case: c,
      verdict: named.every((f) => f === c.field) && result?.status === 'failed' ? 'ok' : 'wrong-field',
      detail: `result.error.field ${named[0]}, details.field ${named[1]}: ${(issue?.message ?? cause.message).slice(0, 100)}`,
    };
  }
}

const RAW_RESULT_TIMEOUT_MS = 30_000;
const FAILED = `ExecutionStatus = 'Failed'`;

export async function runRawCorpus(t: MalformedTarget): Promise<MalformedOutcome[]> {
  const run = randomBytes(3).toString('hex');
  return mapLimit(MALFORMED, 8, (c, i) => startRaw(t, c, `drill-malformed-raw-${run}-${i}`));
}

/**
 * The malformed-request drill, through both doors. The client refuses the corpus field by field
 * and starts nothing; started raw, each run fails as InvalidRequest naming the same field; no
 * provider sees a write; and a valid control request does show in the count (the count works).
 */
export async function malformedDrill(
  o: MalformedTarget & { log: (line: string) => void },
): Promise<MalformedCounts> {
  const before = await o.countWorkflows();
  const failedBefore = await o.countWorkflows(FAILED);
  const writesBefore = o.writeCalls();
  const viaClient = await runMalformedCorpus(o.client);
  const viaRaw = await runRawCorpus(o);
  for (const [door, outcomes] of [
    ['client', viaClient],
    ['raw', viaRaw],
  ] as const)
    for (const r of outcomes)
      o.log(
        `  ${r.verdict === 'ok' ? 'refused' : 'WRONG  '} ${door.padEnd(6)} ${r.case.name.padEnd(46)} ${r.detail.slice(0, 80)}`,
      );
  // Visibility lags a little: wait until the raw runs show, and give a wrongly started one the time to.
  const failedRunsAfter = await waitFor(
    () => o.countWorkflows(FAILED),
    (n) => n >= failedBefore + MALFORMED.length,
    15_000,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const after = await o.countWorkflows();
  const control = await o.client.request(validControlRequest(`drill-control-${Date.now()}`));
  const withControl = await waitFor(
    () => o.countWorkflows(),
    (n) => n === after + 1,
    15_000,
  );
  await o.client.withdraw(control.workflowId, 'drill control request');
  const count = (outcomes: MalformedOutcome[], ...verdicts: MalformedOutcome['verdict'][]) =>
    outcomes.filter((r) => verdicts.includes(r.verdict)).length;
  const counts: MalformedCounts = {
    cases: MALFORMED.length,
    clientRefusedNamingTheField: count(viaClient, 'ok'),
    clientRefusedOtherwise: count(viaClient, 'wrong-field', 'other-error'),
    clientAccepted: count(viaClient, 'accepted'),
    rawFailedNamingTheField: count(viaRaw, 'ok'),
    rawFailedOtherwise: count(viaRaw, 'wrong-field', 'other-error'),
    rawCompleted: count(viaRaw, 'accepted'),
    workflowsBefore: before,
    workflowsAfter: after,
    failedRunsAfter: failedRunsAfter - failedBefore,
    providerWrites: o.writeCalls() - writesBefore,
    controlRequestSeen: withControl === after + 1,
  };
  const wrong = [...viaClient.map((r) => ['client', r] as const), ...viaRaw.map((r) => ['raw', r] as const)]
    .filter(([, r]) => r.verdict !== 'ok')
    .map(([door, r]) => `${door} ${r.case.name} -> ${r.verdict} (${r.detail}), expected ${r.case.field}`);
  const problems = [
    wrong.length > 0 && wrong.join('; '),
    after !== before + MALFORMED.length &&
      `${after - before} runs after the corpus, ${MALFORMED.length} raw starts`,
    counts.failedRunsAfter !== MALFORMED.length &&
      `${counts.failedRunsAfter} failed runs, ${MALFORMED.length} raw starts`,
    counts.providerWrites > 0 && `${counts.providerWrites} provider writes`,
    !counts.controlRequestSeen && 'the control request never showed in the count',
  ].filter(Boolean);
  if (problems.length) throw new DrillFailure(`malformed: ${problems.join('; ')}`, counts);
  return counts;
}
