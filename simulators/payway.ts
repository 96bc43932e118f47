import { z } from 'zod';
import { Simulator, type SimRequest, type SimResponse } from './framework';
import {
  ACCOUNT_ID,
  INVALID_ID_MESSAGE,
  isResponse,
  jsonParams,
  paywayError,
  stringParam,
} from './payway-requests';
import { PaywayTokens, type PaywayCredentials } from './payway-tokens';
import { nextPeriod } from './periods';

// Plays Payway's (Tulo) account API as documented (shared/seeds/002, shared/PROVIDERS.md): client
// credentials token with scopes, PUT accounts/cancel_product, userproducts and cancellation_reasons
// reads, the reactivate endpoint, and JSON errors `{code, field?, message}`.
// Where the docs are silent the simulator makes an assumption, marked ASSUMPTION below.
// Time is the base clock (now()/setNow): when it passes a product's valid_to, a cancelled product
// is deactivated and an active one renews (valid_to moves a period on). With automation
// 'forgets', the renewal run forgets the cancellation: the product renews and is active again.

export type PaywayState = 'active' | 'cancelled' | 'deactivated';
export interface PaywayUserProduct {
  id: string;
  product_code: string;
  valid_from: string;
  valid_to: string | null;
  provision_service: string;
  subscription_type: string;
  state: PaywayState;
  has_pending_change_request: boolean;
  /** PAP package administration setting; Payway does not show it in userproducts. */
  packageAllowsCancellation: boolean;
}
export interface PaywayAccount {
  id: string;
  userProducts: PaywayUserProduct[];
}
export interface PaywayReason {
  id: string;
  name: string;
  code: string;
  integration_code: string | null;
  visible_to_end_customer: boolean;
  internal: boolean;
}
export interface PaywayCancellation {
  accountId: string;
  userProductId: string;
  /** null: Payway's default reason applied. */
  cancellationReasonId: string | null;
  at: string;
}
export type PaywaySimulatorOptions = PaywayCredentials;

export type UserProductInput = Partial<PaywayUserProduct> & { id: string };
export type ReasonInput = Partial<PaywayReason> & { id: string };

export { INVALID_ID_MESSAGE } from './payway-requests';
const SCOPES = {
  accountRead: '/external/account/r',
  accountWrite: '/external/account/w',
  subscriptionSystemWrite: '/external/subscription_system/w',
};

const SeedSchema = z.object({
  accounts: z
    .array(z.object({ id: z.string(), userProducts: z.array(z.looseObject({ id: z.string() })).default([]) }))
    .default([]),
  reasons: z.array(z.looseObject({ id: z.string() })).default([]),
});

export class PaywaySimulator extends Simulator {
  readonly accounts = new Map<string, PaywayAccount>();
  readonly reasons = new Map<string, PaywayReason>();
  /** Every cancellation applied, in order: a retried request must not add a second one. */
  readonly cancellations: PaywayCancellation[] = [];
  private readonly tokens: PaywayTokens;

  constructor(opts: PaywaySimulatorOptions) {
    super({
      name: 'payway',
      // ASSUMPTION: Payway publishes no rate limits; the usual 429 with Retry-After in seconds.
      rateLimited: (seconds) =>
        paywayError(429, 'rate_limited', 'Rate limit exceeded', undefined, {
          'Retry-After': String(Math.ceil(seconds)),
        }),
      seed: (state) => this.seed(state),
      dumpState: () => this.dumpState(),
      resetState: () => this.resetState(),
      isWrite: (r) =>
        r.method === 'PUT' &&
        (r.path.endsWith('/accounts/cancel_product') ||
          r.path.endsWith('/reactivate_payway_provisioned_subscription')),
    });
    this.tokens = new PaywayTokens(opts, () => this.now());
    this.route('POST', '/api/authorization/access_token', (r) => this.tokens.issue(r));
    this.route('PUT', '/external/api/v1/accounts/cancel_product', (r) =>
      this.authed(r, SCOPES.accountWrite, () => this.cancelProduct(r)),
    );
    this.route('GET', '/external/api/v1/userproducts/:accountId', (r) =>
      this.authed(r, SCOPES.accountRead, () => this.userProducts(r.params.accountId ?? '')),
    );
    this.route('GET', '/external/api/v1/cancellation_reasons', (r) =>
      this.authed(r, SCOPES.accountRead, () => ({
        status: 200,
        body: { items: [...this.reasons.values()] },
      })),
    );
    this.route(
      'PUT',
      '/external/api/v1/subscription_system/reactivate_payway_provisioned_subscription',
      (r) => this.authed(r, SCOPES.subscriptionSystemWrite, () => this.reactivate(r)),
    );
  }

