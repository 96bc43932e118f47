import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { bearerToken, Simulator, type SimRequest, type SimResponse } from './framework';

// Plays Oracle Billing Care REST as documented (shared/seeds/004, shared/PROVIDERS.md) under
// /bcws/webresources/v1.0: optional OAuth (Basic client credentials for a Bearer token), POST
// cancel/bundle answering the bare word `true` (or the doc's `{ true }`), 400 on a null account,
// service or deal id, opaque text error bodies, and purchasedbundles reads that reflect the cancels.

export const BASE_PATH = '/bcws/webresources/v1.0';

export interface BillingCareBundle {
  bundleId: string;
  name: string;
  packageId: number;
  /** When the bundle ends; a cancel sets it to `effective`. Null: open-ended. */
  validTo: string | null;
  service: string | null;
  dealId: string;
  /** 0 not set, 1 active, 2 inactive, 3 canceled. Where BRM reports it is not documented. */
  status: 0 | 1 | 2 | 3;
}

export interface BillingCareCancel {
  accountId: string;
  bundleId: string;
  effective: string;
  description: string | null;
  at: string;
}

export interface BillingCareSimulatorOptions {
  /** Credentials the token endpoint accepts; without them it issues no tokens. */
  clientId?: string;
  clientSecret?: string;
  /** Refuse API calls without a valid Bearer token (test systems accept none). */
  requireToken?: boolean;
  now?: () => Date;
  tokenTtlSeconds?: number;
  /** How the 200 of a cancel is written: the bare word servers send, or the doc's `{ true }`. */
  trueBodyStyle?: 'bare' | 'braced';
}

const BundleSeed = z.object({
  bundleId: z.string().optional(),
  name: z.string().optional(),
  packageId: z.number().int().optional(),
  validTo: z.string().nullable().optional(),
  service: z.string().nullable().optional(),
  dealId: z.string().optional(),
  status: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).optional(),
});
const SeedSchema = z.object({
  accounts: z.array(z.object({ id: z.string(), bundles: z.array(BundleSeed).default([]) })).default([]),
});

const Ref = z.object({ id: z.string().nullish(), uri: z.string().nullish() }).nullish();
const CancelBody = z.object({
  accountRef: Ref,
  serviceRef: Ref,
  dealRef: Ref,
  description: z.string().nullish(),
  effective: z.string().nullish(),
  packageId: z.number().int().nullish(),
});

export class BillingCareSimulator extends Simulator {
  readonly accounts = new Map<string, BillingCareBundle[]>();
  readonly cancels: BillingCareCancel[] = [];
  trueBodyStyle: 'bare' | 'braced';
  private readonly tokens = new Map<string, number>(); // token -> expiry (ms)
  private nextId = 1;

  constructor(private readonly opts: BillingCareSimulatorOptions = {}) {
    super({
      name: 'billing-care',
      // Not documented. 429 with Retry-After (seconds), the way a gateway in front of it throttles.
      rateLimited: (seconds) => ({
        status: 429,
        headers: { 'Retry-After': String(Math.ceil(seconds)) },
        body: 'Too Many Requests',
      }),
      seed: (state) => this.seed(state),
      dumpState: () => ({
        accounts: [...this.accounts].map(([id, bundles]) => ({ id, bundles })),
        cancels: this.cancels,
      }),
      resetState: () => {
        this.accounts.clear();
        this.cancels.length = 0;
        this.tokens.clear();
      },
    });
    this.trueBodyStyle = opts.trueBodyStyle ?? 'bare';
    this.route('GET', `${BASE_PATH}/authentication/queryAccessToken`, (r) => this.issueToken(r));
    this.route('POST', `${BASE_PATH}/subscriptions/cancel/bundle`, (r) =>
      this.authed(r, () => this.cancel(r)),
    );
    this.route('GET', `${BASE_PATH}/subscriptions/purchasedbundles/:accountId`, (r) =>
      this.authed(r, () => {
        const bundles = this.accounts.get(r.params.accountId ?? '');
        if (!bundles) return text(404, `Account ${r.params.accountId} not found`);
        return { status: 200, body: bundles.filter((b) => this.listed(b)) };
      }),
    );
  }

  /** BILLING_CARE_BASE_URL for this simulator. */
  get baseUrl(): string {
    return `${this.url}${BASE_PATH}`;
  }

  addAccount(id: string): void {
    if (!this.accounts.has(id)) this.accounts.set(id, []);
  }

