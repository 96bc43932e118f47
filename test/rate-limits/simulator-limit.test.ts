import { createRebillyActivities } from '../../activities/providers/rebilly';
import { RateLimiter } from '../../simulators/rate-limit';
import { RebillySimulator } from '../../simulators/rebilly';
import { depsFor, failureOf } from '../support/provider-harness';

describe("the simulator's token bucket", () => {
  test('lets `burst` through at once, then `perSecond`; says how long until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.admit())).toEqual([
      { admitted: true, limit: 3, remaining: 2 },
      { admitted: true, limit: 3, remaining: 1 },
      { admitted: true, limit: 3, remaining: 0 },
    ]);
    expect(limiter.admit()).toEqual({ admitted: false, limit: 3, retryAfterSeconds: 0.5 });
    now = 250;
    expect(limiter.admit()).toEqual({ admitted: false, limit: 3, retryAfterSeconds: 0.25 });
    now = 500;
    expect(limiter.admit()).toMatchObject({ admitted: true, remaining: 0 });
    now = 60_000; // a long pause refills no more than the burst
    expect(limiter.quota()).toEqual({ limit: 3, remaining: 3 });
    expect(limiter.describe()).toEqual({ perSecond: 2, burst: 3, refused: 2 });
  });

  test('the burst defaults to one second of the rate, rounded up; no settings, no limit', () => {
    const now = 0;
    const limiter = new RateLimiter({ perSecond: 1.5 }, () => now);
    expect(limiter.quota()).toEqual({ limit: 2, remaining: 2 });
    limiter.configure(null);
    expect(limiter.admit()).toBeUndefined();
    expect(limiter.describe()).toBeNull();
  });
});

describe('Rebilly simulator rate limit (contract)', () => {
  const ORG = 'org-rl';
  const KEY = 'sk_sandbox_rl';
  const sim = new RebillySimulator({ organizationId: ORG, apiKey: KEY });
  let url: string;
  const put = (id: string, orderId: string) =>
    fetch(`${url}/organizations/${ORG}/order-cancellations/${id}`, {
      method: 'PUT',
      headers: { 'REB-APIKEY': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ orderId }),
    });
  const get = (orderId: string) =>
    fetch(`${url}/organizations/${ORG}/orders/${orderId}`, { headers: { 'REB-APIKEY': KEY } });
  const setLimit = (rateLimit: unknown) =>
    fetch(`${url}/__sim/state`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rateLimit }),
    });

  beforeAll(async () => {
    url = await sim.start();
  });
  afterAll(() => sim.stop());
  beforeEach(() => {
    sim.reset();
    for (const id of ['o1', 'o2', 'o3', 'o4']) sim.addOrder({ id });
  });

  test('unthrottled by default: the headers show the sandbox limit untouched', async () => {
    const answers = await Promise.all(['o1', 'o2', 'o3', 'o4'].map((o) => put(`c-${o}`, o)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(answers[3]!.headers.get('x-ratelimit-limit')).toBe('3000');
    expect(answers[3]!.headers.get('x-ratelimit-remaining')).toBe('3000');
  });

  test('beyond its limit, a non-GET gets 429 with the documented headers; GETs are not counted', async () => {
    // One token every 10 s: nothing refills while the test runs.
    expect((await setLimit({ perSecond: 0.1, burst: 2 })).status).toBe(200);
    const first = await put('c-1', 'o1');
    expect(first.status).toBe(201);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    for (let i = 0; i < 5; i++) expect((await get('o1')).status).toBe(200);
    expect((await put('c-2', 'o2')).status).toBe(201);

    const before = Math.floor(Date.now() / 1000);
    const refused = await put('c-3', 'o3');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    // A UTC Unix timestamp in seconds, when the next token is there (about 10 s ahead).
    const retryAt = Number(refused.headers.get('x-ratelimit-retry-after'));
    expect(retryAt).toBeGreaterThanOrEqual(before + 9);
    expect(retryAt).toBeLessThanOrEqual(before + 12);
    expect(await refused.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    // Refused, so nothing changed at the provider.
    expect(sim.cancellations.has('c-3')).toBe(false);
    expect((await get('o3')).status).toBe(200);

    const state = (await (await fetch(`${url}/__sim/state`)).json()) as { rateLimit: unknown };
    expect(state.rateLimit).toEqual({ perSecond: 0.1, burst: 2, refused: 1 });
    expect((await setLimit(null)).status).toBe(200);
    expect((await put('c-3', 'o3')).status).toBe(201);
  });

  test('the Rebilly activity reads that 429 as ProviderRateLimited, retried no earlier than the hint', async () => {
    sim.rateLimit.configure({ perSecond: 0.1, burst: 1 });
    expect((await put('c-x', 'o4')).status).toBe(201);
    const acts = createRebillyActivities(
      depsFor({ REBILLY_BASE_URL: url, REBILLY_ORGANIZATION_ID: ORG, REBILLY_API_KEY: KEY }),
    );
    const f = await failureOf(() =>
      acts.submitCancellation({
        requestId: 'rl-1',
        workflowId: 'wf',
        target: { orderId: 'o1' },
        effect: 'now',
        requestedBy: 'system',
      }),
    );
    expect(f.type).toBe('ProviderRateLimited');
    expect(f.nextRetryDelay).toBeGreaterThan(5_000);
  });
});
