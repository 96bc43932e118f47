import { ApplicationFailure } from '@temporalio/common';
import { type OptionsOfTextResponseBody, type Response } from 'got';
import { PROVIDER_NOT_CONFIGURED } from '../../common/errors';
import { type ReasonCode, type TargetOf } from '../../common/request';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import {
  failureFromHttp,
  notFound,
  notYetConfirmed,
  periodEndUnknown,
  protocolFailure,
  unlessTransient,
} from '../http/failures';
import { parseJsonBody, tryJson } from '../http/parse';
import { TokenCache, withFreshTokenOn401 } from '../http/token-cache';
import { activitySignal } from './activity-context';
import {
  CANCELLED,
  CancelledSchema,
  DEACTIVATED,
  outcomeOf,
  PROVIDER,
  ReasonIdsSchema,
  ReasonsSchema,
  REQUEST_SHAPE_ERRORS,
  SCOPE,
  TokenSchema,
  type UserProduct,
  UserProductsSchema,
  validTo,
} from './payway-wire';
import { acknowledgedReceipt, receiptFromRead } from './receipts';
import {
  type Confirmation,
  type LevelEvidence,
  type ProviderActivities,
  type ProviderReference,
  type SubmitReceipt,
} from './types';

/** What Payway can show, and from which read (shared/CONTRACT.md, confirmation levels). */
export const PAYWAY_LEVELS: LevelEvidence = {
  scheduled:
    'GET userproducts/{accountId} shows the user product `cancelled` (effectiveAt = its valid_to: ' +
    'cancelled is not deactivated, access ends at the next renewal)',
  effective: 'GET userproducts/{accountId} shows the user product `deactivated` (effectiveAt = valid_to)',
  verification: 'GET userproducts/{accountId}: `deactivated` is verified; any other state is not-applied',
};

