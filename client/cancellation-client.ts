import {
  Client,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Connection,
} from '@temporalio/client';
import { ApplicationFailure, type DataConverter } from '@temporalio/common';
import { dataConverterFromEnv, idHasherFromEnv } from '../codec/data-converter';
import { type IdHasher } from '../codec/id-hash';
import { canonicalJson } from '../common/fingerprint';
import { type CancellationRequestInput, type Provider, type RunOptions } from '../common/request';
import {
  type CancellationResult,
  type CancellationStatus,
  type VerificationInfo,
  type VerificationStatus,
} from '../common/result';
import { SA_REQUEST_ID, SA_STAGE, type Stage } from '../common/search-attributes';
import { DEFAULT_TASK_QUEUE } from '../common/task-queue';
import { scheduledForOf } from '../common/timing';
import { checkReschedule, checkWithdraw, orThrow, parseCancellationRequest } from '../common/validation';
import { workflowIdFor } from '../common/workflow-id';
import type { cancelSubscription } from '../workflows/cancellation';
import {
  WORKFLOW_TYPE,
  expediteUpdate,
  rescheduleUpdate,
  statusQuery,
  verificationQuery,
  withdrawUpdate,
} from '../workflows/definitions';
import { clientInterceptors, connectClientConnection, temporalTargetFromEnv } from './connection';
import { CancellationNotFoundError, CancellationStateError } from './errors';
import { updateRefusal } from './failures';
import { acceptedRun, FINGERPRINT_MEMO, type RequestAccepted } from './accepted';
import { visibleStartOptions } from './start-options';
import { listCancellations, type ListedCancellation } from './visibility';

export type { ListedCancellation } from './visibility';

export type { RequestAccepted } from './accepted';

/** The typed front door for backend systems: start and steer cancellations. */
export class CancellationClient {
  /** Pseudonymises customer ids (search attribute) and subscriptions (workflow ids). */
  readonly ids: IdHasher;

  /**
   * `client` should carry the data converter (see dataConverterFromEnv) so that inputs are
   * encrypted; `ids` defaults to CANCELLATIONS_ID_HASH_KEY (codec/data-converter.ts).
   */
  /** Options every run started by this client gets (workflow argument 2). */
  readonly runOptions: RunOptions;

