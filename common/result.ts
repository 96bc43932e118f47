import { type Provider } from './request';
import { type Stage } from './search-attributes';

export interface CancellationError {
  type: string;
  message: string;
  field?: string;
}

export type ConfirmationLevel = 'accepted' | 'scheduled' | 'effective';
export type VerificationStatus = 'pending' | 'verified' | 'not-applied';

/** How much the provider showed of the cancellation (shared/CONTRACT.md), and when. */
export interface ConfirmationInfo {
  level: ConfirmationLevel;
  observedAt: string;
  providerState?: string;
}

/** The second look at the provider once the cancellation is due to have taken effect. */
export interface VerificationInfo {
  status: VerificationStatus;
  dueAt: string;
  checkedAt?: string;
  providerState?: string;
  /** The run that carries out the verification (an extension of the contract's shape). */
  workflowId?: string;
}

/** The result contract (shared/CONTRACT.md). */
export interface CancellationResult {
  requestId: string;
  workflowId: string;
  /** Absent only when the request named no known provider (an InvalidRequest result). */
  provider?: Provider;
  status: 'completed' | 'withdrawn' | 'failed';
  requestedAt: string;
  scheduledFor?: string;
  submittedAt?: string;
  confirmedAt?: string;
  effectiveAt?: string;
  providerReference?: Record<string, unknown>;
  attempts: number;
  error?: CancellationError;
  confirmation?: ConfirmationInfo;
  verification?: VerificationInfo;
}

/** What the `status` query answers while the run is in progress, and after. */
export interface CancellationStatus {
  requestId: string;
  workflowId: string;
  provider: Provider;
  stage: Stage;
  timing: string;
  scheduledFor?: string;
  attempts: number;
  lastError?: CancellationError;
  result?: CancellationResult;
  /** Where verification stands; the client fills in the verification run's latest word. */
  verification?: VerificationInfo;
}