export function createPaywayActivities({ http, env, clock }: ActivityDeps): ProviderActivities<'payway'> {
  const settings = () =>
    requireSettings(env, PROVIDER, ['PAYWAY_BASE_URL', 'PAYWAY_CLIENT_ID', 'PAYWAY_CLIENT_SECRET']);
  const api = (path: string) => `${settings().PAYWAY_BASE_URL}/external/api/v1${path}`;

  const fail = (operation: string, res: Response<string>) =>
    failureFromHttp(outcomeOf(operation, res, clock()));

  const tokens = new TokenCache(async () => {
    const s = settings();
    const operation = 'get access token';
    const res = await send(http, PROVIDER, operation, `${s.PAYWAY_BASE_URL}/api/authorization/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      form: {
        client_id: s.PAYWAY_CLIENT_ID,
        client_secret: s.PAYWAY_CLIENT_SECRET,
        grant_type: 'none',
        scope: SCOPE,
      },
      signal: activitySignal(),
    });
    if (res.statusCode !== 200) throw fail(operation, res);
    const t = parseJsonBody(PROVIDER, operation, res, TokenSchema);
    return { accessToken: t.access_token, expiresInSeconds: t.expires_in };
  }, clock);

  const call = (operation: string, url: string, options: OptionsOfTextResponseBody) =>
    withFreshTokenOn401(tokens, (token) =>
      send(http, PROVIDER, operation, url, {
        ...options,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        signal: activitySignal(),
      }),
    );

  const readUserProduct = async (target: TargetOf<'payway'>): Promise<UserProduct> => {
    const operation = 'get userproducts';
    const res = await call(operation, api(`/userproducts/${encodeURIComponent(target.accountId)}`), {});
    if (res.statusCode !== 200) throw fail(operation, res);
    const { items } = parseJsonBody(PROVIDER, operation, res, UserProductsSchema);
    const item = items.find((i) => i.id === target.userProductId);
    if (!item) {
      throw notFound({
        provider: PROVIDER,
        operation,
        status: res.statusCode,
        message: `user product ${target.userProductId} is not on account ${target.accountId}`,
      });
    }
    return item;
  };

  const configuredReasonIds = (): Record<string, string> => {
    const raw = env.PAYWAY_REASON_IDS;
    if (raw === undefined) return {};
    const parsed = ReasonIdsSchema.safeParse(tryJson(raw));
    if (parsed.success) return parsed.data;
    throw ApplicationFailure.create({
      type: PROVIDER_NOT_CONFIGURED,
      nonRetryable: true,
      message:
        'payway: PAYWAY_REASON_IDS must be a JSON object mapping reason codes to cancellation_reason ids',
      details: [{ provider: PROVIDER, field: 'PAYWAY_REASON_IDS' }],
    });
  };

  const reasonIdFor = async (target: TargetOf<'payway'>, code: ReasonCode | undefined) => {
    if (target.cancellationReasonId) return target.cancellationReasonId;
    if (!code) return undefined;
    const configured = configuredReasonIds()[code];
    if (configured) return configured;
    const operation = 'get cancellation_reasons';
    const res = await call(operation, api('/cancellation_reasons'), {});
    if (res.statusCode !== 200) throw fail(operation, res);
    const reasons = parseJsonBody(PROVIDER, operation, res, ReasonsSchema);
    // No match: Payway applies its default reason, which beats failing the cancellation.
    return reasons.find((r) => r.integration_code === code)?.id;
  };

  const referenceOf = (item: UserProduct, target: TargetOf<'payway'>): ProviderReference => ({
    userProductId: item.id,
    accountId: target.accountId,
    state: item.state,
  });

  /** What confirm shows for a user product read, or undefined when it shows no cancellation. */
  const levelOf = (item: UserProduct): Pick<Confirmation, 'level' | 'effectiveAt'> | undefined => {
    const effectiveAt = validTo(item);
    const date = effectiveAt !== undefined ? { effectiveAt } : {};
    // ASSUMPTION: a deactivated product ended at its valid_to (seed 002: deactivated "upon next
    // renewal date"); Payway shows no separate deactivation date.
    if (item.state === DEACTIVATED) return { level: 'effective', ...date };
    // ASSUMPTION: a cancelled product without valid_to is still a pending cancellation; its date
    // is then unknown and left out rather than guessed.
    if (item.state === CANCELLED) return { level: 'scheduled', ...date };
    return undefined;
  };

  return {
    async submitCancellation(cmd): Promise<SubmitReceipt> {
      const { target } = cmd;
      // At most one cancellation_reasons read per submit (none with an explicit or configured id).
      const cancellationReasonId = await reasonIdFor(target, cmd.reasonCode);
      const operation = 'cancel_product';
      // Payway's cancel always takes effect at the next renewal (valid_to), whatever `effect` asks:
      // the workflow times `end-of-period` before valid_to, and confirm reads the date. There is
      // no free-text field, so neither the comment nor requestedBy can be passed on (unknown
      // fields are refused).
      const res = await call(operation, api('/accounts/cancel_product'), {
        method: 'PUT',
        json: {
          id: target.accountId,
          user_product_id: target.userProductId,
          ...(cancellationReasonId !== undefined && { cancellation_reason_id: cancellationReasonId }),
        },
      });
      if (res.statusCode === 200) {
        const body = parseJsonBody(PROVIDER, operation, res, CancelledSchema);
        if (body.id !== target.userProductId) {
          throw protocolFailure(
            PROVIDER,
            operation,
            res.statusCode,
            `cancelled user product ${body.id}, not ours`,
          );
        }
        return acknowledgedReceipt(clock(), {
          userProductId: body.id,
          accountId: target.accountId,
          ...(cancellationReasonId !== undefined && { cancellationReasonId }),
        });
      }
      const outcome = outcomeOf(operation, res, clock());
      const mayBeCancelled =
        (outcome.status === 400 || outcome.status === 409) &&
        !REQUEST_SHAPE_ERRORS.has(outcome.providerCode ?? '');
      if (mayBeCancelled) {
        // A retry after a lost response, or another request, got there first: the refusal of a
        // second cancel means done. Anything short of a cancelled state keeps the original error.
        // ASSUMPTION: Payway documents no answer to a second cancel; it is taken to be a 400 or 409
        // refusal. Its own words are never taken as the acknowledgement: the read is the evidence,
        // and confirm reads again (acknowledged false). A read that fails fails the attempt with its
        // own (often transient) failure: a refusal that a read could still explain is not final.
        const item = await readUserProduct(target).catch(unlessTransient);
        if (item && levelOf(item)) return receiptFromRead(clock(), referenceOf(item, target), validTo(item));
      }
      throw failureFromHttp(outcome);
    },

    async confirmCancellation(q): Promise<Confirmation> {
      const item = await readUserProduct(q.target);
      const shown = levelOf(item);
      if (!shown) throw notYetConfirmed(PROVIDER, `user product ${item.id} is still ${item.state}`);
      return {
        ...shown,
        observedAt: clock().toISOString(),
        providerState: `user product ${item.state}`,
        providerReference: referenceOf(item, q.target),
      };
    },

    async verifyCancellation(q) {
      const item = await readUserProduct(q.target);
      return {
        status: item.state === DEACTIVATED ? 'verified' : 'not-applied',
        checkedAt: clock().toISOString(),
        providerState: `user product ${item.state}`,
      };
    },

    async readPeriodEnd(target) {
      const item = await readUserProduct(target);
      const periodEnd = validTo(item);
      if (periodEnd === undefined)
        throw periodEndUnknown(PROVIDER, `user product ${item.id} has no valid_to (state ${item.state})`);
      return { periodEnd, source: 'userproducts.valid_to' };
    },
  };
}
