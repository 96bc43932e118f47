import { z } from 'zod';
import { providers, type Provider } from './request';

// How fast each provider may be called, across every worker: CANCELLATIONS_RATE_LIMITS, e.g.
// `rebilly=5,payway=10`, over the defaults below. Temporal enforces it per provider task queue
// (common/task-queue.ts); what one unit of it is, is explained in docs/rate-limits.md.

export const RATE_LIMITS_VARIABLE = 'CANCELLATIONS_RATE_LIMITS';

/** Provider activity starts per second, across all workers, for each provider. */
export type RateLimits = Readonly<Record<Provider, number>>;

/**
 * Used for a provider the variable does not name. Only Rebilly documents a limit; the others are
 * choices, kept low because an organization's quota is shared with whatever else uses its keys.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  // Documented: 3,000 non-GET requests per 10 minutes per organization (sandbox) = 5/s.
  rebilly: 5,
  // Undocumented. Keliweb's API is Laravel (Passport tokens), whose stock API throttle is 60 a
  // minute per client: 1/s is the inference.
  keliweb: 1,
  // Undocumented: 5/s, the same order as the one documented limit.
  payway: 5,
  // Undocumented, and usually the operator's own BRM: 5/s; raise it where the BRM team agrees.
  'billing-care': 5,
};

export class RateLimitsConfigError extends Error {
  override readonly name = 'RateLimitsConfigError';
}

const EntrySchema = z.object({
  provider: z.enum(providers, {
    error: (issue) => `unknown provider "${String(issue.input)}" (one of ${providers.join(', ')})`,
  }),
  rate: z.coerce
    .number({ error: 'the rate must be a number' })
    .positive('the rate must be a number above 0')
    .max(10_000, 'the rate must be at most 10000 a second'),
});

/** Parses `provider=rate,...` over the defaults; every mistake names the variable and the entry. */
export function parseRateLimits(raw: string | undefined, variable = RATE_LIMITS_VARIABLE): RateLimits {
  const limits: Record<Provider, number> = { ...DEFAULT_RATE_LIMITS };
  const named = new Set<Provider>();
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const fail = (why: string) =>
      new RateLimitsConfigError(`${variable}: "${entry}": ${why} (expected e.g. rebilly=5,payway=10)`);
    const parts = entry.split('=').map((p) => p.trim());
    if (parts.length !== 2 || !parts[1]) throw fail('expected provider=rate');
    const parsed = EntrySchema.safeParse({ provider: parts[0], rate: parts[1] });
    if (!parsed.success) throw fail(parsed.error.issues.map((i) => i.message).join('; '));
    const { provider, rate } = parsed.data;
    if (named.has(provider)) throw fail(`${provider} is listed twice`);
    named.add(provider);
    limits[provider] = rate;
  }
  return limits;
}

/** The rates an environment asks for (workers pass process.env; common/ code never reads it). */
export function rateLimitsFromEnv(env: Readonly<Record<string, string | undefined>>): RateLimits {
  return parseRateLimits(env[RATE_LIMITS_VARIABLE]);
}