  constructor(
    readonly client: Client,
    readonly taskQueue: string = DEFAULT_TASK_QUEUE,
    options: { ids?: IdHasher; runOptions?: RunOptions } = {},
  ) {
    this.ids = options.ids ?? idHasherFromEnv();
    this.runOptions = options.runOptions ?? {};
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
      runOptions?: RunOptions;
    } = {},
  ) {
    const target = temporalTargetFromEnv();
    const dataConverter = options.dataConverter ?? dataConverterFromEnv();
    const connection = options.connection ?? (await connectClientConnection(target));
    const client = new Client({
      connection,
      namespace: options.namespace ?? target.namespace,
      dataConverter,
      interceptors: clientInterceptors(), // traces, when OTEL_EXPORTER_OTLP_ENDPOINT is set
    });
    const grace = process.env.CANCELLATIONS_VERIFICATION_GRACE_SECONDS;
    return new CancellationClient(client, options.taskQueue ?? target.taskQueue, {
      ...(options.ids && { ids: options.ids }),
      runOptions: options.runOptions ?? (grace ? { verificationGraceSeconds: Number(grace) } : {}),
    });
  }

  /**
   * Validates and starts a cancellation. Idempotent by requestId: the same request again returns
   * the same run; the same requestId with other parameters is an IdempotencyConflictError.
   */
  async request(input: CancellationRequestInput | unknown): Promise<RequestAccepted> {
    const request = parseCancellationRequest(input);
    const workflowId = workflowIdFor(request, (key) => this.ids.subscription(key));
    const fingerprint = canonicalJson(request);
    const visible = visibleStartOptions(
      request,
      request.customerId ? this.ids.customerId(request.customerId) : undefined,
    );
    const start = (reuse: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE') =>
      this.client.workflow.start<typeof cancelSubscription>(WORKFLOW_TYPE, {
        workflowId,
        taskQueue: this.taskQueue,
        args: [request, this.runOptions],
        // FAIL rather than USE_EXISTING: the SDK's start does not say whether the server started a
        // run or returned a running one, and the refusal does, so only a refusal costs a describe.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: reuse,
        memo: { [FINGERPRINT_MEMO]: fingerprint },
        ...visible,
      });

    // One call when the subscription has no run yet; otherwise the run there decides (below).
    let reuse: 'REJECT_DUPLICATE' | 'ALLOW_DUPLICATE' = 'REJECT_DUPLICATE';
    for (let attempt = 1; ; attempt++) {
      try {
        const handle = await start(reuse);
        const scheduledFor = scheduledForOf(request.provider, request.timing);
        return {
          workflowId,
          runId: handle.firstExecutionRunId,
          disposition: 'started',
          requestId: request.requestId,
          stage: 'scheduled',
          ...(scheduledFor && { scheduledFor }),
        };
      } catch (err) {
        // Three rounds cover a run that closes, or starts, between our describe and our start.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= 3) throw err;
      }
      const existing = await this.describeOrUndefined(workflowId);
      if (!existing) continue; // gone meanwhile (retention): start again
      // One cancellation in progress per subscription; a finished run of this very request is
      // that request's answer (replaying it does not cancel again).
      if (
        existing.status.name === 'RUNNING' ||
        existing.typedSearchAttributes.get(SA_REQUEST_ID) === request.requestId
      )
        return acceptedRun(existing, request.requestId, fingerprint);
      // A finished cancellation of an earlier request: a new request for the subscription may follow.
      reuse = 'ALLOW_DUPLICATE';
    }
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

  /** Stage, schedule, attempts, the last error and the verification, from the workflows and Temporal. */
  async status(
    workflowId: string,
  ): Promise<CancellationStatus & { runId: string; running: boolean; pendingAttempt?: number }> {
    const described = await this.describeOrUndefined(workflowId);
    if (!described) throw new CancellationNotFoundError(workflowId);
    const status = await this.handle(workflowId).query(statusQuery);
    const pending = described.raw.pendingActivities?.[0];
    const lastFailure = pending?.lastFailure;
    const verification = status.verification && (await this.verification(status.verification));
    return {
      ...status,
      runId: described.runId,
      running: described.status.name === 'RUNNING',
      ...(pending?.attempt && { pendingAttempt: pending.attempt }),
      ...(!status.lastError &&
        lastFailure?.message && {
          lastError: {
            type: lastFailure.applicationFailureInfo?.type ?? 'Error',
            message: lastFailure.message,
          },
        }),
      ...(verification && { verification }),
    };
  }

  /** The verification run's latest word; the cancellation run only knows it was started. */
  private async verification(started: VerificationInfo): Promise<VerificationInfo> {
    if (!started.workflowId) return started;
    try {
      const seen = await this.handle(started.workflowId).query(verificationQuery);
      return { ...seen, workflowId: started.workflowId };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return started;
      throw err;
    }
  }

  async withdraw(workflowId: string, reason?: string): Promise<CancellationStatus> {
    orThrow(checkWithdraw({ ...(reason !== undefined && { reason }) }));
    return this.update(workflowId, 'withdraw', () =>
      this.handle(workflowId).executeUpdate(withdrawUpdate, { args: [{ ...(reason && { reason }) }] }),
    );
  }

  async reschedule(workflowId: string, at: string): Promise<CancellationStatus> {
    orThrow(checkReschedule({ at }, Date.now()));
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
    // A finished run takes no updates: say why at once, in the same words the workflow would,
    // instead of sending an update that the server can only refuse.
    await this.requireRunning(workflowId, action);
    try {
      return await call();
    } catch (err) {
      // It finished between the look and the update.
      if (err instanceof WorkflowNotFoundError) await this.requireRunning(workflowId, action);
      if (err instanceof WorkflowUpdateFailedError) throw updateRefusal(workflowId, err);
      throw err;
    }
  }

  private async requireRunning(workflowId: string, action: string): Promise<void> {
    const run = await this.describeOrUndefined(workflowId);
    if (!run) throw new CancellationNotFoundError(workflowId);
    if (run.status.name === 'RUNNING') return;
    const stage = run.typedSearchAttributes.get(SA_STAGE) ?? run.status.name.toLowerCase();
    throw new CancellationStateError(workflowId, `cannot ${action}: the cancellation is already ${stage}`);
  }

  /** Waits for the outcome. A failed cancellation still yields its result (status: failed). */
  async result(workflowId: string): Promise<CancellationResult> {
    try {
      return await this.client.workflow.getHandle<typeof cancelSubscription>(workflowId).result();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new CancellationNotFoundError(workflowId);
      if (err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure) {
        const result = err.cause.details?.[0] as CancellationResult | undefined;
        if (result?.status === 'failed') return result;
      }
      throw err;
    }
  }

  /**
   * Visibility query over the search attributes; `customerId` is matched by its keyed hash. With
   * `verification`, lists the cancellations whose verification is in that state.
   */
  async list(
    filter: {
      stage?: Stage;
      provider?: Provider;
      customerId?: string;
      verification?: VerificationStatus;
      limit?: number;
    } = {},
  ): Promise<ListedCancellation[]> {
    const { customerId, ...rest } = filter;
    return listCancellations(this.client, {
      ...rest,
      ...(customerId !== undefined && { hashedCustomerId: this.ids.customerId(customerId) }),
    });
  }
}
