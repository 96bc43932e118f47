// Keliweb's transport: Passport tokens, the form-encoded API calls and how their answers become
// failures. Split from keliweb.ts so that the activities read as the cancellation they perform.
import { type Response } from 'got';
import { type z } from 'zod';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import { failureFromHttp, protocolFailure, type HttpOutcome } from '../http/failures';
import { parseJsonBody, snippet, tryJson } from '../http/parse';
import { retryAfterMs } from '../http/retry-hints';
import { TokenCache, withFreshTokenOn401, type IssuedToken } from '../http/token-cache';
import { activitySignal } from './activity-context';
import { LaravelErrorSchema, ListEnvelopeSchema, parseKeliwebList, TokenSchema } from './keliweb-wire';

export const PROVIDER = 'keliweb';

export function createKeliwebClient({ http, env, clock }: ActivityDeps) {
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
    // ASSUMPTION: Keliweb throttles with Laravel's middleware, whose Retry-After is in seconds.
    const retryAfter = retryAfterMs(res.headers['retry-after'], 'seconds', clock());
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
      ...(retryAfter !== undefined && { retryAfterMs: retryAfter }),
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
      // ASSUMPTION: Passport refuses an expired or revoked refresh token with 400 (or 401).
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
        // ASSUMPTION: a refused token is HTTP 401 `{"message":"Unauthenticated."}` (Laravel
        // Passport, as PROVIDERS.md infers); it is retried once with a fresh token.
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
    const parsed = parseKeliwebList(data, name, item, schema);
    if (!parsed.ok) throw protocolFailure(PROVIDER, method, res.statusCode, parsed.problem);
    return { res, items: parsed.items };
  };

  return { tokens, call, list };
}
