import { performance } from 'node:perf_hooks';
import { z } from 'zod';

// A provider's own throttle, for simulators that play one (Rebilly: non-GET requests). Off unless
// configured, so the other tests and the bench see no limit they did not ask for.

/**
 * A token bucket: `perSecond` requests a second in the long run, at most `burst` at once (default:
 * one second's worth, rounded up, the shape of Temporal's own task-queue limiter). Rebilly documents
 * 3,000 per 10 minutes; `{perSecond: 5, burst: 3000}` has the same long-run rate.
 */
export const RateLimitSchema = z.strictObject({
  perSecond: z.number().positive(),
  burst: z.number().int().positive().optional(),
});
export type RateLimitSettings = z.input<typeof RateLimitSchema>;

/**
 * How many activity tasks Temporal's task-queue limit lets through at once at `rate`: the server
 * splits the rate over the queue's partitions (4 by default), each a token bucket holding
 * max(ceil(rate / partitions), 1) (Temporal Server 1.29, service/matching/ratelimit_manager.go).
 * A provider throttle at the same rate must allow this burst to see no 429.
 */
export function temporalQueueBurst(rate: number, partitions = 4): number {
  return partitions * Math.max(Math.ceil(rate / partitions), 1);
}

/**
 * The bucket a throttle at `rate` needs so that Temporal's limit at the same rate never trips it:
 * Temporal's burst, plus one second of the rate for a worker that is late (a busy CPU, a GC pause)
 * to send what it was handed, so that its calls arrive bunched with the next ones.
 */
export function burstToleratingTemporal(rate: number): number {
  return temporalQueueBurst(rate) + Math.ceil(rate);
}

export type Admission =
  | { admitted: true; limit: number; remaining: number }
  | { admitted: false; limit: number; retryAfterSeconds: number };

export class RateLimiter {
  private settings?: { perSecond: number; burst: number };
  private tokens = 0;
  private refilledAt = 0;
  /** Requests refused since the limit was last set. */
  refused = 0;

  /** `clock` in milliseconds, monotonic: moving a simulator's business clock refills nothing. */
  constructor(
    settings?: RateLimitSettings | null,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.configure(settings ?? null);
  }

  /** Sets the limit (null: none), with a full bucket. */
  configure(settings: RateLimitSettings | null): void {
    const s = settings === null ? undefined : RateLimitSchema.parse(settings);
    this.settings = s && { perSecond: s.perSecond, burst: s.burst ?? Math.ceil(s.perSecond) };
    this.tokens = this.settings?.burst ?? 0;
    this.refilledAt = this.clock();
    this.refused = 0;
  }

  /** Applies `rateLimit` of a POST /__sim/state body, when it has one (null: no limit). */
  configureFrom(state: unknown): void {
    const parsed = z.object({ rateLimit: RateLimitSchema.nullable().optional() }).parse(state ?? {});
    if (parsed.rateLimit !== undefined) this.configure(parsed.rateLimit);
  }

  /** Takes a token for a request that counts; undefined when there is no limit. */
  admit(): Admission | undefined {
    const s = this.settings;
    if (!s) return undefined;
    this.refill(s);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { admitted: true, limit: s.burst, remaining: Math.floor(this.tokens) };
    }
    this.refused += 1;
    return { admitted: false, limit: s.burst, retryAfterSeconds: (1 - this.tokens) / s.perSecond };
  }

  /** The limit and what is left of it now (for the provider's headers); undefined when none. */
  quota(): { limit: number; remaining: number } | undefined {
    const s = this.settings;
    return s && (this.refill(s), { limit: s.burst, remaining: Math.floor(this.tokens) });
  }

  /** What GET /__sim/state shows. */
  describe() {
    return this.settings ? { ...this.settings, refused: this.refused } : null;
  }

  private refill(s: { perSecond: number; burst: number }): void {
    const now = this.clock();
    this.tokens = Math.min(s.burst, this.tokens + ((now - this.refilledAt) / 1000) * s.perSecond);
    this.refilledAt = now;
  }
}
