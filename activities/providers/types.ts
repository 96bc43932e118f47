// The shape every provider module has. Workflows import these types only.
import type { ReasonCode, TargetOf, Provider } from '../../common/request';

export type ProviderReference = Record<string, string | number | boolean | null>;

/** What a provider should do; built by the workflow from the request, free of secrets. */
export interface SubmitCommand<P extends Provider> {
  requestId: string;
  workflowId: string;
  target: TargetOf<P>;
  /**
   * `now`: cancel at once. `end-of-period`: submit now with the provider's own end-of-period option
   * (timing.deferTo = "provider").
   */
  effect: 'now' | 'end-of-period';
  /** When the cancellation takes effect, when the workflow knows it (Billing Care's `effective`). */
  effectiveAt?: string;
  reasonCode?: ReasonCode;
  comment?: string;
  requestedBy: 'customer' | 'merchant' | 'system';
}

export interface SubmitReceipt {
  submittedAt: string;
  /** The provider already had this cancellation (a retry after a lost response, or a replay). */
  alreadyExisted: boolean;
  providerReference: ProviderReference;
  effectiveAt?: string;
}

export interface ConfirmQuery<P extends Provider> {
  requestId: string;
  workflowId: string;
  target: TargetOf<P>;
  effect: 'now' | 'end-of-period';
  receipt: SubmitReceipt;
}

/** Returned once the provider shows the cancellation; until then the activity fails (retryably). */
export interface Confirmation {
  confirmedAt: string;
  /** The provider's own words for the state it shows, e.g. `cancel request recorded`. */
  providerState: string;
  effectiveAt?: string;
  providerReference?: ProviderReference;
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
  readPeriodEnd(target: TargetOf<P>): Promise<PeriodEnd>;
}
