// Laravel Passport in front of the Keliweb API: the token endpoint and the Bearer check, with
// tokens that expire on the simulator's (movable) clock.
import { randomBytes } from 'node:crypto';
import { type SimRequest, type SimResponse } from './framework';

const REFRESH_TTL_MS = 10 * 86_400_000;

export interface PassportCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** Access tokens live one hour at Keliweb. */
  tokenTtlSeconds?: number;
}

/**
 * The fields PHP sees: it parses url-encoded and multipart bodies only. A JSON (or any other)
 * body arrives as no fields at all, and is answered as a request without them.
 * ASSUMPTION: this holds for /oauth/token too: Passport reads PHP's form input, which multipart
 * fills as well as url-encoded (the documents send the token request url-encoded).
 */
export function phpFormFields(r: SimRequest): Record<string, string> {
  const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(r.contentType);
  const body = r.body;
  if (!isForm || !body || typeof body !== 'object' || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
}

export class KeliwebPassport {
  private readonly accessTokens = new Map<string, { expiresAt: number; refreshToken: string }>();
  private readonly refreshTokens = new Map<string, { expiresAt: number }>();

  constructor(
    private readonly creds: PassportCredentials,
    private readonly now: () => Date,
  ) {}

  /** Whether a Bearer token is one this server issued and has not expired. */
  accepts(token: string | undefined): boolean {
    const t = this.accessTokens.get(token ?? '');
    return t !== undefined && t.expiresAt > this.now().getTime();
  }

  /** Makes every issued access token expired, as an hour passing would (refresh tokens stay valid). */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }

  /** Refresh tokens expire after 10 days or are revoked; then only the password grant works. */
  expireRefreshTokens(): void {
    for (const t of this.refreshTokens.values()) t.expiresAt = 0;
  }

  clear(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
  }

  /** /oauth/token: the password and refresh_token grants. */
  grant(f: Record<string, string>): SimResponse {
    const oauthError = (status: number, error: string, description: string, hint = '') => ({
      status,
      body: { error, error_description: description, hint, message: description },
    });
    if (f.grant_type !== 'password' && f.grant_type !== 'refresh_token') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
        'Check that all required parameters have been provided',
      );
    }
    if (f.client_id !== this.creds.clientId || f.client_secret !== this.creds.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    if (f.grant_type === 'password') {
      if (!f.username || !f.password) {
        return oauthError(
          400,
          'invalid_request',
          'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
          `Check the \`${f.username ? 'password' : 'username'}\` parameter`,
        );
      }
      if (f.username !== this.creds.username || f.password !== this.creds.password) {
        return oauthError(400, 'invalid_grant', 'The user credentials were incorrect.');
      }
    } else {
      const refresh = this.refreshTokens.get(f.refresh_token ?? '');
      if (!refresh || refresh.expiresAt <= this.now().getTime()) {
        return oauthError(400, 'invalid_grant', 'The refresh token is invalid.', 'Token has been revoked');
      }
      // Passport rotates: the old refresh token and the access tokens issued with it are revoked.
      this.refreshTokens.delete(f.refresh_token ?? '');
      for (const [token, t] of this.accessTokens)
        if (t.refreshToken === f.refresh_token) this.accessTokens.delete(token);
    }
    const ttl = this.creds.tokenTtlSeconds ?? 3600;
    const accessToken = `kw_at_${randomBytes(24).toString('hex')}`;
    const refreshToken = `kw_rt_${randomBytes(24).toString('hex')}`;
    const now = this.now().getTime();
    this.accessTokens.set(accessToken, { expiresAt: now + ttl * 1000, refreshToken });
    this.refreshTokens.set(refreshToken, { expiresAt: now + REFRESH_TTL_MS });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: ttl, access_token: accessToken, refresh_token: refreshToken },
    };
  }
}
