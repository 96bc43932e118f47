export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
  refreshToken?: string;
}

/** Asks the provider for a token; `refreshToken` is set when a refresh grant should be tried first. */
export type TokenIssuer = (refreshToken: string | undefined) => Promise<IssuedToken>;

/**
 * Caches one provider's access token until shortly before it expires. Shared by all activity
 * executions in a worker so that concurrent cancellations do not each fetch a token.
 */
export class TokenCache {
  private current?: { token: string; expiresAt: number; refreshToken?: string };
  private pending?: Promise<string>;

  constructor(
    private readonly issue: TokenIssuer,
    private readonly now: () => Date,
    /** Renew this long before the provider's stated expiry, to absorb clock skew and slow calls. */
    private readonly marginMs = 60_000,
  ) {}

  async get(): Promise<string> {
    const c = this.current;
    if (c && this.now().getTime() < c.expiresAt - this.marginMs) return c.token;
    this.pending ??= this.renew(c?.refreshToken).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forget the token after the provider refused it (expired or revoked early). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = { ...this.current, expiresAt: 0 };
  }

  private async renew(refreshToken: string | undefined): Promise<string> {
    const issued = await this.issue(refreshToken);
    this.current = {
      token: issued.accessToken,
      expiresAt: this.now().getTime() + issued.expiresInSeconds * 1000,
      ...(issued.refreshToken !== undefined && { refreshToken: issued.refreshToken }),
    };
    return issued.accessToken;
  }
}

/**
 * Runs a call with the cached token; if the provider says 401, drops the token, gets a fresh one
 * and tries exactly once more. A second 401 is the caller's to classify (bad credentials).
 */
export async function withFreshTokenOn401<T extends { statusCode: number }>(
  cache: TokenCache,
  call: (token: string) => Promise<T>,
): Promise<T> {
  const token = await cache.get();
  const first = await call(token);
  if (first.statusCode !== 401) return first;
  cache.invalidate(token);
  return call(await cache.get());
}
