// Billing Care's wire format (shared/seeds/004, shared/PROVIDERS.md): what we send, what its answers
// and reads look like, and which listed bundle is the one a target names. No I/O here.
import { z } from 'zod';
import { type ReasonCode, type TargetOf } from '../../common/request';
import { recordedText } from './free-text';
import { type SubmitCommand } from './types';

export type Target = TargetOf<'billing-care'>;

// Billing Care has no reason vocabulary: the reason goes into the free-text `description`.
const REASONS: Record<ReasonCode, string> = {
  too_expensive: 'too expensive',
  unused: 'not used',
  missing_features: 'missing features',
  switched_service: 'switched to another service',
  low_quality: 'low quality',
  customer_service: 'customer service',
  too_complex: 'too complex',
  billing_failure: 'billing failure',
  other: 'other',
};

// ASSUMPTION: 255 characters for `description`; the Billing Care doc gives no maximum, and the
// product's own comment limit is 255 (shared/CONTRACT.md).
const DESCRIPTION_MAX = 255;

/** Who asked and which request are always kept whole; only the caller's comment gives way. */
export function descriptionOf(cmd: SubmitCommand<'billing-care'>): string {
  return recordedText(
    {
      lead: [`Cancelled: ${REASONS[cmd.reasonCode ?? 'other']}`],
      comment: cmd.comment,
      trail: [`requested by ${cmd.requestedBy}`, `request ${cmd.requestId}`],
    },
    DESCRIPTION_MAX,
  );
}

export const TokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().default(3600),
});

const DateTime = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a date-time')
  .transform((v) => new Date(v).toISOString());

// Only the documented bundle fields are read (PROVIDERS.md: bundleId, name, packageId, validTo,
// service); anything else a server adds is dropped here, so that nothing can come to depend on it.
// ASSUMPTION: `service` is the service id, either bare or as a ResourceRef `{id}` like the cancel's
// serviceRef; ids and packageId may come as strings or numbers; a null or absent validTo means the
// bundle has no end.
const BundleSchema = z.object({
  bundleId: z.union([z.string(), z.number()]).transform(String).nullish(),
  name: z.string().nullish(),
  packageId: z.union([z.number(), z.string()]).transform(String).nullish(),
  validTo: DateTime.nullish(),
  service: z.union([z.string(), z.object({ id: z.string() }).transform((r) => r.id)]).nullish(),
});
export type Bundle = z.output<typeof BundleSchema>;
// ASSUMPTION (PROVIDERS.md): the read answers a JSON array of bundles.
export const BundlesSchema = z.array(BundleSchema);

/**
 * The listed bundles the target names. Only `service` and `packageId` can be matched: the read
 * does not show deals, so a target that names only a deal matches every bundle of the account.
 */
export function bundlesOf(target: Target, bundles: Bundle[]): Bundle[] {
  return bundles.filter(
    (b) =>
      (target.serviceId === undefined || b.service === target.serviceId) &&
      (target.packageId === undefined || b.packageId === String(target.packageId)),
  );
}

export const sameInstant = (a: string | null | undefined, b: string | null | undefined) =>
  a != null && b != null && Date.parse(a) === Date.parse(b);

export const describeBundle = (b: Bundle) => `bundle ${b.bundleId ?? '?'}${b.name ? ` (${b.name})` : ''}`;

/**
 * The 200 body is documented as `{ true }`, which is not JSON, and servers send the bare word.
 * ASSUMPTION: `"true"` and `{"result": true}` (and their `false` forms) are the same answer from a
 * differently configured JSON provider. Undefined means the body is not a yes/no answer at all.
 */
export function cancelAnswer(body: string): boolean | undefined {
  const flat = body.replace(/\s+/g, '').toLowerCase();
  if (['true', '{true}', '"true"', '{"result":true}'].includes(flat)) return true;
  if (['false', '{false}', '"false"', '{"result":false}'].includes(flat)) return false;
  return undefined;
}

/** The cancel body: ResourceRefs as in the doc's example, `uri` null. */
export function cancelBody(
  cmd: SubmitCommand<'billing-care'>,
  refs: { serviceId?: string; packageId?: number },
  effective: string,
) {
  const ref = (id: string) => ({ id, uri: null });
  const { target } = cmd;
  return {
    accountRef: ref(target.accountId),
    ...(refs.serviceId && { serviceRef: ref(refs.serviceId) }),
    ...(target.dealId && { dealRef: ref(target.dealId) }),
    ...(refs.packageId !== undefined && { packageId: refs.packageId }),
    description: descriptionOf(cmd),
    effective,
  };
}
