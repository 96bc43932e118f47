import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { INVALID_REQUEST, type ProviderErrorDetails } from '../common/errors';
import { canonicalJson } from '../common/fingerprint';
import { CancellationRequestSchema, RescheduleSchema, type CancellationRequest } from '../common/request';
import { type CancellationError, type CancellationResult, type CancellationStatus } from '../common/result';
import {
  SA_PROVIDER,
  SA_REQUEST_ID,
  SA_SCHEDULED_FOR,
  SA_STAGE,
  type Stage,
} from '../common/search-attributes';
import { issuesOf } from '../common/validation';
import { describeTarget } from '../common/workflow-id';
import type { SubmitCommand } from '../activities/providers/types';
import { expediteUpdate, rescheduleUpdate, statusQuery, withdrawUpdate } from './definitions';
import { providerActivities } from './provider-activities';
import { CONFIRM_OPTIONS, READ_PERIOD_OPTIONS, SUBMIT_OPTIONS } from './retry-policies';

/**
 * One subscription cancellation, end to end: validate, schedule (withdrawable, reschedulable,
 * expeditable until it runs), submit to the provider with retries, confirm at the provider, report.
 */
export async function cancelSubscription(input: unknown): Promise<CancellationResult> {
  const info = workflowInfo();
  const requestedAt = info.startTime.toISOString();
  const parsed = CancellationRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = issuesOf(parsed.error)[0] ?? { field: '(request)', message: 'invalid request' };
    const raw = (input ?? {}) as Partial<CancellationRequest>;
    upsertSearchAttributes([{ key: SA_STAGE, value: 'failed' }]);
    throw ApplicationFailure.create({
      type: INVALID_REQUEST,
      nonRetryable: true,
      message: `${issue.field}: ${issue.message}`,
      details: [
        {
          requestId: String(raw.requestId ?? ''),
          workflowId: info.workflowId,
          provider: raw.provider ?? 'rebilly',
          status: 'failed',
          requestedAt,
          attempts: 0,
          error: { type: INVALID_REQUEST, message: issue.message, field: issue.field },
        } satisfies CancellationResult,
      ],
    });
  }
  const request = parsed.data;
  const { provider, timing } = request;
  const what = describeTarget(request);

  let stage: Stage = 'scheduled';
  let scheduledFor: string | undefined;
  let scheduleVersion = 0;
  let withdrawn = false;
  let expedited = false;
  let attempts = 0;
  let lastError: CancellationError | undefined;
  let result: CancellationResult | undefined;

  const status = (): CancellationStatus => ({
    requestId: request.requestId,
    workflowId: info.workflowId,
    provider,
    stage,
    fingerprint: canonicalJson(request),
    timing:
      timing.mode === 'end-of-billing-period' ? `end-of-billing-period (${timing.deferTo})` : timing.mode,
    ...(scheduledFor && { scheduledFor }),
    attempts,
    ...(lastError && { lastError }),
    ...(result && { result }),
  });
  const enter = (next: Stage, details: string) => {
    stage = next;
    upsertSearchAttributes([{ key: SA_STAGE, value: next }]);
    setCurrentDetails(details);
    log.info(`stage ${next}: ${details}`);
  };
  const requireScheduled = (action: string) => {
    if (stage !== 'scheduled') throw new Error(`cannot ${action}: the cancellation is already ${stage}`);
  };

  setHandler(statusQuery, status);
  setHandler(
    withdrawUpdate,
    (args) => {
      withdrawn = true;
      enter('withdrawn', `Withdrawn before submission${args.reason ? `: ${args.reason}` : ''}`);
      return status();
    },
    { validator: (_args: { reason?: string }) => requireScheduled('withdraw') },
  );
  setHandler(
    rescheduleUpdate,
    ({ at }) => {
      scheduledFor = new Date(at).toISOString();
      scheduleVersion++;
      upsertSearchAttributes([{ key: SA_SCHEDULED_FOR, value: new Date(scheduledFor) }]);
      log.info(`rescheduled to ${scheduledFor}`);
      return status();
    },
    {
      validator: (args) => {
        const checked = RescheduleSchema.safeParse(args);
        if (!checked.success) {
          const issue = issuesOf(checked.error)[0];
          throw new Error(`invalid ${issue?.field ?? 'at'}: ${issue?.message ?? 'invalid'}`);
        }
        requireScheduled('reschedule');
      },
    },
  );
  setHandler(
    expediteUpdate,
    () => {
      expedited = true;
      log.info('expedited: submitting now');
      return status();
    },
    { validator: () => requireScheduled('expedite') },
  );

  // Runs started by other SDKs may come without our search attributes: make them findable anyway.
  // Not by customer: search attributes are plaintext, and the customer id's keyed hash needs a key
  // that workflow code must not hold (the starting client sets CancellationCustomerId).
  if (!info.typedSearchAttributes.get(SA_REQUEST_ID)) {
    upsertSearchAttributes([
      { key: SA_PROVIDER, value: provider },
      { key: SA_REQUEST_ID, value: request.requestId },
      { key: SA_STAGE, value: 'scheduled' },
    ]);
  }

  const outcome = (
    s: CancellationResult['status'],
    extra: Partial<CancellationResult> = {},
  ): CancellationResult => ({
    requestId: request.requestId,
    workflowId: info.workflowId,
    provider,
    status: s,
    requestedAt,
    ...(scheduledFor && { scheduledFor }),
    attempts,
    ...extra,
  });

  try {
    // --- Schedule -------------------------------------------------------------------------------
    if (timing.mode === 'at') scheduledFor = new Date(timing.at).toISOString();
    if (timing.mode === 'end-of-billing-period' && timing.deferTo === 'orchestrator') {
      if (timing.periodEnd) {
        scheduledFor = new Date(timing.periodEnd).toISOString();
      } else {
        setCurrentDetails(`Reading the billing period end of ${what}`);
        const read = providerActivities(provider, {
          ...READ_PERIOD_OPTIONS,
          summary: `read period end of ${what}`,
        });
        const period = await read.readPeriodEnd(request.target as never);
        scheduledFor = period.periodEnd;
        log.info(`billing period of ${what} ends ${scheduledFor} (${period.source})`);
      }
    }
    if (scheduledFor) {
      upsertSearchAttributes([{ key: SA_SCHEDULED_FOR, value: new Date(scheduledFor) }]);
      while (!withdrawn && !expedited && Date.parse(scheduledFor) > Date.now()) {
        const version = scheduleVersion;
        setCurrentDetails(
          `Scheduled for ${scheduledFor}: waiting. Withdraw, reschedule or expedite until then (updates).`,
        );
        await condition(
          () => withdrawn || expedited || scheduleVersion !== version,
          Date.parse(scheduledFor) - Date.now(),
          { summary: `wait until ${scheduledFor}` },
        );
      }
    }
    if (withdrawn) {
      result = outcome('withdrawn');
      return result;
    }

    // --- Submit ---------------------------------------------------------------------------------
    const providerDeferred = timing.mode === 'end-of-billing-period' && timing.deferTo === 'provider';
    enter('submitting', `Submitting the cancellation of ${what} to ${provider}`);
    const command: SubmitCommand<typeof provider> = {
      requestId: request.requestId,
      workflowId: info.workflowId,
      target: request.target,
      effect: providerDeferred ? 'end-of-period' : 'now',
      ...(providerDeferred && timing.periodEnd && { effectiveAt: new Date(timing.periodEnd).toISOString() }),
      ...(request.reason?.code && { reasonCode: request.reason.code }),
      ...(request.reason?.comment && { comment: request.reason.comment }),
      requestedBy: request.requestedBy,
    };
    const submit = providerActivities(provider, { ...SUBMIT_OPTIONS, summary: `cancel ${what}` });
    const receipt = await submit.submit(command as never);
    attempts = receipt.attempt;
    log.info(
      `submitted after ${attempts} attempt(s)${receipt.alreadyExisted ? '; the provider already had it' : ''}`,
    );

    // --- Confirm --------------------------------------------------------------------------------
    enter('confirming', `Reading ${provider} back until it shows the cancellation of ${what}`);
    const confirm = providerActivities(provider, {
      ...CONFIRM_OPTIONS,
      summary: `confirm cancellation of ${what}`,
    });
    const confirmation = await confirm.confirm({
      requestId: request.requestId,
      workflowId: info.workflowId,
      target: request.target,
      effect: command.effect,
      receipt,
    } as never);

    const effectiveAt = confirmation.effectiveAt ?? receipt.effectiveAt;
    result = outcome('completed', {
      submittedAt: receipt.submittedAt,
      confirmedAt: confirmation.confirmedAt,
      ...(effectiveAt && { effectiveAt }),
      providerReference: {
        ...receipt.providerReference,
        ...confirmation.providerReference,
        state: confirmation.providerState,
      },
    });
    enter('completed', `Cancelled at ${provider}: ${confirmation.providerState}`);
    return result;
  } catch (err) {
    const error = describeFailure(err);
    lastError = error;
    attempts = Math.max(attempts, error.attempt ?? 0);
    result = outcome('failed', {
      error: { type: error.type, message: error.message, ...(error.field && { field: error.field }) },
    });
    enter('failed', `Failed: ${error.message}`);
    // Fails the run (shown as Failed in the Web UI) while keeping the result shape for the client.
    throw ApplicationFailure.create({
      type: error.type,
      message: error.message,
      nonRetryable: true,
      details: [result],
    });
  }
}

function describeFailure(err: unknown): CancellationError & { attempt?: number } {
  let cause: unknown = err;
  while (
    cause instanceof ActivityFailure ||
    (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause)
  ) {
    cause = (cause as Error).cause;
  }
  if (cause instanceof ApplicationFailure) {
    const d = (cause.details?.[0] ?? {}) as ProviderErrorDetails & { attempt?: number };
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      ...(d.field && { field: d.field }),
      ...(d.attempt && { attempt: d.attempt }),
    };
  }
  if (err instanceof ActivityFailure) {
    return {
      type: 'RetriesExhausted',
      message: `${err.activityType}: ${err.message} (${String(err.retryState)})`,
    };
  }
  throw err; // not a provider failure: a bug, let Temporal retry the workflow task
}
