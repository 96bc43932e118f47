import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { nextPeriod } from './periods';
import { bearerToken, Simulator, type SimRequest, type SimResponse } from './framework';

// Plays Oracle Billing Care REST as documented (shared/seeds/004, shared/PROVIDERS.md) under
// /bcws/webresources/v1.0: optional OAuth (Basic client credentials for a Bearer token), POST
// cancel/bundle answering the bare word `true` (or the doc's `{ true }`), 400 on a null account,
// service or deal id, opaque text error bodies, and purchasedbundles reads that list only the
// documented bundle fields and reflect the cancels on the provider's clock (base `now()`).

export const BASE_PATH = '/bcws/webresources/v1.0';
const CANCEL_PATH = `${BASE_PATH}/subscriptions/cancel/bundle`;

/** What purchasedbundles answers for a bundle: the documented fields, nothing else. */
export interface ListedBundle {
  bundleId: string;
  name: string;
  packageId: number;
  /** When the bundle ends; a cancel sets it to `effective`. Null: open-ended. */
  validTo: string | null;
  service: string | null;
}

export interface BillingCareBundle extends ListedBundle {
  /** The deal the bundle was bought through: the cancel names it, the read does not show it. */
  dealId: string;
  /** The cancel Billing Care recorded, and the validTo it replaced. */
  cancel?: { effective: string; previousValidTo: string | null };
  /** Set by the back office once validTo passed: the bundle no longer shows at all. */
  ended?: boolean;
}

export interface BillingCareSimulatorOptions {
  /** Credentials the token endpoint accepts; without them it issues no tokens. */
  clientId?: string;
  clientSecret?: string;
  /** Refuse API calls without a valid Bearer token (test systems accept none). */
  requireToken?: boolean;
  tokenTtlSeconds?: number;
  /** How the 200 of a cancel is written: the bare word servers send, or the doc's `{ true }`. */
  trueBodyStyle?: 'bare' | 'braced';
  /**
   * How long after a bundle's validTo the back office acts on it (ends it, or forgets to). Default 0,
   * as PROVIDERS.md assumes ("drops out of the list once that date has passed"); a lag leaves a
   * just-cancelled bundle listed with its passed validTo for a while, as a nightly run would.
   */
  backOfficeLagMs?: number;
}

const BundleSeed = z.object({
  bundleId: z.string().optional(),
  name: z.string().optional(),
  packageId: z.number().int().optional(),
  validTo: z.string().nullable().optional(),
  service: z.string().nullable().optional(),
  dealId: z.string().optional(),
});
const SeedSchema = z.object({
  accounts: z.array(z.object({ id: z.string(), bundles: z.array(BundleSeed).default([]) })).default([]),
});

// ResourceRef: `id` is the one required field, so a ref without it is a null id (400 below).
const Ref = z.strictObject({ id: z.string().nullish(), uri: z.string().nullish() }).nullish();
const INT32 = z.number().int().min(-2_147_483_648).max(2_147_483_647);
// ASSUMPTION: a property outside the documented schema is refused with 400, as a JAX-RS resource
// bound with Jackson's default FAIL_ON_UNKNOWN_PROPERTIES would; so is an `effective` that is not an
// RFC 3339 date-time with an offset, or a number outside int32. The doc is silent on both.
const CancelBody = z.strictObject({
  accountRef: Ref,
  serviceRef: Ref,
  dealRef: Ref,
  description: z.string().nullish(),
  effective: z.iso.datetime({ offset: true }).nullish(),
  extension: z.record(z.string(), z.unknown()).nullish(),
  flag: INT32.nullish(),
  packageId: INT32.nullish(),
});

export class BillingCareSimulator extends Simulator {
  readonly accounts = new Map<string, BillingCareBundle[]>();
  trueBodyStyle: 'bare' | 'braced';
  /** How a throttled answer writes Retry-After (not documented; a gateway may send either form). */
  retryAfterForm: 'seconds' | 'http-date' = 'seconds';
  /** See BillingCareSimulatorOptions.backOfficeLagMs. */
  backOfficeLagMs: number;
  private readonly tokens = new Map<string, number>(); // token -> expiry (ms)
  private nextId = 1;

  constructor(private readonly opts: BillingCareSimulatorOptions = {}) {
    super({
      name: 'billing-care',
      // Not documented. 429 with Retry-After, the way a gateway in front of it throttles.
      rateLimited: (seconds) => ({
        status: 429,
        headers: {
          'Retry-After':
            this.retryAfterForm === 'http-date'
              ? new Date(this.now().getTime() + seconds * 1000).toUTCString()
              : String(Math.ceil(seconds)),
        },
        body: 'Too Many Requests',
      }),
      seed: (state) => this.seed(state),
      dumpState: () => {
        this.advance();
        return { accounts: [...this.accounts].map(([id, bundles]) => ({ id, bundles })) };
      },
      resetState: () => {
        this.accounts.clear();
        this.tokens.clear();
        this.trueBodyStyle = this.opts.trueBodyStyle ?? 'bare';
        this.retryAfterForm = 'seconds';
        this.backOfficeLagMs = this.opts.backOfficeLagMs ?? 0;
      },
      // Only the cancel asks Billing Care to change something; reads and token calls do not.
      isWrite: (r) => r.method === 'POST' && r.path === CANCEL_PATH,
    });
    this.trueBodyStyle = opts.trueBodyStyle ?? 'bare';
    this.backOfficeLagMs = opts.backOfficeLagMs ?? 0;
    this.route('GET', `${BASE_PATH}/authentication/queryAccessToken`, (r) => this.issueToken(r));
    this.route('POST', CANCEL_PATH, (r) => this.authed(r, () => this.cancel(r)));
    this.route('GET', `${BASE_PATH}/subscriptions/purchasedbundles/:accountId`, (r) =>
      this.authed(r, () => {
        const bundles = this.accounts.get(r.params.accountId ?? '');
        // ASSUMPTION: an unknown account in the path is 404 (not documented; the adapter treats it as final).
        if (!bundles) return text(404, `Account ${r.params.accountId} not found`);
        return { status: 200, body: bundles.filter((b) => !b.ended).map((b) => this.shown(b)) };
      }),
    );
  }

