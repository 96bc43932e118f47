// What a Billing Care purchasedbundles read shows, decided apart from the HTTP that fetched it:
// the edges the contract tests' simulator seldom reaches (a read at the very instant of our date,
// bundles without an id, name or end, receipts without a posted date) and the words each answer or
// retryable failure carries, since operators read them in the workflow's history.
import { ApplicationFailure } from '@temporalio/common';
import { NOT_YET_CONFIRMED } from '../../../common/errors';
import { askedOf, confirmationOf, verificationOf } from '../../../activities/providers/billing-care-reads';
import { type Bundle } from '../../../activities/providers/billing-care-wire';
import {
  type Confirmation,
  type ConfirmQuery,
  type ProviderReference,
  type SubmitReceipt,
  type VerifyQuery,
} from '../../../activities/providers/types';

const ACCOUNT = '0.0.0.1+-account+1001';
const ASKED = '2030-06-01T00:00:00.000Z';
const EARLIER = new Date('2030-05-01T00:00:00.000Z');
const LATER = '2030-07-01T00:00:00.000Z';
const AFTER = new Date(LATER);
const AT_ASKED = new Date(ASKED);

/** The reference a submit keeps: the bundle it saw, what that bundle showed, the date we posted. */
const reference = (over: ProviderReference = {}): ProviderReference => ({
  accountId: ACCOUNT,
  bundleId: 'b-1',
  validToBefore: '2030-12-31T00:00:00.000Z',
  effective: ASKED,
  ...over,
});
const receipt = (over: Partial<SubmitReceipt> = {}): SubmitReceipt => ({
  submittedAt: '2030-04-01T00:00:00.000Z',
  alreadyExisted: false,
  acknowledged: true,
  providerReference: reference(),
  ...over,
});
const confirmQuery = (r: SubmitReceipt = receipt()): ConfirmQuery<'billing-care'> => ({
  requestId: 'req:1',
  workflowId: 'wf',
  target: { accountId: ACCOUNT, packageId: 1 },
  effect: 'end-of-period',
  receipt: r,
});
const confirmed: Confirmation = {
  level: 'scheduled',
  observedAt: '2030-04-01T00:00:00.000Z',
  providerState: 'bundle b-1 listed, valid to 2030-06-01T00:00:00.000Z',
  effectiveAt: ASKED,
};
const verifyQuery = (
  r: SubmitReceipt = receipt(),
  c: Confirmation = confirmed,
): VerifyQuery<'billing-care'> => ({
  ...confirmQuery(r),
  confirmation: c,
});
const bundle = (over: Partial<Bundle> = {}): Bundle => ({
  bundleId: 'b-1',
  name: 'Gold',
  packageId: '1',
  validTo: ASKED,
  ...over,
});
/** A receipt that carries no posted date at all: neither `effective` nor `effectiveAt`. */
const undated = (over: Partial<SubmitReceipt> = {}) =>
  receipt({ providerReference: { accountId: ACCOUNT, bundleId: 'b-1' }, ...over });

