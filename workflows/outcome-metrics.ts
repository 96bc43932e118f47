import {
  ApplicationFailure,
  metricMeter,
  TemporalFailure,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
} from '@temporalio/workflow';
import { CANCELLATION_NOT_APPLIED } from '../common/errors';
import { errorTypeLabel, METRIC, providerLabel } from '../common/metrics';
import { type CancellationResult, type VerificationInfo } from '../common/result';
import { VERIFICATION_WORKFLOW_TYPE, WORKFLOW_TYPE } from './definitions';

type Execute = Next<WorkflowInboundCallsInterceptor, 'execute'>;

/**
 * Counts how cancellation and verification runs begin and end, from outside the workflow code so
 * that the lifecycle stays about cancelling. The workflow meter drops values while a run replays
 * (a worker restart or an evicted run does not count twice).
 */
export class OutcomeMetricsInterceptor implements WorkflowInboundCallsInterceptor {
  execute(input: WorkflowExecuteInput, next: Execute): Promise<unknown> {
    const type = workflowInfo().workflowType;
    if (type === WORKFLOW_TYPE) return observeCancellation(input, next);
    if (type === VERIFICATION_WORKFLOW_TYPE) return observeVerification(input, next);
    return next(input);
  }
}

function observeCancellation(input: WorkflowExecuteInput, next: Execute): Promise<unknown> {
  // The raw first argument: an invalid request still counts, under provider `unknown` if need be.
  const provider = providerLabel(fieldOf(input.args[0], 'provider'));
  count(METRIC.started, 'cancellation runs started', { provider });
  return next(input).then(
    (value) => {
      const result = value as CancellationResult;
      if (result.status === 'withdrawn') count(METRIC.withdrawn, 'cancellations withdrawn', { provider });
      else
        count(METRIC.completed, 'cancellations completed', {
          provider,
          level: result.confirmation?.level ?? 'unknown',
        });
      return value;
    },
    (err: unknown) => {
      // Only a failure fails the run; any other error fails the workflow task, which is retried.
      if (err instanceof TemporalFailure)
        count(METRIC.failed, 'cancellations failed', { provider, error_type: errorTypeOf(err) });
      throw err;
    },
  );
}

function observeVerification(input: WorkflowExecuteInput, next: Execute): Promise<unknown> {
  const provider = providerLabel(fieldOf(input.args[0], 'provider'));
  const done = (outcome: VerificationInfo['status'] | 'error') =>
    count(METRIC.verifications, 'verification runs finished', { provider, outcome });
  return next(input).then(
    (value) => {
      done((value as VerificationInfo).status);
      return value;
    },
    (err: unknown) => {
      if (err instanceof ApplicationFailure && err.type === CANCELLATION_NOT_APPLIED) done('not-applied');
      else if (err instanceof TemporalFailure) done('error');
      throw err;
    },
  );
}

function count(name: string, description: string, tags: Record<string, string>): void {
  metricMeter.createCounter(name, undefined, description).add(1, tags);
}

function errorTypeOf(err: TemporalFailure): string {
  return errorTypeLabel(err instanceof ApplicationFailure ? (err.type ?? err.name) : err.name);
}

function fieldOf(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}
