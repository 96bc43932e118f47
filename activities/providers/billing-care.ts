import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { type OptionsOfTextResponseBody, type Response } from 'got';
import { z } from 'zod';
import { NOT_YET_CONFIRMED, PERIOD_END_UNKNOWN } from '../../common/errors';
import { type ReasonCode, type TargetOf } from '../../common/request';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import { failureFromHttp, protocolFailure } from '../http/failures';
import { parseJsonBody, snippet } from '../http/parse';
import { TokenCache, withFreshTokenOn401 } from '../http/token-cache';
import { activitySignal } from './activity-context';
import { type ProviderActivities, type SubmitReceipt } from './types';

const PROVIDER = 'billing-care';
type Target = TargetOf<'billing-care'>;

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

/** BRM offer status codes (PROVIDERS.md); where the read carries them is not documented. */
const STATUS_CANCELED = 3;

const TokenSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().default(3600),
});

// Undocumented beyond the field names: a service or deal may come as a bare id or as a ResourceRef.
const RefId = z.union([z.string(), z.looseObject({ id: z.string() }).transform((r) => r.id)]).nullish();
const BundleSchema = z.looseObject({
  bundleId: z.union([z.string(), z.number()]).transform(String).nullish(),
  name: z.string().nullish(),
  packageId: z.union([z.number(), z.string()]).nullish(),
  validTo: z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), 'not a date-time')
    .nullish(),
  service: RefId,
  dealId: RefId,
  // ASSUMPTION: a numeric `status` (0 not set, 1 active, 2 inactive, 3 canceled) on each bundle.
  status: z.coerce.number().int().nullish(),
});
type Bundle = z.output<typeof BundleSchema>;
const BundlesSchema = z.array(BundleSchema);

/** The bundles of the account that the target names; a field the bundle does not report cannot rule it out. */
function bundlesOf(target: Target, bundles: Bundle[]): Bundle[] {
  return bundles.filter((bundle) => {
    const pairs = [
      [target.serviceId, bundle.service],
      [target.dealId, bundle.dealId],
      [target.packageId?.toString(), bundle.packageId?.toString()],
    ].filter(([want]) => want !== undefined);
    return (
      pairs.every(([want, have]) => have == null || have === want) &&
      pairs.some(([want, have]) => have === want)
    );
  });
}

const sameInstant = (a: string | null | undefined, b: string | undefined) =>
  a != null && b !== undefined && Date.parse(a) === Date.parse(b);

/**
 * A cancelled bundle shows status 3. The status field is our assumption, so when a bundle does not
 * report one, a validTo equal to the effective date we asked for is the evidence instead.
 */
function isCancelled(bundle: Bundle, askedEffective: string | undefined): boolean {
  if (bundle.status != null) return bundle.status === STATUS_CANCELED;
  return sameInstant(bundle.validTo, askedEffective);
}

/**
 * The 200 body is documented as `{ true }`, which is not JSON, and servers send the bare word.
 * Undefined means the body is not a yes/no answer at all.
 */
export function cancelAnswer(body: string): boolean | undefined {
  const flat = body.replace(/\s+/g, '').toLowerCase();
  if (['true', '{true}', '"true"', '{"result":true}'].includes(flat)) return true;
  if (['false', '{false}', '"false"', '{"result":false}'].includes(flat)) return false;
  return undefined;
}

function currentAttempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // called directly, outside an activity
  }
}

