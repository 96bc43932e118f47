import { type ProviderReference, type SubmitReceipt } from './types';

// A submit ends in one of two receipts. The provider's answer to our write acknowledges it. A read
// that shows the cancellation (after a lost answer, or a refused second cancel) never does: it shows
// that the provider already had a cancellation, not that it answered ours, so confirm has to find
// it in a read again. Built here so that no provider module can mix the two up.

/**
 * The provider answered our write; `alreadyExisted` when that answer says it held one already, and
 * `effectiveAt` when the answer carries the date the cancellation takes effect.
 */
export function acknowledgedReceipt(
  at: Date,
  providerReference: ProviderReference,
  alreadyExisted = false,
  effectiveAt?: string,
): SubmitReceipt {
  return {
    submittedAt: at.toISOString(),
    alreadyExisted,
    acknowledged: true,
    providerReference,
    ...(effectiveAt !== undefined && { effectiveAt }),
  };
}

/** No answer of the provider's to go on: a read shows the cancellation, with its date if any. */
export function receiptFromRead(
  at: Date,
  providerReference: ProviderReference,
  effectiveAt?: string,
): SubmitReceipt {
  return {
    submittedAt: at.toISOString(),
    alreadyExisted: true,
    acknowledged: false,
    providerReference,
    ...(effectiveAt !== undefined && { effectiveAt }),
  };
}