  addAccount(id: string, userProducts: UserProductInput[] = []): PaywayAccount {
    const account = this.accounts.get(id) ?? { id, userProducts: [] };
    this.accounts.set(id, account);
    userProducts.forEach((p) => this.addUserProduct(id, p));
    return account;
  }

  /** Adds (or replaces) a user product; the account is created if needed. Defaults: a cancellable tulo subscription. */
  addUserProduct(accountId: string, product: UserProductInput): PaywayUserProduct {
    const account = this.accounts.get(accountId) ?? this.addAccount(accountId);
    const now = this.now().getTime();
    const full: PaywayUserProduct = {
      product_code: 'digital',
      valid_from: new Date(now - 5 * 86_400_000).toISOString(),
      valid_to: new Date(now + 25 * 86_400_000).toISOString(),
      provision_service: 'tulo',
      subscription_type: 'recurring',
      state: 'active',
      has_pending_change_request: false,
      packageAllowsCancellation: true,
      ...product,
    };
    account.userProducts = [...account.userProducts.filter((p) => p.id !== product.id), full];
    return full;
  }

  addReason(reason: ReasonInput): PaywayReason {
    const full: PaywayReason = {
      name: reason.id,
      code: reason.id,
      integration_code: null,
      visible_to_end_customer: true,
      internal: false,
      ...reason,
    };
    this.reasons.set(full.id, full);
    return full;
  }

  userProduct(accountId: string, userProductId: string): PaywayUserProduct | undefined {
    return this.accounts.get(accountId)?.userProducts.find((p) => p.id === userProductId);
  }

  /** Scopes asked for at the token endpoint, one entry per token issued. */
  get issuedScopes(): string[][] {
    return this.tokens.issuedScopes;
  }

  /** Makes every issued token unknown to the API, as if they had all run out. */
  expireTokens(): void {
    this.tokens.expireAll();
  }

  resetState(): void {
    this.accounts.clear();
    this.reasons.clear();
    this.cancellations.length = 0;
    this.tokens.clear();
  }

  dumpState() {
    this.advance();
    return {
      accounts: [...this.accounts.values()],
      reasons: [...this.reasons.values()],
      cancellations: this.cancellations,
    };
  }

  /** `{accounts: [{id, userProducts: [...]}], reasons: [...]}`, merged into the current state. */
  private seed(state: unknown): void {
    const parsed = SeedSchema.parse(state);
    parsed.accounts.forEach((a) => this.addAccount(a.id, a.userProducts as UserProductInput[]));
    parsed.reasons.forEach((r) => this.addReason(r as ReasonInput));
  }

  /**
   * Does what Payway's renewal run would have done by now() (see the header). Runs before every
   * API request. ASSUMPTION: a renewal run that forgets the cancellation renews the product (active
   * again, valid_to a period on) rather than leaving it cancelled past its valid_to.
   */
  advance(): void {
    const now = this.now().getTime();
    for (const product of [...this.accounts.values()].flatMap((a) => a.userProducts)) {
      if (!product.valid_to || Date.parse(product.valid_to) > now) continue;
      if (product.state === 'cancelled' && this.automation === 'applies') {
        product.state = 'deactivated';
        this.recordChange(product.id, 'deactivated');
      } else if (product.state === 'active' || product.state === 'cancelled') {
        product.state = 'active';
        while (Date.parse(product.valid_to) <= now) product.valid_to = nextPeriod(product.valid_to);
        this.recordChange(product.id, 'renewed');
      }
    }
  }

