import { z } from 'zod';
import { nextPeriod } from './periods';
import { Simulator, type SimRequest, type SimResponse } from './framework';
import { RateLimiter, type RateLimitSettings } from './rate-limit';
import { invalidFieldsOf, PutBody, rebillyProblem, type InvalidField } from './rebilly-requests';

// Plays Rebilly's order-cancellation API as documented (shared/seeds/003, shared/PROVIDERS.md):
// REB-APIKEY auth, PUT upsert (201 created with Location / 200 updated), RFC 7807 problems with
// invalidFields on 422, rate-limit headers, X-RateLimit-Retry-After as a Unix timestamp.
// Time is the base clock (now()/setNow): a confirmed cancellation whose churnTime has passed is
// completed and its order churned, unless the automation 'forgets'. Where the docs are silent the
// simulator makes an assumption, marked ASSUMPTION below.

export interface RebillyOrder {
  id: string;
  status: string;
  renewalTime: string | null;
  churnTime: string | null;
  canceledBy: string | null;
}
export interface RebillyCancellation {
  id: string;
  orderId: string;
  status: 'draft' | 'confirmed' | 'completed' | 'revoked';
  churnTimePolicy: 'now' | 'at-next-renewal' | null;
  churnTime: string | null;
  canceledBy: string;
  reason: string;
  prorated: boolean;
  description: string | null;
  canceledTime: string | null;
  createdTime: string;
  updatedTime: string;
}
export interface RebillySimulatorOptions {
  organizationId: string;
  apiKey: string;
  /** Throttles non-GET requests (simulators/rate-limit.ts); also set by POST /__sim/state {rateLimit}. */
  rateLimit?: RateLimitSettings;
}
const ENDED = new Set(['canceled', 'churned']);

export class RebillySimulator extends Simulator {
  readonly orders = new Map<string, RebillyOrder>();
  readonly cancellations = new Map<string, RebillyCancellation>();
  readonly rateLimit = new RateLimiter();

  constructor(private readonly opts: RebillySimulatorOptions) {
    super({
      name: 'rebilly',
      rateLimited: (seconds) =>
        rebillyProblem(429, 'Too Many Requests', 'Rate limit exceeded.', {
          'X-RateLimit-Retry-After': String(Math.floor(this.now().getTime() / 1000) + Math.ceil(seconds)),
          'X-RateLimit-Limit': String(this.rateLimit.quota()?.limit ?? 3000),
          'X-RateLimit-Remaining': '0',
        }),
      seed: (state) => this.seed(state),
      dumpState: () => this.dumpState(),
      resetState: () => {
        this.orders.clear();
        this.cancellations.clear();
        this.rateLimit.configure(opts.rateLimit ?? null);
      },
      isWrite: (r) => r.method === 'PUT' && r.path.includes('/order-cancellations/'),
    });
    this.rateLimit.configure(opts.rateLimit ?? null);
    const base = `/organizations/:org`;
    this.route('PUT', `${base}/order-cancellations/:id`, (r) => this.authed(r, () => this.upsert(r)));
    this.route('GET', `${base}/order-cancellations/:id`, (r) =>
      this.authed(r, () => {
        const c = this.cancellations.get(r.params.id ?? '');
        return c
          ? this.ok(200, c)
          : rebillyProblem(404, 'Not Found', `OrderCancellation ${r.params.id} not found`);
      }),
    );
    this.route('GET', `${base}/orders/:id`, (r) =>
      this.authed(r, () => {
        const o = this.orders.get(r.params.id ?? '');
        return o ? this.ok(200, o) : rebillyProblem(404, 'Not Found', `Order ${r.params.id} not found`);
      }),
    );
  }

  addOrder(order: Partial<RebillyOrder> & { id: string }): void {
    this.orders.set(order.id, {
      status: 'active',
      renewalTime: new Date(this.now().getTime() + 30 * 86_400_000).toISOString(),
      churnTime: null,
      canceledBy: null,
      ...order,
    });
  }

  /**
   * Does what Rebilly's back office would have done by now(): completes cancellations whose
   * churnTime has passed, churning their orders (unless the automation forgets), and renews active
   * orders whose renewalTime has passed. Runs before every API request.
   * ASSUMPTION: a back office that forgets leaves the cancellation `confirmed` and renews the
   * order as if nothing were due.
   */
  advance(): void {
    const now = this.now().getTime();
    if (this.automation === 'applies') {
      for (const c of this.cancellations.values()) {
        if (c.status !== 'confirmed' || !c.churnTime || Date.parse(c.churnTime) > now) continue;
        c.status = 'completed';
        const order = this.orders.get(c.orderId);
        if (order && !ENDED.has(order.status)) {
          order.status = 'churned';
          this.recordChange(order.id, 'churned');
        }
      }
    }
    for (const order of this.orders.values()) {
      if (order.status !== 'active' || !order.renewalTime || Date.parse(order.renewalTime) > now) continue;
      while (Date.parse(order.renewalTime) <= now) order.renewalTime = nextPeriod(order.renewalTime);
      this.recordChange(order.id, 'renewed');
    }
  }

  dumpState() {
    this.advance();
    const rateLimit = this.rateLimit.describe();
    return { orders: [...this.orders.values()], cancellations: [...this.cancellations.values()], rateLimit };
  }

