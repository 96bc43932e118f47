import { notFound, outcomeUnknown, periodEndUnknown, protocolFailure } from '../http/failures';
import { snippet } from '../http/parse';
import { type ActivityDeps } from '../deps';
import {
  currentActivityRun,
  NOTHING_POSTED,
  postRecordOf,
  type ActivityRun,
  type PostRecord,
} from './billing-care-attempt';
import { createBillingCareClient, PROVIDER } from './billing-care-http';
import { confirmationOf, verificationOf } from './billing-care-reads';
import { acknowledgedReceipt, receiptFromRead } from './receipts';
import {
  bundlesOf,
  cancelAnswer,
  cancelBody,
  describeBundle,
  sameInstant,
  type Bundle,
  type Target,
} from './billing-care-wire';
import {
  type ConfirmQuery,
  type LevelEvidence,
  type ProviderActivities,
  type ProviderReference,
  type SubmitReceipt,
} from './types';

export type { ActivityRun } from './billing-care-attempt';

// The read shows only bundleId, name, packageId, validTo and service, so every level rests on
// ASSUMPTION (PROVIDERS.md): a cancel sets the bundle's validTo to its `effective`, and the bundle
// drops out of purchasedbundles once that date has passed.
export const BILLING_CARE_LEVELS: LevelEvidence = {
  accepted:
    'Billing Care answered `true` to our POST, and the bundle already ended on that date before it ' +
    '(an end-of-period cancel): purchasedbundles reads the same with or without the cancel',
  scheduled:
    'purchasedbundles lists the bundle with validTo moved to the effective date we posted, still ahead',
  effective:
    'purchasedbundles lists the bundle with validTo equal to the effective date we posted, passed; or, ' +
    'only after Billing Care answered `true` to our own POST, the bundle is no longer listed once that date passed',
  verification:
    'purchasedbundles again: the bundle gone (it ended) is verified; listed with no validTo or one ' +
    'later than the effective date we posted (it renewed) is not-applied',
};

export interface BillingCareOptions {
  /** Where a submit learns its attempt and the heartbeat details of earlier attempts. */
  activityRun?: () => ActivityRun | undefined;
}

/** The bundles a query is about: the one the submit saw when it recorded an id, else the target's. */
function candidatesOf(
  q: ConfirmQuery<'billing-care'>,
  bundles: Bundle[],
  extra?: ProviderReference,
): Bundle[] {
  const id = q.receipt.providerReference.bundleId ?? extra?.bundleId;
  return typeof id === 'string' ? bundles.filter((b) => b.bundleId === id) : bundlesOf(q.target, bundles);
}

