// Talking to Billing Care: optional OAuth, the purchasedbundles read, the cancel POST, and how a
// failed answer becomes a retryable or final failure. What the answers mean is billing-care.ts's.
import { type OptionsOfTextResponseBody, type Response } from 'got';
import { requireSettings } from '../config';
import { type ActivityDeps } from '../deps';
import { send } from '../http/client';
import { failureFromHttp } from '../http/failures';
import { parseJsonBody, snippet } from '../http/parse';
import { retryAfterMs } from '../http/retry-hints';
import { TokenCache, withFreshTokenOn401 } from '../http/token-cache';
import { activitySignal } from './activity-context';
import { BundlesSchema, TokenSchema, type Bundle } from './billing-care-wire';

export const PROVIDER = 'billing-care';

export function createBillingCareClient({ http, env, clock }: ActivityDeps) {
  const baseUrl = () => requireSettings(env, PROVIDER, ['BILLING_CARE_BASE_URL']).BILLING_CARE_BASE_URL;
  let tokens: TokenCache | undefined;

  // Error bodies are opaque text (nothing documented), so the message carries a short piece of it.
  // ASSUMPTION: throttling comes from a gateway in front of Billing Care, with an RFC 9110
  // Retry-After (seconds or an HTTP date); Billing Care documents none.
  const failureOf = (op: string, res: Response<string>) => {
    const wait = retryAfterMs(res.headers['retry-after'], 'seconds-or-http-date', clock());
    return failureFromHttp({
      provider: PROVIDER,
      operation: op,
      status: res.statusCode,
      message: `HTTP ${res.statusCode}: ${snippet(res.body, 120)}`,
      ...(wait !== undefined && { retryAfterMs: wait }),
    });
  };

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

  return {
    failureOf,

    async readBundles(accountId: string): Promise<Bundle[]> {
      const op = 'read purchasedbundles';
      const res = await call(op, `/subscriptions/purchasedbundles/${encodeURIComponent(accountId)}`);
      if (res.statusCode !== 200) throw failureOf(op, res);
      return parseJsonBody(PROVIDER, op, res, BundlesSchema);
    },

    /** The raw answer: the caller decides what `true`, `false` or an error status mean for its retries. */
    postCancel(body: object): Promise<Response<string>> {
      return call('cancel bundle', '/subscriptions/cancel/bundle', { method: 'POST', json: body });
    },
  };
}
