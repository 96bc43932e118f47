// The shape every provider module has. Workflows import these types only.
import type { ReasonCode, TargetOf, Provider } from '../../common/request';

export type ProviderReference = Record<string, string | number | boolean | null>;

/**
 * How much the provider showed of a cancellation, never more (shared/CONTRACT.md):
 * - `accepted`: the provider acknowledged this request (or a retry of it) but offers no read that
 *   shows it yet;
 * - `scheduled`: a provider read shows a pending cancellation, effective at its own date;
 * - `effective`: a provider read shows the subscription cancelled or ended.
 */
export type ConfirmationLevel = 'accepted' | 'scheduled' | 'effective';
export const CONFIRMATION_LEVELS = ['accepted', 'scheduled', 'effective'] as const;

/** What each provider module can reach, and from which answer: stated once, in the module. */
export type LevelEvidence = Partial<Record<ConfirmationLevel, string>> & {
  /** What verification reads, and what it counts as applied. */
  verification: string;
};

/** What a provider should do; built by the workflow from the request, free of secrets. */
export interface SubmitCommand<P extends Provider> {
  requestId: string;
  workflowId: string;
  target: TargetOf<P>;
  /**
   * `now`: cancel at once. `end-of-period`: use the provider's own end-of-period option (timing
   * deferTo "provider", or the orchestrator firing its lead time before the period end).
   */
  effect: 'now' | 'end-of-period';
  /** The period end the request or a provider read gave, when known (Billing Care's `effective`). */
  effectiveAt?: string;
  reasonCode?: ReasonCode;
  comment?: string;
  requestedBy: 'customer' | 'merchant' | 'system';
}

export interface SubmitReceipt {
  submittedAt: string;
  /**
   * The provider answered that it already had this cancellation (a retry after a lost response,
   * the same idempotency key again, or a cancellation made elsewhere).
   */
  alreadyExisted: boolean;
  /**
   * The provider's answer to the write is itself the evidence that it was accepted (a success, or
   * the provider recognising the same idempotency key). False when the write's answer was not seen
   * and the receipt rests on a read alone; confirm then has to find the cancellation in a read.
   */
  acknowledged: boolean;
  providerReference: ProviderReference;
  /** The provider's own effective date, when its answer carries one; never computed by us. */
  effectiveAt?: string;
}

export interface ConfirmQuery<P extends Provider> {
  requestId: string;
  workflowId: string;
  target: TargetOf<P>;
  effect: 'now' | 'end-of-period';
  receipt: SubmitReceipt;
}

/**
 * Returned once the provider shows the cancellation at one of its levels; until it shows anything
 * the activity fails retryably (CancellationNotYetConfirmed); a provider state that rules the
 * cancellation out for good (e.g. Rebilly `revoked`) fails non-retryably (CancellationRevoked).
 * Confirming only reads: it never writes to the provider.
 */
export interface Confirmation {
  level: ConfirmationLevel;
  observedAt: string;
  /** The provider's own words for the state it shows, e.g. `user product cancelled`. */
  providerState: string;
  /** The provider's own date; absent when the provider showed none. */
  effectiveAt?: string;
  providerReference?: ProviderReference;
}

export interface VerifyQuery<P extends Provider> extends ConfirmQuery<P> {
  confirmation: Confirmation;
}

/** Read once the cancellation is due to have taken effect. */
export interface VerificationReading {
  status: 'verified' | 'not-applied';
  checkedAt: string;
  providerState: string;
}

export interface PeriodEnd {
  periodEnd: string;
  /** Which provider field it came from, for the log and the UI. */
  source: string;
}

/** One provider's activities, keyed without the provider prefix. */
export interface ProviderActivities<P extends Provider> {
  submitCancellation(command: SubmitCommand<P>): Promise<SubmitReceipt>;
  confirmCancellation(query: ConfirmQuery<P>): Promise<Confirmation>;
  verifyCancellation(query: VerifyQuery<P>): Promise<VerificationReading>;
  readPeriodEnd(target: TargetOf<P>): Promise<PeriodEnd>;
}
