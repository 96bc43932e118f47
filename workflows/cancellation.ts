import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AttemptedReceipt } from '../activities';
import type { Confirmation, SubmitCommand } from '../activities/providers/types';
import { CallbackUrlSchema } from '../common/callbacks';
import { providers, type Provider } from '../common/request';
import { type CancellationResult } from '../common/result';
import { SA_CONFIRMATION, SA_PROVIDER, SA_REQUEST_ID, SA_STAGE } from '../common/search-attributes';
import { scheduledForOf } from '../common/timing';
import { checkCancellationRequest } from '../common/validation';
import { describeTarget } from '../common/workflow-id';
import { sendCallback } from './callback-delivery';
import { CancellationRun, invalidRequest } from './cancellation-run';
import { describeFailure } from './describe-failure';
import { ONE_TASK_COMPLETION } from './patches';
import { providerOps } from './provider-activities';
import { CONFIRM_OPTIONS, READ_PERIOD_OPTIONS, SUBMIT_OPTIONS } from './retry-policies';
import { planVerification, startVerification, type PlannedVerification } from './verification-start';

/**
 * One subscription cancellation, end to end: validate, schedule (withdrawable, reschedulable,
 * expeditable until it runs), submit to the provider, confirm by reading the provider, report, and
 * hand the effect's verification to a run of its own.
 *
 * Verification is a follow-up run rather than more of this run: the result here resolves at the
 * first level the provider showed (a backend's `result()` and any other SDK's handle.result() must
 * not wait weeks for the effective date), the cancellation's run closes as Completed once the
 * provider confirmed it, and a verification that finds the cancellation not applied fails its own
 * run, so it stands out in red in the Web UI. It is started by a local activity, not as a child: a child
 * outliving its closed parent is what ParentClosePolicy ABANDON allows, but Temporal's
 * time-skipping test server stalls on it (sdk-typescript issue 1101), and nothing here needs the
 * parent link (the run's id names the cancellation it verifies).
 *
 * Each outcome (completed, failed, withdrawn) is announced to the request's callbackUrl by a
 * delivery run of its own (workflows/callback-delivery.ts): a receiver that is down never holds up
 * or fails the cancellation.
 */
export async function cancelSubscription(input: unknown, options?: unknown): Promise<CancellationResult> {
  const run = await validate(input);
  run.registerHandlers();
  makeFindable(run);
  try {
    if (!(await waitUntilDue(run))) return await announce(run, run.outcome('withdrawn'));
    const receipt = await submit(run);
    const confirmation = await confirm(run, receipt);
    const verification = planVerification(run.request.provider, receipt, confirmation, options);
    const result = completed(run, receipt, confirmation, verification);
    await startVerification(run, verifyQuery(run, receipt, confirmation), result, what(run));
    report(run, confirmation);
    return await announce(run, result);
  } catch (err) {
    return fail(run, err);
  }
}

/** The request as the contract defines it, checked against the run's start time. */
async function validate(input: unknown): Promise<CancellationRun> {
  const info = workflowInfo();
  const requestedAt = info.startTime.toISOString();
  const checked = checkCancellationRequest(input, info.startTime.getTime());
  if (checked.ok) return new CancellationRun(checked.value, info.workflowId, requestedAt);
  upsertSearchAttributes([{ key: SA_STAGE, value: 'failed' }]);
  const raw = (input ?? {}) as Record<string, unknown>;
  const provider = providers.find((p) => p === raw.provider);
  const issue = checked.issues[0] ?? { field: '(request)', message: 'invalid request' };
  const result: CancellationResult = {
    requestId: String(raw.requestId ?? ''),
    workflowId: info.workflowId,
    ...(provider && { provider }),
    status: 'failed',
    requestedAt,
    attempts: 0,
    error: { type: 'InvalidRequest', message: issue.message, field: issue.field },
  };
  const callbackUrl = CallbackUrlSchema.safeParse(raw.callbackUrl);
  if (callbackUrl.success)
    await sendCallback(callbackUrl.data, info.workflowId, 'cancellation.failed', result);
  throw invalidRequest(checked, result);
}

/**
 * Runs started by other SDKs may come without our search attributes: make them findable anyway.
 * Not by customer: search attributes are plaintext, and the customer id's keyed hash needs a key
 * that workflow code must not hold (the starting client sets CancellationCustomerId).
 */
function makeFindable(run: CancellationRun): void {
  if (workflowInfo().typedSearchAttributes.get(SA_REQUEST_ID)) return;
  upsertSearchAttributes([
    { key: SA_PROVIDER, value: run.request.provider },
    { key: SA_REQUEST_ID, value: run.request.requestId },
    { key: SA_STAGE, value: 'scheduled' },
  ]);
}

/** Waits until the cancellation is due; false when it was withdrawn first. */
async function waitUntilDue(run: CancellationRun): Promise<boolean> {
  const { provider, timing, target } = run.request;
  let periodEnd: string | undefined;
  if (timing.mode === 'end-of-billing-period' && timing.deferTo === 'orchestrator' && !timing.periodEnd) {
    setCurrentDetails(`Reading the billing period end of ${what(run)}`);
    const read = providerOps(provider, {
      ...READ_PERIOD_OPTIONS,
      summary: `read period end of ${what(run)}`,
    });
    const period = await read.readPeriodEnd(target);
    periodEnd = period.periodEnd;
    log.info(`billing period of ${what(run)} ends ${periodEnd} (${period.source})`);
  }
  const due = scheduledForOf(provider, timing, periodEnd);
  if (due) run.setSchedule(due);
  while (run.scheduledFor && !run.withdrawn && !run.expedited && Date.parse(run.scheduledFor) > Date.now()) {
    const version = run.scheduleVersion;
    setCurrentDetails(
      `Scheduled for ${run.scheduledFor}: waiting. Withdraw, reschedule or expedite until then (updates).`,
    );
    await condition(
      () => run.withdrawn || run.expedited || run.scheduleVersion !== version,
      Date.parse(run.scheduledFor) - Date.now(),
      { summary: `wait until ${run.scheduledFor}` },
    );
  }
  run.periodEnd = periodEnd ?? (timing.mode === 'end-of-billing-period' ? timing.periodEnd : undefined);
  return !run.withdrawn;
}