  private authed(r: SimRequest, scope: string, handler: () => SimResponse): SimResponse {
    const refusal = this.tokens.refusal(r, scope);
    if (refusal) return refusal;
    this.advance();
    return handler();
  }

  private cancelProduct(r: SimRequest): SimResponse {
    const p = jsonParams(r, ['id', 'user_product_id', 'cancellation_reason_id']);
    if (isResponse(p)) return p;
    const id = stringParam(p, 'id', true);
    const userProductId = stringParam(p, 'user_product_id', true);
    const reasonId = stringParam(p, 'cancellation_reason_id', false);
    for (const v of [id, userProductId, reasonId]) if (isResponse(v)) return v;
    const accountId = id as string;
    if (!ACCOUNT_ID.test(accountId)) return paywayError(400, 'invalid_parameter', INVALID_ID_MESSAGE, 'id');
    // ASSUMPTION: an unknown cancellation_reason_id is an invalid_parameter.
    if (typeof reasonId === 'string' && !this.reasons.has(reasonId))
      return paywayError(400, 'invalid_parameter', 'Unknown cancellation reason', 'cancellation_reason_id');

    const account = this.accounts.get(accountId);
    if (!account) return paywayError(404, 'not_found', 'The account could not be found');
    const product = account.userProducts.find((u) => u.id === userProductId);
    if (!product) return paywayError(404, 'not_found', 'The user product could not be found');
    if (product.provision_service !== 'tulo')
      return paywayError(
        409,
        'user_product_not_tulo_provisioned',
        'The user product is not provisioned by Tulo',
      );
    // ASSUMPTION: the codes below. The preconditions are documented, their error answers are not.
    if (!product.packageAllowsCancellation)
      return paywayError(
        409,
        'package_does_not_allow_cancellation',
        'The package does not allow cancellation',
      );
    if (product.subscription_type === 'limited')
      return paywayError(409, 'user_product_not_recurring', 'The user product is not recurring');
    // ASSUMPTION: a second cancel is refused as a state conflict (409), a write but no change.
    if (product.state === 'cancelled')
      return paywayError(409, 'user_product_already_cancelled', 'The user product is already cancelled');
    if (product.state !== 'active')
      return paywayError(409, 'user_product_not_active', `The user product is ${product.state}`);

    product.state = 'cancelled';
    this.recordChange(product.id, 'cancelled');
    this.cancellations.push({
      accountId,
      userProductId: product.id,
      cancellationReasonId: (reasonId as string | undefined) ?? null,
      at: this.now().toISOString(),
    });
    return { status: 200, body: { id: product.id } };
  }

  private userProducts(accountId: string): SimResponse {
    if (!ACCOUNT_ID.test(accountId)) return paywayError(400, 'invalid_parameter', INVALID_ID_MESSAGE, 'id');
    const account = this.accounts.get(accountId);
    if (!account) return paywayError(404, 'not_found', 'The account could not be found');
    const items = account.userProducts.map(({ packageAllowsCancellation: _hidden, ...shown }) => shown);
    return { status: 200, body: { items } };
  }

  private reactivate(r: SimRequest): SimResponse {
    const p = jsonParams(r, ['account_id', 'user_product_id']);
    if (isResponse(p)) return p;
    const accountId = stringParam(p, 'account_id', true);
    const userProductId = stringParam(p, 'user_product_id', true);
    for (const v of [accountId, userProductId]) if (isResponse(v)) return v;
    if (!ACCOUNT_ID.test(accountId as string))
      return paywayError(400, 'invalid_parameter', INVALID_ID_MESSAGE, 'account_id');
    const product = this.userProduct(accountId as string, userProductId as string);
    if (!product) return paywayError(404, 'not_found', 'The user product could not be found');
    // ASSUMPTION: only a cancelled product can come back; a deactivated one has already ended.
    if (product.state !== 'cancelled')
      return paywayError(409, 'user_product_not_cancelled', `The user product is ${product.state}`);
    product.state = 'active';
    this.recordChange(product.id, 'reactivated');
    return { status: 200, body: { id: product.id } };
  }
}
