import { workflowInfo } from '@temporalio/workflow';
import type { AttemptedReceipt } from '../activities';
import type { Confirmation, VerifyQuery } from '../activities/providers/types';
import { RunOptionsSchema, type Provider } from '../common/request';
import { type CancellationResult, type VerificationInfo } from '../common/result';
import { SA_CUSTOMER_ID, SA_PROVIDER, SA_REQUEST_ID } from '../common/search-attributes';
import { DEFAULT_VERIFICATION_GRACE_MS, verificationDueAt } from '../common/timing';
import { type CancellationRun } from './cancellation-run';
import { START_VERIFICATION_OPTIONS } from './retry-policies';
import { runStartActivities } from './run-starts';

/** A verification not started yet: when it is due and which run will carry it out. */
export type PlannedVerification = VerificationInfo & { workflowId: string };

/**
 * When the verification is due (the provider's effective date plus grace) and which run will carry
 * it out; nothing is started yet, so that the completed result can name it.
 */
export function planVerification(
  provider: Provider,
  receipt: AttemptedReceipt,
  confirmation: Confirmation,
  rawOptions: unknown,
): PlannedVerification {
  const options = RunOptionsSchema.safeParse(rawOptions ?? {});
  const graceSeconds = options.success ? options.data.verificationGraceSeconds : undefined;
  const graceMs = graceSeconds !== undefined ? graceSeconds * 1000 : DEFAULT_VERIFICATION_GRACE_MS;
  const effectiveAt = confirmation.effectiveAt ?? receipt.effectiveAt;
  const dueAt = verificationDueAt(provider, effectiveAt, receipt.submittedAt, graceMs);
  const info = workflowInfo();
  return { status: 'pending', dueAt, workflowId: `${info.workflowId}/verification/${info.runId}` };
}

/**
 * Starts the verification run planned in `result.verification` (see workflows/cancellation.ts for
 * why a run of its own). It carries the request's callbackUrl and this result, so that it can send
 * the verification's own event.
 */
export async function startVerification(
  run: CancellationRun,
  query: VerifyQuery<Provider>,
  result: CancellationResult & { verification: PlannedVerification },
  what: string,
): Promise<void> {
  const { request } = run;
  const { dueAt, workflowId } = result.verification;
  const info = workflowInfo();
  const customer = info.typedSearchAttributes.get(SA_CUSTOMER_ID);
  const { startVerificationRun } = runStartActivities({
    ...START_VERIFICATION_OPTIONS,
    summary: `start the verification due ${dueAt}`,
  });
  await startVerificationRun({
    workflowId,
    input: {
      provider: request.provider,
      cancellationWorkflowId: info.workflowId,
      dueAt,
      query,
      ...(request.callbackUrl && { callback: { url: request.callbackUrl, result } }),
    },
    summary: `Verify the cancellation of ${what} after ${dueAt}`,
    searchAttributes: [
      { key: SA_PROVIDER, value: request.provider },
      { key: SA_REQUEST_ID, value: request.requestId },
      ...(customer ? [{ key: SA_CUSTOMER_ID, value: customer }] : []),
    ],
  });
  run.verification = { status: 'pending', dueAt, workflowId };
}
