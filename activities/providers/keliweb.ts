import { ApplicationFailure } from '@temporalio/common';
import { type Response } from 'got';
import { z } from 'zod';
import { PERIOD_END_UNKNOWN } from '../../common/errors';
import { type ReasonCode } from '../../common/request';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import { failureFromHttp, notFound, protocolFailure, type HttpOutcome } from '../http/failures';
import { parseJsonBody, snippet, tryJson } from '../http/parse';
import { TokenCache, withFreshTokenOn401, type IssuedToken } from '../http/token-cache';
import { activitySignal } from './activity-context';
import { type ProviderActivities, type SubmitReceipt } from './types';

const PROVIDER = 'keliweb';

export const KELIWEB_TYPES = { now: 'Immediate', 'end-of-period': 'End of Billing Period' } as const;
export const SERVICE_NOT_FOUND = 'Service ID Not Found';
export const EXISTING_CANCEL_REQUEST = 'Existing Cancellation Request Exists';

export const KeliwebStatusSchema = z.enum([
  'Pending',
  'Active',
  'Completed',
  'Suspended',
  'Terminated',
  'Cancelled',
  'Fraud',
]);

// WHMCS sends every scalar as a string; only the fields we use are required.
const Str = z.string();
export const KeliwebAddonSchema = z.looseObject({
  id: Str,
  serviceid: Str,
  name: Str,
  status: Str,
  userid: Str.optional(),
  addonid: Str.optional(),
  billingcycle: Str.optional(),
  nextduedate: Str.optional(),
});
export type KeliwebAddon = z.output<typeof KeliwebAddonSchema>;

export const KeliwebProductSchema = z.looseObject({
  id: Str,
  status: KeliwebStatusSchema,
  nextduedate: Str,
  billingcycle: Str,
  clientid: Str.optional(),
  name: Str.optional(),
});
export type KeliwebProduct = z.output<typeof KeliwebProductSchema>;

const Count = z.union([z.string().regex(/^\d+$/), z.number().int().min(0)]).transform(Number);
const EnvelopeSchema = z.looseObject({
  result: z.enum(['success', 'error']),
  message: z.string().optional(),
});
const ListEnvelopeSchema = EnvelopeSchema.extend({ totalresults: Count.optional() });
const CancelAnswerSchema = EnvelopeSchema.extend({
  serviceid: z.union([z.string(), z.number()]).transform(String).optional(),
  userid: z.union([z.string(), z.number()]).transform(String).optional(),
});
const TokenSchema = z.looseObject({
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
});
// Laravel's error bodies: `{message}` from the framework, `{error, error_description}` from
// Passport, `{message, errors: {field: [..]}}` from validation.
const LaravelErrorSchema = z.looseObject({
  message: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});

/**
 * Keliweb (like WHMCS behind it) flattens lists into PHP form-style keys such as
 * `addons[addon][0][status]`. Collects them back into one object per index, in index order.
 */
export function unflattenList(
  body: Record<string, unknown>,
  list: string,
  item: string,
): Record<string, unknown>[] {
  const prefix = `${list}[${item}][`;
  const byIndex = new Map<number, Record<string, unknown>>();
  for (const [key, value] of Object.entries(body)) {
    if (!key.startsWith(prefix)) continue;
    const m = /^(\d+)\]\[([^\]]+)\]$/.exec(key.slice(prefix.length));
    if (!m) continue;
    const index = Number(m[1]);
    const entry = byIndex.get(index) ?? {};
    entry[m[2] as string] = value;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

/** Unflattens and validates a list; the issue path names the flattened key, as the provider sent it. */
export function parseFlattenedList<S extends z.ZodType>(
  body: Record<string, unknown>,
  list: string,
  item: string,
  schema: S,
): { ok: true; items: z.output<S>[] } | { ok: false; problem: string } {
  const items: z.output<S>[] = [];
  for (const [i, raw] of unflattenList(body, list, item).entries()) {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        problem: `${list}[${item}][${i}][${issue?.path.join('][') ?? ''}]: ${issue?.message}`,
      };
    }
    items.push(parsed.data);
  }
  return { ok: true, items };
}

/** `2026-03-01` → `2026-03-01T00:00:00.000Z`; WHMCS writes `0000-00-00` for "no due date". */
export function keliwebDateToIso(date: string | undefined): string | undefined {
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const iso = `${date}T00:00:00.000Z`;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && new Date(ms).toISOString() === iso ? iso : undefined;
}