  /** BILLING_CARE_BASE_URL for this simulator. */
  get baseUrl(): string {
    return `${this.url}${BASE_PATH}`;
  }

  /** Moving the provider clock lets the back office catch up at once (see advance). */
  override setNow(at: Date | string | number): void {
    super.setNow(at);
    this.advance();
  }

  addAccount(id: string): void {
    if (!this.accounts.has(id)) this.accounts.set(id, []);
  }

  addBundle(
    accountId: string,
    bundle: Partial<Omit<BillingCareBundle, 'cancel' | 'ended'>> = {},
  ): BillingCareBundle {
    this.addAccount(accountId);
    const n = this.nextId++;
    const full: BillingCareBundle = {
      bundleId: `0.0.0.1+-purchased_bundle+${1000 + n}`,
      name: `Bundle ${n}`,
      packageId: n,
      validTo: new Date(this.now().getTime() + 30 * 86_400_000).toISOString(),
      service: `0.0.0.1+-service-email+${175000 + n}`,
      dealId: `0.0.0.1+-deal+${41000 + n}`,
      ...bundle,
    };
    this.accounts.get(accountId)!.push(full);
    return full;
  }

  /** Make every issued token expired, as if an hour had passed (the next API call gets 401). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  private seed(state: unknown): void {
    for (const account of SeedSchema.parse(state).accounts) {
      this.addAccount(account.id);
      account.bundles.forEach((b) => this.addBundle(account.id, b));
    }
  }

  /**
   * The back office, run before every request. A bundle whose validTo has passed ends and leaves
   * purchasedbundles when it was cancelled; otherwise it renews for another period. A back office
   * that forgets treats a cancelled bundle like any other: it renews, and the cancel is lost.
   */
  private advance(): void {
    for (const b of [...this.accounts.values()].flat()) {
      if (b.ended || !this.due(b.validTo)) continue;
      if (b.cancel && this.automation !== 'forgets') {
        b.ended = true;
        this.recordChange(b.bundleId, 'ended');
        continue;
      }
      // ASSUMPTION (simulator only): a bundle's validTo is its billing period end, and a bundle
      // nobody cancelled renews monthly (UTC); purchasedbundles then shows the next period's end.
      while (this.due(b.validTo)) b.validTo = nextPeriod(b.validTo!);
      delete b.cancel;
      this.recordChange(b.bundleId, 'renewed');
    }
  }

  private shown(b: BillingCareBundle): ListedBundle {
    return {
      bundleId: b.bundleId,
      name: b.name,
      packageId: b.packageId,
      validTo: b.validTo,
      service: b.service,
    };
  }

  /** Whether the back office's run for this date has come. */
  private due(date: string | null): boolean {
    return date !== null && Date.parse(date) + this.backOfficeLagMs <= this.now().getTime();
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
    this.advance();
    const token = bearerToken(r);
    if (token === undefined && !this.opts.requireToken) return handler();
    const expiry = token === undefined ? undefined : this.tokens.get(token);
    if (expiry === undefined || expiry <= this.now().getTime()) return text(401, 'Unauthorized');
    return handler();
  }

  private cancel(r: SimRequest): SimResponse {
    if (r.contentType.startsWith('application/xml')) return text(415, 'XML is not simulated; send JSON');
    if (!r.contentType.startsWith('application/json')) return text(415, 'Unsupported Media Type');
    // The framework leaves a body that is not JSON undefined. ASSUMPTION: 400, as JAX-RS answers
    // an unreadable entity; the text is opaque like every documented error.
    const parsed = CancelBody.safeParse(r.body);
    if (!parsed.success) return text(400, 'Bad Request');
    const b = parsed.data;
    const accountId = b.accountRef?.id;
    if (!accountId) return text(400, 'BAD REQUEST (400) on null Account Id');
    if (!b.serviceRef?.id) return text(400, 'BAD REQUEST (400) on null Service Id');
    if (!b.dealRef?.id) return text(400, 'BAD REQUEST (400) on null Deal Id');
    // ASSUMPTION: ids that name no live bundle fail inside BRM's opcode, which Billing Care reports
    // as its documented generic error: 500 with an opaque body (no 404 is documented for this call).
    const bundle = this.accounts
      .get(accountId)
      ?.find(
        (x) =>
          !x.ended &&
          x.service === b.serviceRef?.id &&
          x.dealId === b.dealRef?.id &&
          (b.packageId == null || x.packageId === b.packageId),
      );
    if (!bundle) return text(500, 'Internal Server Error');
    const effective = (b.effective ? new Date(b.effective) : this.now()).toISOString();

    // ASSUMPTION: the same cancel again (same bundle, same effective) is absorbed: `true`, no change.
    if (bundle.cancel?.effective !== effective) {
      bundle.cancel = { effective, previousValidTo: bundle.cancel?.previousValidTo ?? bundle.validTo };
      bundle.validTo = effective;
      const future = Date.parse(effective) > this.now().getTime();
      this.recordChange(bundle.bundleId, future ? 'scheduled-to-end' : 'cancelled');
    }
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