export function createBillingCareActivities({
  http,
  env,
  clock,
}: ActivityDeps): ProviderActivities<'billing-care'> {
  const baseUrl = () => requireSettings(env, PROVIDER, ['BILLING_CARE_BASE_URL']).BILLING_CARE_BASE_URL;
  let tokens: TokenCache | undefined;

  // Test systems accept requests without a token, so OAuth is used only when both halves are set.
  const tokenCache = (): TokenCache | undefined => {
    const id = env.BILLING_CARE_CLIENT_ID;
    const secret = env.BILLING_CARE_CLIENT_SECRET;
    if (id === undefined || secret === undefined) return undefined;
    tokens ??= new TokenCache(async () => {
      const op = 'query access token';
      const res = await send(http, PROVIDER, op, `${baseUrl()}/authentication/queryAccessToken`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
          accept: 'application/json',
        },
        signal: activitySignal(),
      });
      if (res.statusCode !== 200) throw failureOf(op, res);
      const t = parseJsonBody(PROVIDER, op, res, TokenSchema);
      return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
    }, clock);
    return tokens;
  };

  const call = async (op: string, path: string, options: OptionsOfTextResponseBody = {}) => {
    const url = `${baseUrl()}${path}`;
    const go = (token?: string) =>
      send(http, PROVIDER, op, url, {
        ...options,
        headers: { accept: 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
        signal: activitySignal(),
      });
    const cache = tokenCache();
    return cache ? withFreshTokenOn401(cache, go) : go();
  };

  // Error bodies are opaque text (nothing documented), so the message carries a short piece of it.
  const failureOf = (op: string, res: Response<string>) => {
    const retryAfter = res.headers['retry-after'];
    const seconds = Number(retryAfter);
    const retryAfterMs = Number.isFinite(seconds)
      ? seconds * 1000
      : retryAfter
        ? Date.parse(retryAfter) - clock().getTime()
        : NaN;
    return failureFromHttp({
      provider: PROVIDER,
      operation: op,
      status: res.statusCode,
      message: `HTTP ${res.statusCode}: ${snippet(res.body, 120)}`,
      ...(Number.isFinite(retryAfterMs) && { retryAfterMs }),
    });
  };

  const readBundles = async (accountId: string): Promise<Bundle[]> => {
    const op = 'read purchasedbundles';
    const res = await call(op, `/subscriptions/purchasedbundles/${encodeURIComponent(accountId)}`);
    if (res.statusCode !== 200) throw failureOf(op, res);
    return parseJsonBody(PROVIDER, op, res, BundlesSchema);
  };

  const periodEndOf = (target: Target, ours: Bundle[]): string => {
    const validTo = ours.find((x) => x.validTo)?.validTo;
    if (!validTo) {
      throw ApplicationFailure.create({
        type: PERIOD_END_UNKNOWN,
        nonRetryable: true,
        message: `billing-care account ${target.accountId}: ${ours.length ? 'the bundle has no validTo' : 'no matching bundle in purchasedbundles'}`,
      });
    }
    return new Date(validTo).toISOString();
  };

  const reference = (target: Target, bundle: Bundle | undefined, effective: string) => ({
    accountId: target.accountId,
    ...(bundle?.bundleId && { bundleId: bundle.bundleId }),
    effective,
  });

  return {
    async submitCancellation(cmd): Promise<SubmitReceipt> {
      const { target } = cmd;
      const ours = bundlesOf(target, await readBundles(target.accountId));
      const readFromValidTo = cmd.effect === 'end-of-period' && !cmd.effectiveAt;
      const effective = cmd.effectiveAt
        ? new Date(cmd.effectiveAt).toISOString()
        : readFromValidTo
          ? periodEndOf(target, ours)
          : clock().toISOString();

      const done = (bundle: Bundle | undefined, effectiveAt: string): SubmitReceipt => ({
        submittedAt: clock().toISOString(),
        alreadyExisted: true,
        providerReference: reference(target, bundle, effectiveAt),
        effectiveAt,
      });
      // A validTo that is itself the period end we just read says nothing about a previous cancel.
      const evidence = readFromValidTo ? undefined : effective;
      // Already cancelled (a lost response, or another request) with an end no later than ours: posting
      // again would record a second cancellation. A later end is brought forward by posting.
      const cancelled = ours.filter(
        (x) => isCancelled(x, evidence) && x.validTo && Date.parse(x.validTo) <= Date.parse(effective),
      );
      if (ours.length > 0 && cancelled.length === ours.length) {
        return done(ours[0], new Date(cancelled[0]!.validTo!).toISOString());
      }
      // A bundle drops out of the list once its validTo has passed, so an immediate cancel whose answer
      // was lost leaves nothing to find. On a retry, that absence is our earlier attempt's work (its
      // effective date was at most ours); on a first attempt Billing Care decides (ids may be unlisted).
      if (ours.length === 0 && currentAttempt() > 1 && cmd.effect === 'now') {
        return done(undefined, effective);
      }

      // The doc answers 400 for a null service or deal id: fill the refs from the bundle we matched.
      const bundle = ours.find((x) => !isCancelled(x, evidence)) ?? ours[0];
      const serviceId = target.serviceId ?? bundle?.service ?? undefined;
      const dealId = target.dealId ?? bundle?.dealId ?? undefined;
      const packageId =
        target.packageId ?? (bundle?.packageId != null ? Number(bundle.packageId) : undefined);
      const description = [
        `Cancelled: ${REASONS[cmd.reasonCode ?? 'other']}`,
        cmd.comment,
        `requested by ${cmd.requestedBy}`,
        `request ${cmd.requestId}`,
      ]
        .filter(Boolean)
        .join(' | ')
        .slice(0, 255);

      const op = 'cancel bundle';
      const res = await call(op, '/subscriptions/cancel/bundle', {
        method: 'POST',
        json: {
          accountRef: { id: target.accountId, uri: null },
          ...(serviceId && { serviceRef: { id: serviceId, uri: null } }),
          ...(dealId && { dealRef: { id: dealId, uri: null } }),
          ...(packageId !== undefined && Number.isInteger(packageId) && { packageId }),
          description,
          effective,
        },
      });
      if (res.statusCode !== 200) throw failureOf(op, res);
      const answer = cancelAnswer(res.body);
      // `false` is an answer Billing Care understood and declined without saying why: the same payload
      // will not do better on a retry, so it is a final rejection. Anything else is not Billing Care's
      // answer (often a proxy page) and is retried as a protocol error.
      if (answer === false) throw failureOf(op, res);
      if (answer === undefined) throw protocolFailure(PROVIDER, op, res.statusCode, snippet(res.body, 120));
      return {
        submittedAt: clock().toISOString(),
        alreadyExisted: false,
        providerReference: reference(target, bundle, effective),
        effectiveAt: effective,
      };
    },

    async confirmCancellation(q) {
      const asked = q.receipt.effectiveAt;
      const ours = bundlesOf(q.target, await readBundles(q.target.accountId));
      const notYet = (why: string) =>
        ApplicationFailure.create({
          type: NOT_YET_CONFIRMED,
          message: `billing-care account ${q.target.accountId}: ${why}`,
        });
      if (ours.length === 0) {
        if (asked && Date.parse(asked) <= clock().getTime()) {
          return {
            confirmedAt: clock().toISOString(),
            providerState: `bundle ended ${asked} (no longer in purchasedbundles)`,
            effectiveAt: asked,
          };
        }
        throw notYet('no matching bundle listed, and the effective date has not passed');
      }
      const open = ours.filter((x) => !isCancelled(x, asked));
      if (open.length > 0) {
        throw notYet(`bundle ${open[0]!.bundleId ?? '?'} still shows status ${open[0]!.status ?? '(none)'}`);
      }
      const bundle = ours[0]!;
      const effectiveAt = bundle.validTo ? new Date(bundle.validTo).toISOString() : asked;
      return {
        confirmedAt: clock().toISOString(),
        providerState:
          `bundle ${bundle.name ?? bundle.bundleId ?? ''} canceled, valid to ${effectiveAt ?? '?'}`.trim(),
        ...(effectiveAt && { effectiveAt }),
        providerReference: {
          ...(bundle.bundleId && { bundleId: bundle.bundleId }),
          status: bundle.status ?? null,
        },
      };
    },

    async readPeriodEnd(target) {
      const ours = bundlesOf(target, await readBundles(target.accountId));
      return { periodEnd: periodEndOf(target, ours), source: 'purchasedbundles.validTo' };
    },
  };
}