/** The ApplicationFailure the call threw (fails the test if it returned). */
function failureOf(call: () => unknown): ApplicationFailure {
  try {
    call();
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected the call to fail, but it returned');
}

/** A retryable "not yet" saying exactly `message`. */
function expectNotYet(f: ApplicationFailure, message: string) {
  expect(f.type).toBe(NOT_YET_CONFIRMED);
  expect(f.nonRetryable).toBe(false);
  expect(f.message).toBe(`billing-care: ${message}`);
}

describe('askedOf: the date we asked for', () => {
  it('is the effective date kept in the reference, over the receipt effectiveAt', () => {
    expect(askedOf(receipt({ effectiveAt: LATER }))).toBe(ASKED);
  });

  it('falls back to the receipt effectiveAt when the reference holds no date string', () => {
    expect(askedOf(receipt({ providerReference: { accountId: ACCOUNT }, effectiveAt: LATER }))).toBe(LATER);
    expect(askedOf(receipt({ providerReference: reference({ effective: 2030 }), effectiveAt: LATER }))).toBe(
      LATER,
    );
    expect(askedOf(undated())).toBeUndefined();
  });
});

describe('confirmationOf: the bundle listed valid to our date', () => {
  it('is scheduled while that date is ahead, with the bundle in the provider words and reference', () => {
    expect(confirmationOf(confirmQuery(), [bundle()], EARLIER)).toStrictEqual({
      level: 'scheduled',
      observedAt: EARLIER.toISOString(),
      providerState: `bundle b-1 (Gold) listed, valid to ${ASKED}`,
      effectiveAt: ASKED,
      providerReference: { bundleId: 'b-1' },
    });
  });

  it('is effective at the very instant of that date', () => {
    expect(confirmationOf(confirmQuery(), [bundle()], AT_ASKED)).toMatchObject({
      level: 'effective',
      effectiveAt: ASKED,
    });
  });

  it('names no bundle id in the reference when the read listed none', () => {
    const c = confirmationOf(confirmQuery(), [bundle({ bundleId: undefined, name: undefined })], EARLIER);
    expect(c.providerReference).toStrictEqual({});
    expect(c.providerState).toBe(`bundle ? listed, valid to ${ASKED}`);
  });

  it('is accepted, on Billing Care answering true, when the bundle already ended on that date', () => {
    const q = confirmQuery(receipt({ providerReference: reference({ validToBefore: ASKED }) }));
    expect(confirmationOf(q, [bundle()], EARLIER)).toStrictEqual({
      level: 'accepted',
      observedAt: EARLIER.toISOString(),
      providerState: `cancel answered true; bundle b-1 (Gold) listed valid to ${ASKED}, as before the cancel`,
      effectiveAt: ASKED,
      providerReference: { bundleId: 'b-1' },
    });
  });

  it('is not yet confirmed when that bundle reads as before and no answer of Billing Care was seen', () => {
    const q = confirmQuery(
      receipt({ acknowledged: false, providerReference: reference({ validToBefore: ASKED }) }),
    );
    expectNotYet(
      failureOf(() => confirmationOf(q, [bundle()], AFTER)),
      'bundle b-1 (Gold) reads as it did before the cancel',
    );
  });

  it('reads only a string validToBefore as the earlier date', () => {
    // 2030 as a number is no date we recorded, though Date.parse would read it as 2030-01-01.
    const newYear = '2030-01-01T00:00:00.000Z';
    const q = confirmQuery(
      receipt({ providerReference: reference({ effective: newYear, validToBefore: 2030 }) }),
    );
    const read = confirmationOf(q, [bundle({ validTo: newYear })], new Date('2029-12-01T00:00:00.000Z'));
    expect(read.level).toBe('scheduled');
  });
});

describe('confirmationOf: another date listed', () => {
  it('is not yet confirmed, naming the date listed and ours, even after our date passed', () => {
    const q = confirmQuery();
    expectNotYet(
      failureOf(() => confirmationOf(q, [bundle({ validTo: LATER })], AFTER)),
      `bundle b-1 (Gold) is listed valid to ${LATER}, not the ${ASKED} we posted`,
    );
  });

  it('says "no end" for a bundle without validTo, and "?" when we kept no date', () => {
    const q = confirmQuery(undated());
    expectNotYet(
      failureOf(() => confirmationOf(q, [bundle({ validTo: null })], AFTER)),
      'bundle b-1 (Gold) is listed valid to no end, not the ? we posted',
    );
  });
});

describe('confirmationOf: no bundle listed', () => {
  it('is effective once our date is reached, after Billing Care answered true, without a date of its own', () => {
    expect(confirmationOf(confirmQuery(), [], AT_ASKED)).toStrictEqual({
      level: 'effective',
      observedAt: ASKED,
      providerState: `bundle b-1 no longer in purchasedbundles, after our cancel effective ${ASKED}`,
      providerReference: { bundleId: 'b-1' },
    });
  });

  it('names "the bundle" and keeps no reference when the submit recorded no bundle id', () => {
    const q = confirmQuery(receipt({ providerReference: { accountId: ACCOUNT, effective: ASKED } }));
    expect(confirmationOf(q, [], AFTER)).toStrictEqual({
      level: 'effective',
      observedAt: LATER,
      providerState: `the bundle no longer in purchasedbundles, after our cancel effective ${ASKED}`,
    });
  });

  it('is not yet confirmed before our date', () => {
    expectNotYet(
      failureOf(() => confirmationOf(confirmQuery(), [], EARLIER)),
      `no matching bundle is listed, which shows nothing before ${ASKED}`,
    );
  });

  it('is not yet confirmed when we kept no date to wait for', () => {
    expectNotYet(
      failureOf(() => confirmationOf(confirmQuery(undated()), [], AFTER)),
      'no matching bundle is listed, which shows nothing before ?',
    );
  });

  it('is not yet confirmed without an answer of Billing Care to our cancel, even after our date', () => {
    expectNotYet(
      failureOf(() => confirmationOf(confirmQuery(receipt({ acknowledged: false })), [], AFTER)),
      'no matching bundle is listed, which shows nothing without an answer to our cancel',
    );
  });
});

describe('verificationOf', () => {
  const verified = (providerState: string, now = AFTER) => ({
    status: 'verified',
    checkedAt: now.toISOString(),
    providerState,
  });
  const notApplied = (providerState: string, now = AFTER) => ({
    status: 'not-applied',
    checkedAt: now.toISOString(),
    providerState,
  });

  it('verifies a bundle gone, naming the id the submit recorded', () => {
    expect(verificationOf(verifyQuery(), [], AFTER)).toStrictEqual(
      verified('bundle b-1 no longer in purchasedbundles'),
    );
  });

  it('names the id the confirmation saw when the submit recorded none', () => {
    const q = verifyQuery(receipt({ providerReference: { accountId: ACCOUNT, effective: ASKED } }), {
      ...confirmed,
      providerReference: { bundleId: 'b-2' },
    });
    expect(verificationOf(q, [], AFTER)).toStrictEqual(verified('bundle b-2 no longer in purchasedbundles'));
  });

  it('names "the bundle" when neither the submit nor the confirmation saw an id', () => {
    const q = verifyQuery(receipt({ providerReference: { accountId: ACCOUNT, effective: ASKED } }));
    expect(verificationOf(q, [], AFTER)).toStrictEqual(verified('the bundle no longer in purchasedbundles'));
  });

  it('verifies a bundle still listed whose validTo has passed', () => {
    expect(verificationOf(verifyQuery(), [bundle()], AFTER)).toStrictEqual(
      verified(`bundle b-1 (Gold) listed, valid to ${ASKED} (passed)`),
    );
  });

  it('counts a validTo reached at this very instant as passed', () => {
    expect(verificationOf(verifyQuery(), [bundle()], AT_ASKED)).toStrictEqual(
      verified(`bundle b-1 (Gold) listed, valid to ${ASKED} (passed)`, AT_ASKED),
    );
  });

  it('finds not applied a bundle listed with no end', () => {
    expect(verificationOf(verifyQuery(), [bundle({ validTo: null })], AFTER)).toStrictEqual(
      notApplied('bundle b-1 (Gold) still listed, valid to no end'),
    );
  });

  it('finds not applied a bundle listed valid past our date (it renewed)', () => {
    const renewed = '2030-08-01T00:00:00.000Z';
    expect(verificationOf(verifyQuery(), [bundle({ validTo: renewed })], AFTER)).toStrictEqual(
      notApplied(`bundle b-1 (Gold) still listed, valid to ${renewed}`),
    );
  });

  it('finds not applied a bundle listed ahead when we kept no date to compare it with', () => {
    const renewed = '2030-08-01T00:00:00.000Z';
    expect(verificationOf(verifyQuery(undated()), [bundle({ validTo: renewed })], AFTER)).toStrictEqual(
      notApplied(`bundle b-1 (Gold) still listed, valid to ${renewed}`),
    );
  });

  it('is not yet confirmed when read before our date, the bundle valid to it', () => {
    expectNotYet(
      failureOf(() => verificationOf(verifyQuery(), [bundle()], EARLIER)),
      `bundle b-1 (Gold) is valid to ${ASKED}, which has not passed yet`,
    );
  });
});
