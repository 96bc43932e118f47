import {
  ApplicationFailure,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { type SearchAttributeUpdatePair } from '@temporalio/common';
import { INVALID_REQUEST, INVALID_STATE, type InvalidRequestDetails } from '../common/errors';
import { type CancellationRequest } from '../common/request';
import {
  type CancellationError,
  type CancellationResult,
  type CancellationStatus,
  type VerificationInfo,
} from '../common/result';
import { SA_SCHEDULED_FOR, SA_STAGE, type Stage } from '../common/search-attributes';
import { timingLabel } from '../common/timing-label';
import { checkReschedule, checkWithdraw, type Checked } from '../common/validation';
import { expediteUpdate, rescheduleUpdate, statusQuery, withdrawUpdate } from './definitions';

/**
 * An InvalidRequest failure naming the first offending field; used for requests and updates.
 * A failed run's details start with its result (as every failed run's do), then the field.
 */
export function invalidRequest(checked: Checked<unknown>, result?: CancellationResult): ApplicationFailure {
  const issue = (!checked.ok && checked.issues[0]) || { field: '(request)', message: 'invalid request' };
  const field: InvalidRequestDetails = { field: issue.field, message: issue.message };
  return ApplicationFailure.create({
    type: INVALID_REQUEST,
    nonRetryable: true,
    message: `${issue.field}: ${issue.message}`,
    details: result ? [result, field] : [field],
  });
}

/**
 * The state of one cancellation run, and the messages that steer it. Withdraw, reschedule and
 * expedite are updates whose validators refuse (InvalidRequest / InvalidState) before anything is
 * written to history, so a refused update leaves no trace and the caller learns why at once.
 */
export class CancellationRun {
  stage: Stage = 'scheduled';
  scheduledFor: string | undefined;
  /** Bumped by reschedule so the wait starts over with the new time. */
  scheduleVersion = 0;
  /** The billing period end, when the request or a provider read gave one. */
  periodEnd: string | undefined;
  withdrawn = false;
  expedited = false;
  attempts = 0;
  lastError: CancellationError | undefined;
  result: CancellationResult | undefined;
  verification: VerificationInfo | undefined;

  constructor(
    readonly request: CancellationRequest,
    readonly workflowId: string,
    readonly requestedAt: string,
  ) {}

  status(): CancellationStatus {
    return {
      requestId: this.request.requestId,
      workflowId: this.workflowId,
      provider: this.request.provider,
      stage: this.stage,
      timing: timingLabel(this.request.timing),
      ...(this.scheduledFor && { scheduledFor: this.scheduledFor }),
      attempts: this.attempts,
      ...(this.lastError && { lastError: this.lastError }),
      ...(this.result && { result: this.result }),
      ...(this.verification && { verification: this.verification }),
    };
  }

  /** Moves to the next stage; `alongside` are search attributes set in the same upsert. */
  enter(next: Stage, details: string, alongside: SearchAttributeUpdatePair[] = []): void {
    this.stage = next;
    upsertSearchAttributes([{ key: SA_STAGE, value: next }, ...alongside]);
    setCurrentDetails(details);
    log.info(`stage ${next}: ${details}`);
  }

  setSchedule(at: string): void {
    this.scheduledFor = new Date(at).toISOString();
    upsertSearchAttributes([{ key: SA_SCHEDULED_FOR, value: new Date(this.scheduledFor) }]);
  }

  outcome(status: CancellationResult['status'], extra: Partial<CancellationResult> = {}): CancellationResult {
    this.result = {
      requestId: this.request.requestId,
      workflowId: this.workflowId,
      provider: this.request.provider,
      status,
      requestedAt: this.requestedAt,
      ...(this.scheduledFor && { scheduledFor: this.scheduledFor }),
      attempts: this.attempts,
      ...extra,
    };
    return this.result;
  }

  private requireScheduled(action: string): void {
    if (this.stage === 'scheduled') return;
    throw ApplicationFailure.create({
      type: INVALID_STATE,
      nonRetryable: true,
      message: `cannot ${action}: the cancellation is already ${this.stage}`,
      details: [{ stage: this.stage }],
    });
  }

  registerHandlers(): void {
    setHandler(statusQuery, () => this.status());
    setHandler(
      withdrawUpdate,
      (args) => {
        this.withdrawn = true;
        const reason = checkWithdraw(args);
        const why = reason.ok && reason.value.reason ? `: ${reason.value.reason}` : '';
        this.enter('withdrawn', `Withdrawn before submission${why}`);
        return this.status();
      },
      {
        validator: (args) => {
          const checked = checkWithdraw(args);
          if (!checked.ok) throw invalidRequest(checked);
          this.requireScheduled('withdraw');
        },
      },
    );
    setHandler(
      rescheduleUpdate,
      ({ at }) => {
        this.setSchedule(at);
        this.scheduleVersion++;
        log.info(`rescheduled to ${this.scheduledFor}`);
        return this.status();
      },
      {
        validator: (args) => {
          // Workflow time, so replays decide the same way.
          const checked = checkReschedule(args, Date.now());
          if (!checked.ok) throw invalidRequest(checked);
          this.requireScheduled('reschedule');
        },
      },
    );
    setHandler(
      expediteUpdate,
      () => {
        this.expedited = true;
        log.info('expedited: submitting now');
        return this.status();
      },
      { validator: () => this.requireScheduled('expedite') },
    );
  }
}