/** The one write to the provider; Temporal retries what is transient, with the same idempotency key. */
async function submit(run: CancellationRun): Promise<AttemptedReceipt> {
  const { request } = run;
  run.enter('submitting', `Submitting the cancellation of ${what(run)} to ${request.provider}`);
  const command: SubmitCommand<Provider> = {
    requestId: request.requestId,
    workflowId: run.workflowId,
    target: request.target,
    effect: effectOf(run),
    ...(run.periodEnd && effectOf(run) === 'end-of-period' && { effectiveAt: iso(run.periodEnd) }),
    ...(request.reason?.code && { reasonCode: request.reason.code }),
    ...(request.reason?.comment && { comment: request.reason.comment }),
    requestedBy: request.requestedBy,
  };
  const ops = providerOps(request.provider, { ...SUBMIT_OPTIONS, summary: `cancel ${what(run)}` });
  const receipt = await ops.submit(command);
  run.attempts = receipt.attempt;
  log.info(
    `submitted after ${receipt.attempt} attempt(s)${receipt.alreadyExisted ? '; the provider already had it' : ''}`,
  );
  return receipt;
}

/**
 * End of billing period uses the provider's own end-of-period option, whoever times it: the
 * orchestrator fires a lead time before the period end (common/timing.ts). Expedite means "now".
 */
function effectOf(run: CancellationRun): 'now' | 'end-of-period' {
  return run.request.timing.mode === 'end-of-billing-period' && !run.expedited ? 'end-of-period' : 'now';
}

/** Reads the provider back until it shows the cancellation; never writes. */
async function confirm(run: CancellationRun, receipt: AttemptedReceipt): Promise<Confirmation> {
  const { request } = run;
  run.enter('confirming', `Reading ${request.provider} back until it shows the cancellation of ${what(run)}`);
  const ops = providerOps(request.provider, {
    ...CONFIRM_OPTIONS,
    summary: `confirm cancellation of ${what(run)}`,
  });
  return ops.confirm({
    requestId: request.requestId,
    workflowId: run.workflowId,
    target: request.target,
    effect: effectOf(run),
    receipt,
  });
}

/** What the verification run reads the provider with. */
function verifyQuery(run: CancellationRun, receipt: AttemptedReceipt, confirmation: Confirmation) {
  const { request } = run;
  return {
    requestId: request.requestId,
    workflowId: run.workflowId,
    target: request.target,
    effect: effectOf(run),
    receipt,
    confirmation,
  };
}

/** The completed result, naming the verification run about to be started. */
function completed(
  run: CancellationRun,
  receipt: AttemptedReceipt,
  confirmation: Confirmation,
  verification: PlannedVerification,
): CancellationResult & { verification: PlannedVerification } {
  const effectiveAt = confirmation.effectiveAt ?? receipt.effectiveAt;
  const result = run.outcome('completed', {
    submittedAt: receipt.submittedAt,
    confirmedAt: confirmation.observedAt,
    ...(effectiveAt && { effectiveAt }),
    providerReference: {
      ...receipt.providerReference,
      ...confirmation.providerReference,
      state: confirmation.providerState,
    },
    confirmation: {
      level: confirmation.level,
      observedAt: confirmation.observedAt,
      providerState: confirmation.providerState,
    },
    verification,
  });
  return { ...result, verification };
}

function report(run: CancellationRun, confirmation: Confirmation): void {
  const level = { key: SA_CONFIRMATION, value: confirmation.level };
  const oneUpsert = patched(ONE_TASK_COMPLETION);
  if (!oneUpsert) upsertSearchAttributes([level]);
  run.enter(
    'completed',
    `Cancellation ${confirmation.level} at ${run.request.provider}: ${confirmation.providerState}`,
    oneUpsert ? [level] : [],
  );
}

/** Hands the outcome to the request's callbackUrl, if any (never fails the run), and returns it. */
async function announce(run: CancellationRun, result: CancellationResult): Promise<CancellationResult> {
  await sendCallback(run.request.callbackUrl, run.workflowId, `cancellation.${result.status}`, result);
  return result;
}

/** Fails the run (shown as Failed in the Web UI) while keeping the result shape for the client. */
async function fail(run: CancellationRun, err: unknown): Promise<never> {
  const error = describeFailure(err);
  run.lastError = error;
  run.attempts = Math.max(run.attempts, error.attempt ?? 0);
  const result = run.outcome('failed', {
    error: { type: error.type, message: error.message, ...(error.field && { field: error.field }) },
  });
  run.enter('failed', `Failed: ${error.message}`);
  await announce(run, result);
  await condition(allHandlersFinished);
  throw ApplicationFailure.create({
    type: error.type,
    message: error.message,
    nonRetryable: true,
    details: [result],
  });
}

const what = (run: CancellationRun) => describeTarget(run.request);
const iso = (date: string) => new Date(date).toISOString();
