import {
  Client,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Connection,
} from '@temporalio/client';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import { dataConverterFromEnv, idHasherFromEnv } from '../codec/data-converter';
import { type IdHasher } from '../codec/id-hash';
import { canonicalJson } from '../common/fingerprint';
import { type CancellationRequestInput } from '../common/request';
import { type CancellationResult, type CancellationStatus } from '../common/result';
import {
  SA_CUSTOMER_ID,
  SA_PROVIDER,
  SA_REQUEST_ID,
  SA_SCHEDULED_FOR,
  SA_STAGE,
  type Stage,
} from '../common/search-attributes';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue';
import { parseCancellationRequest, InvalidRequestError } from '../common/validation';
import { describeTarget, workflowIdFor } from '../common/workflow-id';
import {
  WORKFLOW_TYPE,
  expediteUpdate,
  rescheduleUpdate,
  statusQuery,
  withdrawUpdate,
} from '../workflows/definitions';
import { connectClientConnection, temporalTargetFromEnv } from './connection';
import { CancellationNotFoundError, CancellationStateError, IdempotencyConflictError } from './errors';

export interface RequestAccepted {
  workflowId: string;
  runId: string;
  /** `started`: a new run; `existing`: this same request was already accepted (idempotent replay);
   *  `in-progress`: another request for the same subscription is already running (returned as is). */
  disposition: 'started' | 'existing' | 'in-progress';
  requestId: string;
  stage: Stage | 'unknown';
  scheduledFor?: string;
}

export interface ListedCancellation {
  workflowId: string;
  runId: string;
  provider?: string;
  stage?: string;
  requestId?: string;
  scheduledFor?: string;
  status: string;
  startTime: string;
}

const FINGERPRINT_MEMO = 'requestFingerprint';

/** How far ahead a cancellation may be scheduled (the schema's 2100 limit catches typos only). */
const MAX_SCHEDULE_AHEAD_MS = 5 * 366 * 24 * 3_600_000;
const MAX_WITHDRAW_REASON = 255;

function checkScheduleHorizon(field: string, iso: string | undefined, now = Date.now()): void {
  const ms = iso === undefined ? NaN : Date.parse(iso);
  if (Number.isNaN(ms) || ms <= now + MAX_SCHEDULE_AHEAD_MS) return; // format: the schema's to report
  const message = 'must be at most 5 years in the future';
  throw new InvalidRequestError(field, `${field}: ${message}`, [{ field, message }]);
}

/** The typed front door for backend systems: start and steer cancellations. */
export class CancellationClient {
  /** Pseudonymises customer ids (search attribute) and subscriptions (workflow ids). */
  readonly ids: IdHasher;

  /**
   * `client` should carry the data converter (see dataConverterFromEnv) so that inputs are
   * encrypted; `ids` defaults to CANCELLATIONS_ID_HASH_KEY (codec/data-converter.ts).
   */
  constructor(
    readonly client: Client,
    readonly taskQueue: string = DEFAULT_TASK_QUEUE,
    options: { ids?: IdHasher } = {},
  ) {
    this.ids = options.ids ?? idHasherFromEnv();
  }

  /**
   * Connects from envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...) unless given a connection,
   * with the payload encryption of CANCELLATIONS_ENCRYPTION_KEYS unless given a data converter.
   */
  static async connect(
    options: {
      connection?: Connection;
      namespace?: string;
      taskQueue?: string;
      dataConverter?: DataConverter;
      ids?: IdHasher;
    } = {},
  ) {
    const target = temporalTargetFromEnv();
    const dataConverter = options.dataConverter ?? dataConverterFromEnv();
    const connection = options.connection ?? (await connectClientConnection(target));
    const client = new Client({
      connection,
      namespace: options.namespace ?? target.namespace,
      dataConverter,
    });
    return new CancellationClient(client, options.taskQueue ?? target.taskQueue, {
      ...(options.ids && { ids: options.ids }),
    });
  }