  private seed(state: unknown): void {
    const parsed = z.object({ orders: z.array(z.looseObject({ id: z.string() })).default([]) }).parse(state);
    this.rateLimit.configureFrom(state);
    parsed.orders.forEach((o) => this.addOrder(o as Partial<RebillyOrder> & { id: string }));
  }

  private ok(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
    // Unthrottled, it shows the sandbox's documented limit untouched.
    const q = this.rateLimit.quota() ?? { limit: 3000, remaining: 3000 };
    const quota = { 'X-RateLimit-Limit': String(q.limit), 'X-RateLimit-Remaining': String(q.remaining) };
    return { status, body, headers: { ...quota, ...headers } };
  }

  private invalid(invalidFields: InvalidField[]): SimResponse {
    return rebillyProblem(422, 'Invalid data', 'The request contains invalid data.', {}, { invalidFields });
  }

  private authed(r: SimRequest, handler: () => SimResponse): SimResponse {
    const key = r.headers['reb-apikey'];
    if (!key || key !== this.opts.apiKey)
      return rebillyProblem(401, 'Unauthorized', 'Invalid or missing API key.');
    if (r.params.org !== this.opts.organizationId)
      return rebillyProblem(403, 'Forbidden', 'Access to this organization is not allowed.');
    const admission = r.method === 'GET' ? undefined : this.rateLimit.admit();
    if (admission?.admitted === false) return this.options.rateLimited(admission.retryAfterSeconds);
    this.advance();
    return handler();
  }

  private upsert(r: SimRequest): SimResponse {
    const id = r.params.id ?? '';
    // ASSUMPTION: another media type is refused with 415 (the docs require application/json).
    if (!r.contentType.startsWith('application/json'))
      return rebillyProblem(415, 'Unsupported Media Type', 'Content-Type must be application/json.');
    const problems = invalidFieldsOf(id, r.body);
    if (problems.length) return this.invalid(problems);
    const b = PutBody.parse(r.body);
    const order = this.orders.get(b.orderId);
    if (!order) return this.invalid([{ field: 'orderId', message: 'Order not found.' }]);
    const existing = this.cancellations.get(id);
    // ASSUMPTION: the refusals below are undocumented; Rebilly's 422 is the closest documented answer.
    if (existing && existing.orderId !== b.orderId)
      return this.invalid([{ field: 'orderId', message: 'The cancellation belongs to another order.' }]);
    if (!existing && (ENDED.has(order.status) || order.churnTime))
      return this.invalid([{ field: 'orderId', message: 'Order is already canceled.' }]);
    if (existing?.status === 'completed') {
      // ASSUMPTION: completed is final; the same request again is absorbed (a write, not a change).
      if (b.status !== 'confirmed')
        return this.invalid([{ field: 'status', message: 'A completed cancellation cannot be changed.' }]);
      return this.ok(200, existing);
    }
    if (b.churnTimePolicy === 'at-next-renewal' && !order.renewalTime)
      return this.invalid([{ field: 'churnTimePolicy', message: 'The order has no renewal time.' }]);

    const now = this.now().toISOString();
    const policy = b.churnTimePolicy ?? null;
    // churnTimePolicy wins over churnTime; both absent means now. Repeating the request keeps it.
    const churnTime =
      existing && existing.status === b.status && policy !== null && existing.churnTimePolicy === policy
        ? existing.churnTime
        : policy === 'at-next-renewal'
          ? order.renewalTime
          : policy === 'now' || !b.churnTime
            ? now
            : b.churnTime;
    const c: RebillyCancellation = {
      id,
      orderId: b.orderId,
      status: b.status,
      churnTimePolicy: policy,
      churnTime,
      canceledBy: b.canceledBy,
      reason: b.reason,
      prorated: b.prorated,
      description: b.description ?? null,
      canceledTime: b.status === 'confirmed' ? (existing?.canceledTime ?? now) : null,
      createdTime: existing?.createdTime ?? now,
      updatedTime: now,
    };
    this.cancellations.set(id, c);
    this.applyToOrder(order, c, existing?.status);
    return existing
      ? this.ok(200, c)
      : this.ok(201, c, { Location: `/organizations/${this.opts.organizationId}/order-cancellations/${id}` });
  }

  /** The order side of an upsert; records a change only when the order's state really moved. */
  private applyToOrder(order: RebillyOrder, c: RebillyCancellation, was?: RebillyCancellation['status']) {
    const before = { status: order.status, churnTime: order.churnTime };
    if (c.status === 'confirmed') {
      // ASSUMPTION: a churnTime already reached (policy `now`) ends the order at once as
      // `canceled`; one reached later by the back office ends it as `churned` (see advance()).
      order.churnTime = c.churnTime;
      order.canceledBy = c.canceledBy;
      if (c.churnTime && Date.parse(c.churnTime) <= this.now().getTime()) order.status = 'canceled';
    } else if (c.status === 'revoked' && was === 'confirmed') {
      order.churnTime = null;
      order.canceledBy = null;
    }
    if (order.status !== before.status) this.recordChange(order.id, order.status);
    else if (order.churnTime !== before.churnTime)
      this.recordChange(order.id, order.churnTime ? 'scheduled-to-end' : 'revoked');
  }
}
