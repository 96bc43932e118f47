import {
  ApplicationFailure,
  log,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { VerifyQuery } from '../activities/providers/types';
import { CANCELLATION_NOT_APPLIED } from '../common/errors';
import { type Provider } from '../common/request';
import { type CancellationResult, type VerificationInfo } from '../common/result';
import { SA_VERIFICATION } from '../common/search-attributes';
import { sendCallback } from './callback-delivery';
import { verificationQuery } from './definitions';
import { providerOps } from './provider-activities';
import { VERIFY_OPTIONS } from './retry-policies';

export interface VerificationInput {
  provider: Provider;
  /** The cancellation run this one verifies. */
  cancellationWorkflowId: string;
  /** When to read the provider: its effective date plus grace (common/timing.ts). */
  dueAt: string;
  query: VerifyQuery<Provider>;
  /** The request's callbackUrl, and the cancellation's result that the verification completes. */
  callback?: { url: string; result: CancellationResult };
}

/**
 * Once a cancellation is due to have taken effect, reads the provider again: `verified` when it
 * shows the subscription ended, `not-applied` when it does not. A not-applied cancellation fails
 * this run (type CancellationNotApplied), so that it stands out to an operator in the Web UI and in
 * `cancellations list --verification not-applied`; the details carry the provider's state.
 */
export async function verifyCancellation(input: VerificationInput): Promise<VerificationInfo> {
  let state: VerificationInfo = { status: 'pending', dueAt: input.dueAt };
  setHandler(verificationQuery, () => state);
  upsertSearchAttributes([{ key: SA_VERIFICATION, value: 'pending' }]);

  setCurrentDetails(`Waiting until ${input.dueAt} to read ${input.provider} again`);
  const wait = Date.parse(input.dueAt) - Date.now();
  if (wait > 0) await sleep(wait, { summary: `until ${input.dueAt}` });

  const ops = providerOps(input.provider, { ...VERIFY_OPTIONS, summary: 'verify the effect' });
  const reading = await ops.verify(input.query);
  state = {
    ...state,
    status: reading.status,
    checkedAt: reading.checkedAt,
    providerState: reading.providerState,
  };
  upsertSearchAttributes([{ key: SA_VERIFICATION, value: reading.status }]);
  log.info(`verification of ${input.cancellationWorkflowId}: ${reading.status} (${reading.providerState})`);
  if (reading.status === 'verified') {
    setCurrentDetails(`Verified: ${reading.providerState}`);
    await announce(input, 'cancellation.verified', state);
    return state;
  }
  setCurrentDetails(`NOT APPLIED: ${input.provider} still shows ${reading.providerState}`);
  await announce(input, 'cancellation.not-applied', state);
  throw ApplicationFailure.create({
    type: CANCELLATION_NOT_APPLIED,
    nonRetryable: true,
    message: `${input.provider} still shows ${reading.providerState} after the cancellation was due (${input.dueAt})`,
    details: [state],
  });
}

/** The verification's outcome as an event: the cancellation's result with the verification filled in. */
function announce(
  input: VerificationInput,
  type: 'cancellation.verified' | 'cancellation.not-applied',
  state: VerificationInfo,
): Promise<void> {
  if (!input.callback) return Promise.resolve();
  const { result } = input.callback;
  const data = { ...result, verification: { ...result.verification, ...state } };
  return sendCallback(input.callback.url, input.cancellationWorkflowId, type, data);
}
