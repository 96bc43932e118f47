import { ApplicationFailure } from '@temporalio/common';
import { type OptionsOfTextResponseBody, type Response } from 'got';
import { z } from 'zod';
import { NOT_YET_CONFIRMED, PERIOD_END_UNKNOWN, PROVIDER_NOT_CONFIGURED } from '../../common/errors';
import { type ReasonCode, type TargetOf } from '../../common/request';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import { failureFromHttp, notFound, protocolFailure, type HttpOutcome } from '../http/failures';
import { parseJsonBody, tryJson } from '../http/parse';
import { TokenCache, withFreshTokenOn401 } from '../http/token-cache';
import { activitySignal } from './activity-context';
import { type ProviderActivities, type ProviderReference, type SubmitReceipt } from './types';

const PROVIDER = 'payway';
const SCOPE = '/external/account/r /external/account/w';

// Payway answers these for a malformed request; they can never mean "already cancelled".
const REQUEST_SHAPE_ERRORS = new Set([
  'invalid_parameter',
  'unknown_parameter',
  'json_parser_error',
  'invalid_content_type_error',
]);
// `cancelled` waits for the renewal date; `deactivated` is past it. Either way nothing is left to cancel.
const CANCELLED_STATES = new Set(['cancelled', 'deactivated']);

const TokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});
const CancelledSchema = z.looseObject({ id: z.string() });
const ErrorSchema = z.looseObject({
  code: z.string().optional(),
  field: z.string().optional(),
  message: z.string().optional(),
});
const DateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be a date-time');
const UserProductSchema = z.looseObject({
  id: z.string(),
  product_code: z.string().nullish(),
  valid_from: DateTime.nullish(),
  valid_to: DateTime.nullish(),
  provision_service: z.string().nullish(),
  subscription_type: z.string().nullish(),
  state: z.string(),
  has_pending_change_request: z.boolean().nullish(),
});
const UserProductsSchema = z.looseObject({ items: z.array(UserProductSchema) });
type UserProduct = z.output<typeof UserProductSchema>;
const ReasonSchema = z.looseObject({ id: z.string(), integration_code: z.string().nullish() });
// The docs show one reason, not the list around it: accept a bare array and an `items` envelope.
const ReasonsSchema = z.union([
  z.array(ReasonSchema),
  z.looseObject({ items: z.array(ReasonSchema) }).transform((l) => l.items),
]);
const ReasonIdsSchema = z.record(z.string(), z.string().min(1));

export function createPaywayActivities({ http, env, clock }: ActivityDeps): ProviderActivities<'payway'> {
  const settings = () =>
    requireSettings(env, PROVIDER, ['PAYWAY_BASE_URL', 'PAYWAY_CLIENT_ID', 'PAYWAY_CLIENT_SECRET']);
  const api = (path: string) => `${settings().PAYWAY_BASE_URL}/external/api/v1${path}`;

  const outcomeOf = (operation: string, res: Response<string>): HttpOutcome => {
    const body = ErrorSchema.safeParse(tryJson(res.body));
    const e = body.success ? body.data : {};
    // Retry-After in seconds is our simulator's assumption: Payway documents no throttling.
    const retryAfter = Number(res.headers['retry-after']);
    return {
      provider: PROVIDER,
      operation,
      status: res.statusCode,
      message: e.message ?? `HTTP ${res.statusCode}`,
      ...(e.code && { providerCode: e.code }),
      ...(e.field && { field: e.field }),
      ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfterMs: retryAfter * 1000 }),
    };
  };

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
    if (res.statusCode !== 200) throw failureFromHttp(outcomeOf(operation, res));
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
    if (res.statusCode !== 200) throw failureFromHttp(outcomeOf(operation, res));
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
    if (res.statusCode !== 200) throw failureFromHttp(outcomeOf(operation, res));
    const reasons = parseJsonBody(PROVIDER, operation, res, ReasonsSchema);
    // No match: Payway applies its default reason, which beats failing the cancellation.
    return reasons.find((r) => r.integration_code === code)?.id;
  };

  const referenceOf = (item: UserProduct, target: TargetOf<'payway'>): ProviderReference => ({
    userProductId: item.id,
    accountId: target.accountId,
    state: item.state,
  });

  return {
    async submitCancellation(cmd): Promise<SubmitReceipt> {
      const { target } = cmd;
      const cancellationReasonId = await reasonIdFor(target, cmd.reasonCode);
      const operation = 'cancel_product';
      // Payway's cancel always takes effect at the next renewal and has no free-text field, so
      // neither `effect` nor the comment can be passed on (unknown fields are refused).
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
        return {
          submittedAt: clock().toISOString(),
          alreadyExisted: false,
          providerReference: {
            userProductId: body.id,
            accountId: target.accountId,
            ...(cancellationReasonId !== undefined && { cancellationReasonId }),
          },
        };
      }
      const outcome = outcomeOf(operation, res);
      const mayBeCancelled =
        (outcome.status === 400 || outcome.status === 409) &&
        !REQUEST_SHAPE_ERRORS.has(outcome.providerCode ?? '');
      if (mayBeCancelled) {
        // A retry after a lost response, or another request, got there first: the refusal of a
        // second cancel means done. Anything short of a cancelled state keeps the original error.
        const item = await readUserProduct(target).catch(() => undefined);
        if (item && CANCELLED_STATES.has(item.state)) {
          return {
            submittedAt: clock().toISOString(),
            alreadyExisted: true,
            providerReference: referenceOf(item, target),
            ...(item.valid_to && { effectiveAt: new Date(item.valid_to).toISOString() }),
          };
        }
      }
      throw failureFromHttp(outcome);
    },

    async confirmCancellation(q) {
      const item = await readUserProduct(q.target);
      if (!CANCELLED_STATES.has(item.state)) {
        throw ApplicationFailure.create({
          type: NOT_YET_CONFIRMED,
          message: `payway user product ${item.id} is still ${item.state}`,
        });
      }
      return {
        confirmedAt: clock().toISOString(),
        providerState: `user product ${item.state}`,
        // Cancelled is not deactivated: access ends at the renewal date, valid_to.
        ...(item.valid_to && { effectiveAt: new Date(item.valid_to).toISOString() }),
        providerReference: referenceOf(item, q.target),
      };
    },

    async readPeriodEnd(target) {
      const item = await readUserProduct(target);
      if (!item.valid_to) {
        throw ApplicationFailure.create({
          type: PERIOD_END_UNKNOWN,
          nonRetryable: true,
          message: `payway user product ${item.id} has no valid_to (state ${item.state})`,
        });
      }
      return { periodEnd: new Date(item.valid_to).toISOString(), source: 'userproducts.valid_to' };
    },
  };
}
