import { notYetConfirmed } from '../http/failures';
import { PROVIDER } from './billing-care-http';
import { describeBundle, sameInstant, type Bundle } from './billing-care-wire';
import {
  type Confirmation,
  type ConfirmQuery,
  type SubmitReceipt,
  type VerificationReading,
  type VerifyQuery,
} from './types';

// What a purchasedbundles read shows about our cancel: the confirm and verify decisions, apart from
// the HTTP that fetched the bundles, so each rule of BILLING_CARE_LEVELS has one place.

/** What we asked for: the effective date we posted, kept in the receipt's reference. */
export function askedOf(receipt: SubmitReceipt): string | undefined {
  const posted = receipt.providerReference.effective;
  return typeof posted === 'string' ? posted : receipt.effectiveAt;
}

/** The confirmation the bundles read at `now` show, or notYetConfirmed (retryable) when they show none. */
export function confirmationOf(
  q: ConfirmQuery<'billing-care'>,
  candidates: Bundle[],
  now: Date,
): Confirmation {
  const asked = askedOf(q.receipt);
  const shown = candidates.find((b) => sameInstant(b.validTo, asked));
  if (shown) {
    const validTo = shown.validTo!;
    const before = q.receipt.providerReference.validToBefore;
    if (typeof before === 'string' && sameInstant(before, asked)) {
      // The bundle already ended on our date (the period end) before we posted: the read looks
      // the same with or without our cancel, so it shows nothing beyond Billing Care's `true`.
      if (!q.receipt.acknowledged)
        throw notYetConfirmed(PROVIDER, `${describeBundle(shown)} reads as it did before the cancel`);
      return {
        level: 'accepted',
        observedAt: now.toISOString(),
        providerState: `cancel answered true; ${describeBundle(shown)} listed valid to ${validTo}, as before the cancel`,
        effectiveAt: validTo,
        providerReference: { ...(shown.bundleId && { bundleId: shown.bundleId }) },
      };
    }
    return {
      level: Date.parse(validTo) > now.getTime() ? 'scheduled' : 'effective',
      observedAt: now.toISOString(),
      providerState: `${describeBundle(shown)} listed, valid to ${validTo}`,
      effectiveAt: validTo,
      providerReference: { ...(shown.bundleId && { bundleId: shown.bundleId }) },
    };
  }
  const open = candidates[0];
  if (open)
    throw notYetConfirmed(
      PROVIDER,
      `${describeBundle(open)} is listed valid to ${open.validTo ?? 'no end'}, not the ${asked ?? '?'} we posted`,
    );
  // Gone. Absence shows an end only after Billing Care answered `true` to our own POST and our
  // date has passed; it carries no date of its own, so none is reported.
  const passed = asked !== undefined && Date.parse(asked) <= now.getTime();
  if (!q.receipt.acknowledged || !passed)
    throw notYetConfirmed(
      PROVIDER,
      `no matching bundle is listed, which shows nothing ${q.receipt.acknowledged ? `before ${asked ?? '?'}` : 'without an answer to our cancel'}`,
    );
  const id = q.receipt.providerReference.bundleId;
  return {
    level: 'effective',
    observedAt: now.toISOString(),
    providerState: `${typeof id === 'string' ? `bundle ${id}` : 'the bundle'} no longer in purchasedbundles, after our cancel effective ${asked}`,
    ...(typeof id === 'string' && { providerReference: { bundleId: id } }),
  };
}

/** Whether the bundles read at `now`, once the effect is due, show the cancel applied. */
export function verificationOf(
  q: VerifyQuery<'billing-care'>,
  candidates: Bundle[],
  now: Date,
): VerificationReading {
  const asked = askedOf(q.receipt);
  const reading = (status: 'verified' | 'not-applied', providerState: string) => ({
    status,
    checkedAt: now.toISOString(),
    providerState,
  });
  if (candidates.length === 0) {
    const id = q.receipt.providerReference.bundleId ?? q.confirmation.providerReference?.bundleId;
    return reading(
      'verified',
      `${typeof id === 'string' ? `bundle ${id}` : 'the bundle'} no longer in purchasedbundles`,
    );
  }
  const open = candidates.filter((b) => b.validTo == null || Date.parse(b.validTo) > now.getTime());
  if (open.length === 0) {
    const b = candidates[0]!;
    return reading('verified', `${describeBundle(b)} listed, valid to ${b.validTo} (passed)`);
  }
  const b = open[0]!;
  if (b.validTo == null || asked === undefined || Date.parse(b.validTo) > Date.parse(asked))
    return reading('not-applied', `${describeBundle(b)} still listed, valid to ${b.validTo ?? 'no end'}`);
  // Valid to our date, which has not passed by our clock: the read came early, not too late.
  throw notYetConfirmed(PROVIDER, `${describeBundle(b)} is valid to ${b.validTo}, which has not passed yet`);
}