/** Keliweb's reason is free text: keep our code machine-findable and record who asked and why. */
export function keliwebReason(cmd: {
  reasonCode?: ReasonCode;
  comment?: string;
  requestedBy: string;
  requestId: string;
}): string {
  return [
    cmd.reasonCode && `[${cmd.reasonCode}]`,
    cmd.comment?.trim(),
    `(requested by ${cmd.requestedBy}; request ${cmd.requestId})`,
  ]
    .filter(Boolean)
    .join(' ');
}

export function summarizeAddons(addons: KeliwebAddon[]): string {
  const text = addons.map((a) => `${a.name} (${a.status})`).join(', ') || 'none';
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function createKeliwebActivities({ http, env, clock }: ActivityDeps): ProviderActivities<'keliweb'> {
  const settings = () =>
    requireSettings(env, PROVIDER, [
      'KELIWEB_BASE_URL',
      'KELIWEB_CLIENT_ID',
      'KELIWEB_CLIENT_SECRET',
      'KELIWEB_USERNAME',
      'KELIWEB_PASSWORD',
    ]);

  const outcomeOf = (operation: string, res: Response<string>, message?: string): HttpOutcome => {
    const parsed = LaravelErrorSchema.safeParse(tryJson(res.body));
    const e = parsed.success ? parsed.data : {};
    const [field, fieldMessages] = Object.entries(e.errors ?? {})[0] ?? [];
    const retryAfter = Number(res.headers['retry-after']);
    return {
      provider: PROVIDER,
      operation,
      status: res.statusCode,
      message:
        message ??
        fieldMessages?.[0] ??
        e.error_description ??
        e.message ??
        (parsed.success ? `HTTP ${res.statusCode}` : `HTTP ${res.statusCode}: ${snippet(res.body, 120)}`),
      ...(field !== undefined && { field }),
      ...(e.error !== undefined && { providerCode: e.error }),
      // Laravel's throttle sends Retry-After as a number of seconds.
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 && { retryAfterMs: retryAfter * 1000 }),
    };
  };

  const tokenCall = (operation: string, form: Record<string, string>) => {
    const s = settings();
    return send(http, PROVIDER, operation, `${s.KELIWEB_BASE_URL}/oauth/token`, {
      method: 'POST',
      form: { ...form, client_id: s.KELIWEB_CLIENT_ID, client_secret: s.KELIWEB_CLIENT_SECRET },
      headers: { accept: 'application/json' },
      signal: activitySignal(),
    });
  };
  const issued = (operation: string, res: Response<string>): IssuedToken => {
    const t = parseJsonBody(PROVIDER, operation, res, TokenSchema);
    return {
      accessToken: t.access_token,
      expiresInSeconds: t.expires_in,
      ...(t.refresh_token !== undefined && { refreshToken: t.refresh_token }),
    };
  };
  // One cache per factory call: the worker builds the activities once, so all executions share it.
  const tokens = new TokenCache(async (refreshToken) => {
    if (refreshToken !== undefined) {
      const op = 'oauth token (refresh grant)';
      const res = await tokenCall(op, { grant_type: 'refresh_token', refresh_token: refreshToken });
      if (res.statusCode === 200) return issued(op, res);
      // Only a refused refresh token falls back; an outage would fail the password grant too.
      if (res.statusCode !== 400 && res.statusCode !== 401) throw failureFromHttp(outcomeOf(op, res));
    }
    const s = settings();
    const op = 'oauth token (password grant)';
    const res = await tokenCall(op, {
      grant_type: 'password',
      username: s.KELIWEB_USERNAME,
      password: s.KELIWEB_PASSWORD,
    });
    if (res.statusCode !== 200) throw failureFromHttp(outcomeOf(op, res));
    return issued(op, res);
  }, clock);

  /** Calls one API method and returns its answer once it is an HTTP 200 in the documented envelope. */
  const call = async <S extends z.ZodType>(method: string, fields: Record<string, string>, schema: S) => {
    const url = `${settings().KELIWEB_BASE_URL}/api/v2/keliweb/${method}`;
    const res = await withFreshTokenOn401(tokens, (token) => {
      const body = new FormData();
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
      return send(http, PROVIDER, method, url, {
        method: 'POST',
        body,
        // X-Requested-With makes Laravel answer an expired token with a JSON 401 instead of a
        // redirect to its login page.
        headers: {
          'x-requested-with': 'XMLHttpRequest',
          authorization: `Bearer ${token}`,
          accept: 'application/json',
        },
        signal: activitySignal(),
      });
    });
    if (res.statusCode !== 200) throw failureFromHttp(outcomeOf(method, res));
    return { res, data: parseJsonBody(PROVIDER, method, res, schema) as z.output<S> };
  };

  const list = async <S extends z.ZodType>(
    method: string,
    fields: Record<string, string>,
    name: string,
    item: string,
    schema: S,
  ) => {
    const { res, data } = await call(method, fields, ListEnvelopeSchema);
    if (data.result === 'error')
      throw failureFromHttp(outcomeOf(method, res, data.message ?? 'result: error'));
    const parsed = parseFlattenedList(data, name, item, schema);
    if (!parsed.ok) throw protocolFailure(PROVIDER, method, res.statusCode, parsed.problem);
    return { res, items: parsed.items };
  };

  const getService = async (serviceId: number): Promise<KeliwebProduct> => {
    const method = 'get-clients-products';
    const { res, items } = await list(
      method,
      { serviceid: String(serviceId) },
      'products',
      'product',
      KeliwebProductSchema,
    );
    const product = items.find((p) => p.id === String(serviceId));
    if (!product) {
      throw notFound({
        provider: PROVIDER,
        operation: method,
        status: res.statusCode,
        message: SERVICE_NOT_FOUND,
        field: 'serviceid',
      });
    }
    return product;
  };

  /** Posts add-cancel-request; `existed` when Keliweb already holds one for the service. */
  const addCancelRequest = async (serviceId: number, effect: 'now' | 'end-of-period', reason: string) => {
    const method = 'add-cancel-request';
    const { res, data } = await call(
      method,
      { serviceid: String(serviceId), type: KELIWEB_TYPES[effect], reason },
      CancelAnswerSchema,
    );
    if (data.result === 'success') return { existed: false, serviceId: data.serviceid, userId: data.userid };
    const message = data.message ?? 'result: error';
    if (message === EXISTING_CANCEL_REQUEST)
      return { existed: true, serviceId: undefined, userId: undefined };
    const outcome = {
      provider: PROVIDER,
      operation: method,
      status: res.statusCode,
      message,
      providerCode: message,
    };
    if (message === SERVICE_NOT_FOUND) throw notFound({ ...outcome, field: 'serviceid' });
    throw failureFromHttp(outcome);
  };

  return {
    async submitCancellation(cmd): Promise<SubmitReceipt> {
      const { serviceId } = cmd.target;
      // Read first: a failure here must not leave a cancel request behind an activity that failed.
      const { items: addons } = await list(
        'get-clients-addons',
        { serviceid: String(serviceId) },
        'addons',
        'addon',
        KeliwebAddonSchema,
      );
      const answer = await addCancelRequest(serviceId, cmd.effect, keliwebReason(cmd));
      return {
        submittedAt: clock().toISOString(),
        // A retry after a lost response finds its own request: that is success, not a duplicate.
        alreadyExisted: answer.existed,
        providerReference: {
          serviceId: answer.serviceId ?? String(serviceId),
          ...(answer.userId !== undefined && { userId: answer.userId }),
          type: KELIWEB_TYPES[cmd.effect],
          addons: summarizeAddons(addons),
          addonCount: addons.length,
        },
      };
    },

    async confirmCancellation(q) {
      const { serviceId } = q.target;
      const service = await getService(serviceId);
      const effectiveAt = q.effect === 'end-of-period' ? keliwebDateToIso(service.nextduedate) : undefined;
      const reference = { serviceId: service.id, status: service.status, nextduedate: service.nextduedate };
      const confirmed = (providerState: string) => ({
        confirmedAt: clock().toISOString(),
        providerState,
        ...(effectiveAt !== undefined && { effectiveAt }),
        providerReference: reference,
      });
      if (service.status === 'Cancelled' || service.status === 'Terminated')
        return confirmed(`service ${service.status}`);

      // Keliweb keeps the service Active until its nightly run and offers no way to read cancel
      // requests; asking for the same cancellation again is how to learn whether one is recorded.
      const answer = await addCancelRequest(
        serviceId,
        q.effect,
        `(request ${q.requestId}; re-sent while confirming)`,
      );
      if (answer.existed) return confirmed('cancel request recorded');
      return confirmed('cancel request recorded by the confirmation (the submitted one was missing)');
    },

    async readPeriodEnd(target) {
      const service = await getService(target.serviceId);
      const periodEnd = keliwebDateToIso(service.nextduedate);
      if (!periodEnd) {
        throw ApplicationFailure.create({
          type: PERIOD_END_UNKNOWN,
          nonRetryable: true,
          message: `keliweb service ${service.id} has no usable nextduedate (${service.nextduedate || 'empty'}, ${service.billingcycle})`,
        });
      }
      return { periodEnd, source: 'products.nextduedate' };
    },
  };
}
