import { type Provider } from './request';
import { type Stage } from './search-attributes';

export interface CancellationError {
  type: string;
  message: string;
  field?: string;
}

/** The result contract (shared/CONTRACT.md). */
export interface CancellationResult {
  requestId: string;
  workflowId: string;
  provider: Provider;
  status: 'completed' | 'withdrawn' | 'failed';
  requestedAt: string;
  scheduledFor?: string;
  submittedAt?: string;
  confirmedAt?: string;
  effectiveAt?: string;
  providerReference?: Record<string, unknown>;
  attempts: number;
  error?: CancellationError;
}

/** What the `status` query answers while the run is in progress, and after. */
export interface CancellationStatus {
  requestId: string;
  workflowId: string;
  provider: Provider;
  stage: Stage;
  /** Canonical JSON of the validated request: same requestId with other parameters is an error. */
  fingerprint: string;
  timing: string;
  scheduledFor?: string;
  attempts: number;
  lastError?: CancellationError;
  result?: CancellationResult;
}
