import { z } from 'zod';
import { Simulator, type SimRequest, type SimResponse } from './framework';

// Plays Rebilly's order-cancellation API as documented (shared/seeds/003, shared/PROVIDERS.md):
// REB-APIKEY auth, PUT upsert (201 created with Location / 200 updated), RFC 7807 problems with
// invalidFields on 422, rate-limit headers, X-RateLimit-Retry-After as a Unix timestamp.

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
  now?: () => Date;
}

const ID = /^[@~\-.\w]+$/;
const PutBody = z.object({
  orderId: z.string({ error: 'This value should not be blank.' }).min(1, 'This value should not be blank.'),
  churnTimePolicy: z.enum(['now', 'at-next-renewal']).nullish(),
  churnTime: z.string().nullish(),
  canceledBy: z.enum(['merchant', 'customer', 'rebilly']).default('customer'),
  reason: z
    .enum([
      'did-not-use',
      'did-not-want',
      'missing-features',
      'bugs-or-problems',
      'do-not-remember',
      'risk-warning',
      'contract-expired',
      'too-expensive',
      'other',
      'billing-failure',
    ])
    .default('other'),
  status: z.enum(['draft', 'confirmed', 'revoked']).default('confirmed'),
  prorated: z.boolean().default(false),
  description: z.string().max(255).nullish(),
});

export class RebillySimulator extends Simulator {
  readonly orders = new Map<string, RebillyOrder>();
  readonly cancellations = new Map<string, RebillyCancellation>();
  private remaining = 3000;

  constructor(private readonly opts: RebillySimulatorOptions) {
    super({
      name: 'rebilly',
      rateLimited: (seconds) =>
        this.problem(429, 'Too Many Requests', 'Rate limit exceeded.', {
          'X-RateLimit-Retry-After': String(Math.floor(this.now().getTime() / 1000) + Math.ceil(seconds)),
          'X-RateLimit-Remaining': '0',
        }),
      seed: (state) => this.seed(state),
      dumpState: () => ({
        orders: [...this.orders.values()],
        cancellations: [...this.cancellations.values()],
      }),
      resetState: () => {
        this.orders.clear();
        this.cancellations.clear();
      },
    });
    const base = `/organizations/:org`;
    this.route('PUT', `${base}/order-cancellations/:id`, (r) => this.authed(r, () => this.upsert(r)));
    this.route('GET', `${base}/order-cancellations/:id`, (r) =>
      this.authed(r, () => {
        const c = this.cancellations.get(r.params.id ?? '');
        return c
          ? this.ok(200, c)
          : this.problem(404, 'Not Found', `OrderCancellation ${r.params.id} not found`);
      }),
    );
    this.route('GET', `${base}/orders/:id`, (r) =>
      this.authed(r, () => {
        const o = this.orders.get(r.params.id ?? '');
        return o ? this.ok(200, o) : this.problem(404, 'Not Found', `Order ${r.params.id} not found`);
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

  private seed(state: unknown): void {
    const parsed = z.object({ orders: z.array(z.looseObject({ id: z.string() })).default([]) }).parse(state);
    parsed.orders.forEach((o) => this.addOrder(o as Partial<RebillyOrder> & { id: string }));
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private ok(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
    this.remaining = Math.max(0, this.remaining - 1);
    return {
      status,
      body,
      headers: { 'X-RateLimit-Limit': '3000', 'X-RateLimit-Remaining': String(this.remaining), ...headers },
    };
  }

  private problem(
    status: number,
    title: string,
    detail: string,
    headers: Record<string, string> = {},
    extra = {},
  ) {
    return {
      status,
      contentType: 'application/problem+json',
      headers,
      body: {
        type: `https://api.rebilly.com/errors/${status}`,
        title,
        status,
        detail,
        instance: '',
        ...extra,
      },
    } satisfies SimResponse;
  }

  private authed(r: SimRequest, handler: () => SimResponse): SimResponse {
    const key = r.headers['reb-apikey'];
    if (!key || key !== this.opts.apiKey)
      return this.problem(401, 'Unauthorized', 'Invalid or missing API key.');
    if (r.params.org !== this.opts.organizationId)
      return this.problem(403, 'Forbidden', 'Access to this organization is not allowed.');
    return handler();
  }

  private upsert(r: SimRequest): SimResponse {
    const id = r.params.id ?? '';
    if (!r.contentType.startsWith('application/json'))
      return this.problem(415, 'Unsupported Media Type', 'Content-Type must be application/json.');
    const invalid = (field: string, message: string) =>
      this.problem(
        422,
        'Invalid data',
        'The request contains invalid data.',
        {},
        { invalidFields: [{ field, message }] },
      );
    if (id.length > 50 || !ID.test(id)) return invalid('id', 'This value is not valid.');
    const parsed = PutBody.safeParse(r.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return invalid(String(issue?.path[0] ?? 'body'), issue?.message ?? 'This value is not valid.');
    }
    const b = parsed.data;
    const order = this.orders.get(b.orderId);
    if (!order) return invalid('orderId', 'Order not found.');
    const existing = this.cancellations.get(id);
    if (!existing && (order.status === 'canceled' || order.status === 'churned' || order.churnTime))
      return invalid('orderId', 'Order is already canceled.');

    const now = this.now().toISOString();
    // churnTimePolicy wins over churnTime; both absent means now.
    const churnTime =
      b.churnTimePolicy === 'at-next-renewal'
        ? order.renewalTime
        : b.churnTimePolicy === 'now' || !b.churnTime
          ? now
          : b.churnTime;
    const c: RebillyCancellation = {
      id,
      orderId: b.orderId,
      status: b.status,
      churnTimePolicy: b.churnTimePolicy ?? null,
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
    if (c.status === 'confirmed') {
      order.churnTime = churnTime;
      order.canceledBy = c.canceledBy;
      if (churnTime && Date.parse(churnTime) <= this.now().getTime()) order.status = 'canceled';
    } else if (c.status === 'revoked') {
      order.churnTime = null;
      order.canceledBy = null;
      order.status = 'active';
    }
    return existing
      ? this.ok(200, c)
      : this.ok(201, c, { Location: `/organizations/${this.opts.organizationId}/order-cancellations/${id}` });
  }
}