  addBundle(accountId: string, bundle: Partial<BillingCareBundle> = {}): BillingCareBundle {
    this.addAccount(accountId);
    const n = this.nextId++;
    const full: BillingCareBundle = {
      bundleId: `0.0.0.1+-purchased_bundle+${1000 + n}`,
      name: `Bundle ${n}`,
      packageId: n,
      validTo: new Date(this.now().getTime() + 30 * 86_400_000).toISOString(),
      service: `0.0.0.1+-service-email+${175000 + n}`,
      dealId: `0.0.0.1+-deal+${41000 + n}`,
      status: 1,
      ...bundle,
    };
    this.accounts.get(accountId)!.push(full);
    return full;
  }

  /** How many cancels were applied to a bundle: a retry must not make it two. */
  cancelCount(bundleId: string): number {
    return this.cancels.filter((c) => c.bundleId === bundleId).length;
  }

  /** Make every issued token expired, as if an hour had passed (the next API call gets 401). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  private seed(state: unknown): void {
    for (const account of SeedSchema.parse(state).accounts) {
      this.addAccount(account.id);
      account.bundles.forEach((b) => this.addBundle(account.id, b as Partial<BillingCareBundle>));
    }
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** A bundle whose validTo has passed has ended and no longer shows among the purchased bundles. */
  private listed(b: BillingCareBundle): boolean {
    return b.validTo === null || Date.parse(b.validTo) > this.now().getTime();
  }

  private issueToken(r: SimRequest): SimResponse {
    const { clientId, clientSecret } = this.opts;
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (clientId === undefined || clientSecret === undefined || r.headers.authorization !== expected)
      return text(401, 'Unauthorized');
    const token = randomUUID();
    const ttl = this.opts.tokenTtlSeconds ?? 3600;
    this.tokens.set(token, this.now().getTime() + ttl * 1000);
    return {
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: 'bcws' },
    };
  }

  // A token that is presented must be valid even where none is required, as a server with OAuth would.
  private authed(r: SimRequest, handler: () => SimResponse): SimResponse {
    const token = bearerToken(r);
    if (token === undefined && !this.opts.requireToken) return handler();
    const expiry = token === undefined ? undefined : this.tokens.get(token);
    if (expiry === undefined || expiry <= this.now().getTime()) return text(401, 'Unauthorized');
    return handler();
  }

  private cancel(r: SimRequest): SimResponse {
    if (r.contentType.startsWith('application/xml')) return text(415, 'XML is not simulated; send JSON');
    if (!r.contentType.startsWith('application/json')) return text(415, 'Unsupported Media Type');
    const parsed = CancelBody.safeParse(r.body);
    if (!parsed.success) return text(400, 'BAD REQUEST (400): unreadable request body');
    const b = parsed.data;
    const accountId = b.accountRef?.id;
    if (!accountId) return text(400, 'BAD REQUEST (400) on null Account Id');
    if (!b.serviceRef?.id) return text(400, 'BAD REQUEST (400) on null Service Id');
    if (!b.dealRef?.id) return text(400, 'BAD REQUEST (400) on null Deal Id');
    const bundles = this.accounts.get(accountId);
    if (!bundles) return text(400, `BAD REQUEST (400): account ${accountId} not found`);
    const bundle = bundles.find(
      (x) =>
        this.listed(x) &&
        x.service === b.serviceRef?.id &&
        x.dealId === b.dealRef?.id &&
        (b.packageId == null || x.packageId === b.packageId),
    );
    if (!bundle) return text(400, `BAD REQUEST (400): no bundle for deal ${b.dealRef.id} on this service`);
    const effective = b.effective ? new Date(b.effective) : this.now();
    if (Number.isNaN(effective.getTime()))
      return text(400, 'BAD REQUEST (400): effective is not a date-time');

    // Applied again on every POST, so a client that re-posts shows up in cancelCount.
    bundle.status = 3;
    bundle.validTo = effective.toISOString();
    this.cancels.push({
      accountId,
      bundleId: bundle.bundleId,
      effective: bundle.validTo,
      description: b.description ?? null,
      at: this.now().toISOString(),
    });
    // Labelled JSON, as a JAX-RS resource producing application/json would, although neither form is.
    return {
      status: 200,
      contentType: 'application/json',
      body: this.trueBodyStyle === 'braced' ? '{\n  true\n}' : 'true',
    };
  }
}

function text(status: number, body: string): SimResponse {
  return { status, body, contentType: 'text/plain' };
}
