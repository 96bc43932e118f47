import { randomBytes } from 'node:crypto';
import { bearerToken, type SimRequest, type SimResponse } from './framework';
import { paywayError } from './payway-requests';

// Payway's client-credentials token endpoint and the scope check every API call makes
// (shared/seeds/002: grant_type none, scopes per token, bearer token on each call).

interface Token {
  scopes: Set<string>;
  expiresAt: number;
}

export interface PaywayCredentials {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds?: number;
}

export class PaywayTokens {
  /** Scopes asked for at the token endpoint, one entry per token issued. */
  readonly issuedScopes: string[][] = [];
  private readonly tokens = new Map<string, Token>();

  constructor(
    private readonly credentials: PaywayCredentials,
    private readonly now: () => Date,
  ) {}

  issue(r: SimRequest): SimResponse {
    if (!r.contentType.startsWith('application/x-www-form-urlencoded'))
      return paywayError(
        400,
        'invalid_content_type_error',
        'Content-Type must be application/x-www-form-urlencoded',
      );
    const form = (r.body ?? {}) as Record<string, string>;
    // ASSUMPTION: the token endpoint's error codes are OAuth-like, in Payway's error shape.
    if (form.grant_type !== 'none')
      return paywayError(400, 'unsupported_grant_type', 'grant_type must be none', 'grant_type');
    if (form.client_id !== this.credentials.clientId || form.client_secret !== this.credentials.clientSecret)
      return paywayError(401, 'invalid_client', 'Client authentication failed');
    const scopes = (form.scope ?? '').split(' ').filter(Boolean);
    this.issuedScopes.push(scopes);
    const token = randomBytes(24).toString('hex');
    const ttl = this.credentials.tokenTtlSeconds ?? 3600;
    this.tokens.set(token, { scopes: new Set(scopes), expiresAt: this.now().getTime() + ttl * 1000 });
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: ttl, scope: scopes.join(' ') },
    };
  }

  /** The refusal of a call without a live token carrying `scope`, or undefined when it may go on. */
  refusal(r: SimRequest, scope: string): SimResponse | undefined {
    const token = bearerToken(r);
    const t = token ? this.tokens.get(token) : undefined;
    // ASSUMPTION: 401 for a missing or dead token, 403 for a missing scope (codes undocumented).
    if (!t) return paywayError(401, 'unauthorized', 'Missing or invalid access token');
    if (this.now().getTime() >= t.expiresAt)
      return paywayError(401, 'unauthorized', 'Access token has expired');
    if (!t.scopes.has(scope))
      return paywayError(403, 'insufficient_scope', `Access token lacks scope ${scope}`);
    return undefined;
  }

  /** Makes every issued token unknown to the API, as if they had all run out. */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  clear(): void {
    this.issuedScopes.length = 0;
    this.tokens.clear();
  }
}