export function createBillingCareActivities(
  { http, env, clock }: ActivityDeps,
  { activityRun = currentActivityRun }: BillingCareOptions = {},
): ProviderActivities<'billing-care'> {
  const { failureOf, readBundles, postCancel } = createBillingCareClient({ http, env, clock });

  const periodEndOf = (target: Target, bundles: Bundle[]): string => {
    const ours = bundlesOf(target, bundles);
    const ends = [...new Set(ours.map((b) => b.validTo ?? null))];
    const where = `account ${target.accountId}`;
    if (ours.length === 0)
      throw periodEndUnknown(PROVIDER, `${where}: no matching bundle in purchasedbundles`);
    if (ends.length > 1)
      throw periodEndUnknown(PROVIDER, `${where}: ${ours.length} bundles match, with different validTo`);
    if (ends[0] === null) throw periodEndUnknown(PROVIDER, `${where}: the bundle has no validTo`);
    return ends[0]!;
  };

  const reference = (target: Target, bundle: Bundle | undefined, effective: string) => ({
    accountId: target.accountId,
    ...(bundle?.bundleId && { bundleId: bundle.bundleId }),
    // What the read showed before our cancel: confirm must tell our cancel from the bundle as it was.
    ...(bundle && { validToBefore: bundle.validTo ?? null }),
    effective,
  });

  /**
   * A retry after a POST whose answer never came (the record says it may have reached Billing Care).
   * Returns a receipt when the read shows our cancel, undefined when it shows that our cancel did
   * not take effect (post again), and throws OutcomeUnknown when the read cannot tell.
   */
  const afterLostAnswer = (
    target: Target,
    bundles: Bundle[],
    record: PostRecord,
  ): SubmitReceipt | undefined => {
    const lost = `the answer to our cancel (effective ${record.effective}) was lost`;
    const before = record.bundle;
    if (!before) throw outcomeUnknown(PROVIDER, `${lost}, and no single bundle was known to read it back`);
    const bundle = bundles.find((b) => b.bundleId === before.bundleId);
    if (!bundle) {
      // The bundle is gone. Our POST may have ended it, but so may its own validTo, another request
      // or an operator: the read shows neither a date nor an author. Even when it was listed valid
      // to a later date and we asked for "now" (the one case where an early disappearance points at
      // a cancel), it points at *a* cancel, not at Billing Care's answer to ours; and a receipt
      // resting on absence could never be confirmed. So say so instead of guessing.
      throw outcomeUnknown(
        PROVIDER,
        `${lost}, and bundle ${before.bundleId} (listed valid to ${before.validTo ?? 'no end'} before we ` +
          'posted) is no longer in purchasedbundles: nothing shows whether our cancel ended it. ' +
          'Check the account in Billing Care before cancelling again.',
      );
    }
    if (sameInstant(bundle.validTo, record.effective)) {
      // validTo already was our date (the period end itself): the read looks the same either way.
      if (sameInstant(before.validTo, record.effective))
        throw outcomeUnknown(
          PROVIDER,
          `${lost}, and ${describeBundle(bundle)} was already valid to ${record.effective} before we ` +
            'posted, so purchasedbundles cannot show whether Billing Care recorded our cancel.',
        );
      // validTo moved from its old date to exactly ours: the read is the evidence, not an answer.
      return receiptFromRead(
        clock(),
        { ...reference(target, bundle, record.effective), validToBefore: before.validTo },
        bundle.validTo!,
      );
    }
    // ASSUMPTION: a cancel shows in purchasedbundles as soon as Billing Care has answered it (the
    // doc's `true` comes back from a synchronous call), so a bundle still as it was means our POST
    // did not take effect, and posting again cannot cancel twice.
    if (sameInstant(bundle.validTo, before.validTo) || (bundle.validTo == null && before.validTo == null))
      return undefined;
    throw outcomeUnknown(
      PROVIDER,
      `${lost}, and ${describeBundle(bundle)} changed meanwhile from validTo ${before.validTo ?? 'no end'} ` +
        `to ${bundle.validTo ?? 'no end'}, which is not our date: someone else changed it.`,
    );
  };

  return {
    async submitCancellation(cmd): Promise<SubmitReceipt> {
      const { target } = cmd;
      const run = activityRun();
      const earlierPost = postRecordOf(run);
      const bundles = await readBundles(target.accountId);
      if (earlierPost) {
        const earlier = afterLostAnswer(target, bundles, earlierPost);
        if (earlier) return earlier;
      }

      // Never success from absence: nothing shows that a cancel of ours ended a bundle that is not
      // listed (a first attempt that failed on this read, say). ASSUMPTION: purchasedbundles lists
      // every bundle of the account that has not ended, so an unlisted one has nothing to cancel.
      const ours = bundlesOf(target, bundles);
      if (ours.length === 0)
        throw notFound({
          provider: PROVIDER,
          operation: 'read purchasedbundles',
          status: 200,
          message:
            `no bundle of account ${target.accountId} matching the target is listed: it has ended or ` +
            'never existed, and nothing shows a cancellation of ours',
        });
      // Listed, but already past its validTo: the bundle ended (a cancel went through, perhaps ours
      // whose answer and record were both lost with a killed worker) and waits for the back office.
      // Posting again would record a second cancel; the read is the evidence, not an answer.
      const ended =
        ours.length === 1 && ours[0]!.validTo && Date.parse(ours[0]!.validTo) <= clock().getTime();
      if (ended) {
        const validTo = new Date(ours[0]!.validTo!).toISOString();
        // No validToBefore: what the bundle showed before that cancel is not known here.
        const providerReference = {
          accountId: target.accountId,
          ...(ours[0]!.bundleId && { bundleId: ours[0]!.bundleId }),
          effective: validTo,
        };
        return receiptFromRead(clock(), providerReference, validTo);
      }
      const effective = cmd.effectiveAt
        ? new Date(cmd.effectiveAt).toISOString()
        : cmd.effect === 'end-of-period'
          ? periodEndOf(target, bundles)
          : clock().toISOString();

      // Billing Care answers 400 on a null service id: fill it from the bundles when they agree.
      const bundle = ours.length === 1 ? ours[0] : undefined;
      const services = [...new Set(ours.map((b) => b.service).filter((s): s is string => !!s))];
      const serviceId = target.serviceId ?? (services.length === 1 ? services[0] : undefined);
      const listedPackage = bundle?.packageId != null ? Number(bundle.packageId) : undefined;
      const packageId = target.packageId ?? (Number.isInteger(listedPackage) ? listedPackage : undefined);

      // Before the POST leaves: from here on a retry must not take absence for success, nor post
      // blindly; it reads back what this POST may have done (afterLostAnswer).
      const record: PostRecord = {
        posted: true,
        effective,
        ...(bundle?.bundleId && { bundle: { bundleId: bundle.bundleId, validTo: bundle.validTo ?? null } }),
      };
      run?.heartbeat(record);
      const op = 'cancel bundle';
      const res = await postCancel(cancelBody(cmd, { serviceId, packageId }, effective));
      // ASSUMPTION: an error status means the cancel was not applied (BRM rolls its opcode back), so
      // the record is cleared and a retry posts again; `false` likewise, though it is final anyway.
      const answer = res.statusCode === 200 ? cancelAnswer(res.body) : undefined;
      if (res.statusCode !== 200 || answer === false) {
        run?.heartbeat(NOTHING_POSTED);
        throw failureOf(op, res);
      }
      // Not Billing Care's answer (often a proxy page): it may have got through, so the record stays.
      if (answer === undefined) throw protocolFailure(PROVIDER, op, res.statusCode, snippet(res.body, 120));
      // `true` carries no date: the effective date is ours until a read shows it as validTo.
      return acknowledgedReceipt(clock(), reference(target, bundle, effective));
    },

    async confirmCancellation(q) {
      return confirmationOf(q, candidatesOf(q, await readBundles(q.target.accountId)), clock());
    },

    async verifyCancellation(q) {
      const bundles = await readBundles(q.target.accountId);
      return verificationOf(q, candidatesOf(q, bundles, q.confirmation.providerReference), clock());
    },

    async readPeriodEnd(target) {
      return {
        periodEnd: periodEndOf(target, await readBundles(target.accountId)),
        source: 'purchasedbundles.validTo',
      };
    },
  };
}
