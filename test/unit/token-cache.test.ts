import { TokenCache, withFreshTokenOn401, type IssuedToken } from '../../activities/http/token-cache';

/** An issuer that hands out tok-1, tok-2, ... and records the refresh token it was given. */
function issuer(expiresInSeconds = 3600, refreshToken?: string) {
  const calls: (string | undefined)[] = [];
  const issue = async (refresh: string | undefined): Promise<IssuedToken> => {
    calls.push(refresh);
    return {
      accessToken: `tok-${calls.length}`,
      expiresInSeconds,
      ...(refreshToken !== undefined && { refreshToken: `${refreshToken}-${calls.length}` }),
    };
  };
  return { issue, calls };
}

function clock(startMs = Date.parse('2030-01-01T00:00:00Z')) {
  let t = startMs;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

describe('TokenCache', () => {
  test('keeps a token until the margin before its expiry, then renews', async () => {
    const { issue, calls } = issuer(600);
    const c = clock();
    const cache = new TokenCache(issue, c.now, 60_000);
    expect(await cache.get()).toBe('tok-1');
    c.advance(540_000 - 1);
    expect(await cache.get()).toBe('tok-1');
    c.advance(1); // exactly expiry - margin: renew now, not a millisecond later
    expect(await cache.get()).toBe('tok-2');
    expect(calls).toHaveLength(2);
  });

  test('the default margin is one minute', async () => {
    const { issue } = issuer(120);
    const c = clock();
    const cache = new TokenCache(issue, c.now);
    await cache.get();
    c.advance(59_999);
    expect(await cache.get()).toBe('tok-1');
    c.advance(1);
    expect(await cache.get()).toBe('tok-2');
  });

  test('concurrent callers share one request, and the next renewal makes a new one', async () => {
    const { issue, calls } = issuer(0);
    const cache = new TokenCache(issue, clock().now, 0);
    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(tokens).toEqual(['tok-1', 'tok-1', 'tok-1']);
    expect(calls).toHaveLength(1);
    // expiresIn 0: the token is already due; the finished request must not be reused.
    expect(await cache.get()).toBe('tok-2');
  });

  test('a failed request is not cached: the next caller asks again', async () => {
    let fail = true;
    const cache = new TokenCache(async () => {
      if (fail) throw new Error('token endpoint down');
      return { accessToken: 'ok', expiresInSeconds: 3600 };
    }, clock().now);
    await expect(cache.get()).rejects.toThrow('token endpoint down');
    fail = false;
    expect(await cache.get()).toBe('ok');
  });

  test('renewal offers the refresh token of the previous grant, if it had one', async () => {
    const withRefresh = issuer(0, 'r');
    const cache = new TokenCache(withRefresh.issue, clock().now, 0);
    await cache.get();
    await cache.get();
    await cache.get();
    expect(withRefresh.calls).toEqual([undefined, 'r-1', 'r-2']);

    const without = issuer(0);
    const plain = new TokenCache(without.issue, clock().now, 0);
    await plain.get();
    await plain.get();
    expect(without.calls).toEqual([undefined, undefined]);
  });

  test('invalidate drops only the token it names', async () => {
    const { issue } = issuer(3600);
    const cache = new TokenCache(issue, clock().now);
    const first = await cache.get();
    cache.invalidate('someone-elses-token');
    expect(await cache.get()).toBe(first);
    cache.invalidate(first);
    expect(await cache.get()).toBe('tok-2');
  });

  test('after invalidate, the renewal still offers the refresh token', async () => {
    const { issue, calls } = issuer(3600, 'r');
    const cache = new TokenCache(issue, clock().now);
    cache.invalidate(await cache.get());
    expect(await cache.get()).toBe('tok-2');
    expect(calls).toEqual([undefined, 'r-1']);
  });

  test('invalidate before any token is harmless', async () => {
    const { issue } = issuer();
    const cache = new TokenCache(issue, clock().now);
    cache.invalidate('tok-1');
    expect(await cache.get()).toBe('tok-1');
  });
});

describe('withFreshTokenOn401', () => {
  test('a non-401 answer is returned after one call', async () => {
    const cache = new TokenCache(issuer().issue, clock().now);
    const used: string[] = [];
    const answer = await withFreshTokenOn401(cache, async (token) => {
      used.push(token);
      return { statusCode: 403 };
    });
    expect(answer.statusCode).toBe(403);
    expect(used).toEqual(['tok-1']);
  });

  test('a 401 drops the token and tries exactly once more with a fresh one', async () => {
    const cache = new TokenCache(issuer().issue, clock().now);
    const used: string[] = [];
    const answer = await withFreshTokenOn401(cache, async (token) => {
      used.push(token);
      return { statusCode: 401, token };
    });
    expect(used).toEqual(['tok-1', 'tok-2']);
    expect(answer).toEqual({ statusCode: 401, token: 'tok-2' });
  });
});