  /**
   * Validates and starts a cancellation. Idempotent by requestId: the same request again returns
   * the same run; the same requestId with other parameters is an IdempotencyConflictError.
   */
  async request(input: CancellationRequestInput | unknown): Promise<RequestAccepted> {
    const request = parseCancellationRequest(input);
    if (request.timing.mode === 'at') checkScheduleHorizon('timing.at', request.timing.at);
    if (request.timing.mode === 'end-of-billing-period')
      checkScheduleHorizon('timing.periodEnd', request.timing.periodEnd);
    const workflowId = workflowIdFor(request, (key) => this.ids.subscription(key));
    const fingerprint = canonicalJson(request);

    // A finished run of this very request: replaying it returns that run, it does not cancel again.
    const previous = await this.describeOrUndefined(workflowId);
    if (previous && previous.status.name !== 'RUNNING') {
      const sameRequest = previous.typedSearchAttributes.get(SA_REQUEST_ID) === request.requestId;
      if (sameRequest) return this.accepted(previous, request.requestId, fingerprint, 'existing');
    }

    const scheduledFor =
      request.timing.mode === 'at'
        ? request.timing.at
        : request.timing.mode === 'end-of-billing-period' && request.timing.deferTo === 'orchestrator'
          ? request.timing.periodEnd
          : undefined;
    const handle = await this.client.workflow.start(WORKFLOW_TYPE, {
      workflowId,
      taskQueue: this.taskQueue,
      args: [request],
      // One cancellation in progress per subscription; a finished one may be followed by another.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      memo: { [FINGERPRINT_MEMO]: fingerprint },
      typedSearchAttributes: [
        { key: SA_PROVIDER, value: request.provider },
        { key: SA_STAGE, value: 'scheduled' },
        { key: SA_REQUEST_ID, value: request.requestId },
        // Search attributes are stored in plaintext: the customer id only as its keyed hash.
        ...(request.customerId
          ? [{ key: SA_CUSTOMER_ID, value: this.ids.customerId(request.customerId) }]
          : []),
        ...(scheduledFor ? [{ key: SA_SCHEDULED_FOR, value: new Date(scheduledFor) }] : []),
      ],
      staticSummary: `Cancel ${describeTarget(request)} (${timingLabel(request.timing)})`,
      staticDetails: [
        `- **Request** ${request.requestId}, requested by ${request.requestedBy}`,
        `- **Provider** ${request.provider}`,
        `- **Target** ${describeTarget(request)}`,
        `- **Timing** ${timingLabel(request.timing)}${scheduledFor ? ` at ${scheduledFor}` : ''}`,
        request.reason?.code ? `- **Reason** ${request.reason.code}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    });
    const run = await handle.describe();
    const wasRunning = previous?.status.name === 'RUNNING' && previous.runId === run.runId;
    return this.accepted(run, request.requestId, fingerprint, wasRunning ? 'existing' : 'started');
  }

  private async accepted(
    run: Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>,
    requestId: string,
    fingerprint: string,
    fresh: 'started' | 'existing',
  ): Promise<RequestAccepted> {
    const runRequestId = run.typedSearchAttributes.get(SA_REQUEST_ID);
    const memo = (await run.memo) as Record<string, unknown> | undefined;
    let disposition: RequestAccepted['disposition'] = fresh;
    if (runRequestId !== requestId) disposition = 'in-progress';
    else if (memo?.[FINGERPRINT_MEMO] !== undefined && memo[FINGERPRINT_MEMO] !== fingerprint)
      throw new IdempotencyConflictError(requestId, run.workflowId);
    const scheduledFor = run.typedSearchAttributes.get(SA_SCHEDULED_FOR);
    return {
      workflowId: run.workflowId,
      runId: run.runId,
      disposition,
      requestId: runRequestId ?? requestId,
      stage: (run.typedSearchAttributes.get(SA_STAGE) as Stage | undefined) ?? 'unknown',
      ...(scheduledFor && { scheduledFor: scheduledFor.toISOString() }),
    };
  }

  private async describeOrUndefined(workflowId: string) {
    try {
      return await this.client.workflow.getHandle(workflowId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private handle(workflowId: string) {
    return this.client.workflow.getHandle(workflowId);
  }

  /** Stage, schedule, attempts and the last error, from the workflow and from Temporal's view of it. */
  async status(
    workflowId: string,
  ): Promise<CancellationStatus & { running: boolean; pendingAttempt?: number }> {
    const described = await this.describeOrUndefined(workflowId);
    if (!described) throw new CancellationNotFoundError(workflowId);
    const status = await this.handle(workflowId).query(statusQuery);
    const pending = described.raw.pendingActivities?.[0];
    const lastFailure = pending?.lastFailure;
    return {
      ...status,
      running: described.status.name === 'RUNNING',
      ...(pending?.attempt && { pendingAttempt: pending.attempt }),
      ...(!status.lastError &&
        lastFailure?.message && {
          lastError: {
            type: lastFailure.applicationFailureInfo?.type ?? 'Error',
            message: lastFailure.message,
          },
        }),
    };
  }

  async withdraw(workflowId: string, reason?: string): Promise<CancellationStatus> {
    if (reason !== undefined && reason.length > MAX_WITHDRAW_REASON) {
      const message = `must be at most ${MAX_WITHDRAW_REASON} characters`;
      throw new InvalidRequestError('reason', `reason: ${message}`, [{ field: 'reason', message }]);
    }
    return this.update(workflowId, 'withdraw', () =>
      this.handle(workflowId).executeUpdate(withdrawUpdate, { args: [{ ...(reason && { reason }) }] }),
    );
  }

  async reschedule(workflowId: string, at: string): Promise<CancellationStatus> {
    checkScheduleHorizon('at', at);
    return this.update(workflowId, 'reschedule', () =>
      this.handle(workflowId).executeUpdate(rescheduleUpdate, { args: [{ at }] }),
    );
  }

  async expedite(workflowId: string): Promise<CancellationStatus> {
    return this.update(workflowId, 'expedite', () =>
      this.handle(workflowId).executeUpdate(expediteUpdate, { args: [] }),
    );
  }

  private async update(
    workflowId: string,
    action: string,
    call: () => Promise<CancellationStatus>,
  ): Promise<CancellationStatus> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // A finished run takes no updates: say why, in the same words the workflow would.
        const closed = await this.describeOrUndefined(workflowId);
        if (!closed) throw new CancellationNotFoundError(workflowId);
        const stage = closed.typedSearchAttributes.get(SA_STAGE) ?? closed.status.name.toLowerCase();
        throw new CancellationStateError(
          workflowId,
          `cannot ${action}: the cancellation is already ${stage}`,
        );
      }
      if (err instanceof WorkflowUpdateFailedError) {
        const message = err.cause?.message ?? err.message;
        if (message.startsWith('invalid '))
          throw new InvalidRequestError('at', message, [{ field: 'at', message }]);
        throw new CancellationStateError(workflowId, message);
      }
      throw err;
    }
  }

  /** Waits for the outcome. A failed cancellation still yields its result (status: failed). */
  async result(workflowId: string): Promise<CancellationResult> {
    try {
      return (await this.handle(workflowId).result()) as CancellationResult;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new CancellationNotFoundError(workflowId);
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
        const result = err.cause.details?.[0] as CancellationResult | undefined;
        if (result?.status === 'failed') return result;
      }
      throw err;
    }
  }

  /** Visibility query over the search attributes; `customerId` is matched by its keyed hash. */
  async list(
    filter: { stage?: Stage; provider?: string; customerId?: string; limit?: number } = {},
  ): Promise<ListedCancellation[]> {
    const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
    if (filter.customerId !== undefined)
      clauses.push(`${SA_CUSTOMER_ID.name} = '${this.ids.customerId(filter.customerId)}'`);
    if (filter.stage) clauses.push(`${SA_STAGE.name} = '${filter.stage.replace(/'/g, '')}'`);
    if (filter.provider) clauses.push(`${SA_PROVIDER.name} = '${filter.provider.replace(/'/g, '')}'`);
    const out: ListedCancellation[] = [];
    for await (const wf of this.client.workflow.list({ query: clauses.join(' AND ') })) {
      const scheduledFor = wf.typedSearchAttributes.get(SA_SCHEDULED_FOR);
      out.push({
        workflowId: wf.workflowId,
        runId: wf.runId,
        status: wf.status.name,
        startTime: wf.startTime.toISOString(),
        ...optional('provider', wf.typedSearchAttributes.get(SA_PROVIDER)),
        ...optional('stage', wf.typedSearchAttributes.get(SA_STAGE)),
        ...optional('requestId', wf.typedSearchAttributes.get(SA_REQUEST_ID)),
        ...(scheduledFor && { scheduledFor: scheduledFor.toISOString() }),
      });
      if (out.length >= (filter.limit ?? 100)) break;
    }
    return out;
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function timingLabel(t: { mode: string; deferTo?: string }): string {
  if (t.mode === 'end-of-billing-period')
    return `end of billing period, deferred by ${t.deferTo ?? 'orchestrator'}`;
  return t.mode === 'at' ? 'at a date' : 'immediately';
}
