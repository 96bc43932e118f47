import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { bearerToken, Simulator, type SimRequest, type SimResponse } from './framework';

// Plays the Keliweb API v2 as documented (shared/seeds/000, 001, shared/PROVIDERS.md): a Laravel
// app with Passport OAuth in front of WHMCS. WHMCS semantics show through: HTTP 200 with
// `result: error`, ids and totals as strings, lists flattened into `addons[addon][0][field]` keys.

export type KeliwebServiceStatus =
  'Pending' | 'Active' | 'Completed' | 'Suspended' | 'Terminated' | 'Cancelled' | 'Fraud';
export type KeliwebCancelType = 'Immediate' | 'End of Billing Period';

export interface KeliwebService {
  id: number;
  userid: number;
  name: string;
  domain: string;
  status: KeliwebServiceStatus;
  billingcycle: string;
  /** YYYY-MM-DD, or `0000-00-00` for services without one (free, one-time). */
  nextduedate: string;
  regdate: string;
  recurringamount: string;
  paymentmethod: string;
}
export interface KeliwebAddonRecord {
  id: number;
  userid: number;
  orderid: number;
  serviceid: number;
  addonid: number;
  name: string;
  setupfee: string;
  recurring: string;
  billingcycle: string;
  tax: string;
  status: string;
  regdate: string;
  nextduedate: string;
  nextinvoicedate: string;
  paymentmethod: string;
  notes: string;
}
export interface KeliwebCancelRequest {
  serviceid: number;
  type: KeliwebCancelType;
  reason: string;
  date: string;
}
export interface KeliwebSimulatorOptions {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  now?: () => Date;
  /** Access tokens live one hour at Keliweb. */
  tokenTtlSeconds?: number;
}

const TYPES: readonly KeliwebCancelType[] = ['Immediate', 'End of Billing Period'];
const REFRESH_TTL_MS = 10 * 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

const ServiceSeed = z.looseObject({ id: z.number().int().positive() });
const AddonSeed = z.looseObject({ serviceid: z.number().int().positive() });
const CancelSeed = z.object({
  serviceid: z.number().int().positive(),
  type: z.enum(['Immediate', 'End of Billing Period']).default('End of Billing Period'),
  reason: z.string().default(''),
});
const SeedSchema = z.object({
  services: z.array(ServiceSeed).default([]),
  addons: z.array(AddonSeed).default([]),
  cancelRequests: z.array(CancelSeed).default([]),
});
/** What the control API accepts at POST /__sim/state. */
export type KeliwebSeed = z.input<typeof SeedSchema>;

export class KeliwebSimulator extends Simulator {
  readonly services = new Map<number, KeliwebService>();
  readonly addons = new Map<number, KeliwebAddonRecord>();
  /** Keyed by service id: WHMCS keeps at most one cancellation request per service. */
  readonly cancelRequests = new Map<number, KeliwebCancelRequest>();
  private readonly accessTokens = new Map<string, { expiresAt: number; refreshToken: string }>();
  private readonly refreshTokens = new Map<string, { expiresAt: number }>();
  private nextAddonId = 1;

  constructor(private readonly opts: KeliwebSimulatorOptions) {
    super({
      name: 'keliweb',
      // WHMCS documents no limit; Laravel's throttle middleware answers like this.
      rateLimited: (seconds) => ({
        status: 429,
        headers: {
          'Retry-After': String(Math.ceil(seconds)),
          'X-RateLimit-Limit': '60',
          'X-RateLimit-Remaining': '0',
        },
        body: { message: 'Too Many Attempts.' },
      }),
      seed: (state) => this.seed(SeedSchema.parse(state)),
      dumpState: () => ({
        services: [...this.services.values()],
        addons: [...this.addons.values()],
        cancelRequests: [...this.cancelRequests.values()],
      }),
      resetState: () => this.resetState(),
    });
    this.route('POST', '/oauth/token', (r) => this.token(r));
    this.route('POST', '/api/v2/keliweb/:method', (r) => this.authed(r, () => this.api(r)));
  }

  addService(service: Partial<KeliwebService> & { id: number }): KeliwebService {
    const now = this.now();
    const s: KeliwebService = {
      userid: 1,
      name: 'Hosting Linux Starter',
      domain: `site${service.id}.example.it`,
      status: 'Active',
      billingcycle: 'Annually',
      nextduedate: day(new Date(now.getTime() + 30 * 86_400_000)),
      regdate: day(new Date(now.getTime() - 335 * 86_400_000)),
      recurringamount: '59.90',
      paymentmethod: 'paypal',
      ...service,
    };
    this.services.set(s.id, s);
    return s;
  }

  addAddon(addon: Partial<KeliwebAddonRecord> & { serviceid: number }): KeliwebAddonRecord {
    const service = this.services.get(addon.serviceid);
    const a: KeliwebAddonRecord = {
      id: this.nextAddonId,
      userid: service?.userid ?? 1,
      orderid: 0,
      addonid: 0,
      name: `Addon ${this.nextAddonId}`,
      setupfee: '0.00',
      recurring: '15.00',
      billingcycle: 'Monthly',
      tax: '',
      status: 'Active',
      regdate: service?.regdate ?? day(this.now()),
      nextduedate: service?.nextduedate ?? day(this.now()),
      nextinvoicedate: service?.nextduedate ?? day(this.now()),
      paymentmethod: 'paypal',
      notes: '',
      ...addon,
    };
    this.nextAddonId = Math.max(this.nextAddonId, a.id) + 1;
    this.addons.set(a.id, a);
    return a;
  }

  resetState(): void {
    this.services.clear();
    this.addons.clear();
    this.cancelRequests.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.nextAddonId = 1;
  }

  /** Makes every issued access token expired, as an hour passing would (refresh tokens stay valid). */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = 0;
  }

  /** Refresh tokens expire after 10 days or are revoked; then only the password grant works. */
  expireRefreshTokens(): void {
    for (const t of this.refreshTokens.values()) t.expiresAt = 0;
  }

  /**
   * Keliweb's nightly automation: Immediate requests cancel the service (and its addons) on the
   * next run, End of Billing Period ones once nextduedate has come.
   */
  runNightlyAutomation(): void {
    const today = day(this.now());
    for (const request of this.cancelRequests.values()) {
      const service = this.services.get(request.serviceid);
      if (!service || service.status === 'Cancelled' || service.status === 'Terminated') continue;
      if (request.type === 'End of Billing Period' && service.nextduedate > today) continue;
      service.status = 'Cancelled';
      for (const a of this.addons.values()) if (a.serviceid === service.id) a.status = 'Cancelled';
    }
  }

  private seed(state: z.output<typeof SeedSchema>): void {
    state.services.forEach((s) => this.addService(s as Partial<KeliwebService> & { id: number }));
    state.addons.forEach((a) => this.addAddon(a as Partial<KeliwebAddonRecord> & { serviceid: number }));
    state.cancelRequests.forEach((c) =>
      this.cancelRequests.set(c.serviceid, { ...c, date: day(this.now()) }),
    );
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private fields(r: SimRequest): Record<string, string> {
    // PHP reads form bodies only; anything it cannot parse arrives as no fields at all.
    const body = r.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
  }

  /** Laravel Passport's /oauth/token: password and refresh_token grants. */
  private token(r: SimRequest): SimResponse {
    const f = this.fields(r);
    const oauthError = (status: number, error: string, description: string, hint = '') => ({
      status,
      body: { error, error_description: description, hint, message: description },
    });
    if (f.grant_type !== 'password' && f.grant_type !== 'refresh_token') {
      return oauthError(
        400,
        'unsupported_grant_type',
        'The authorization grant type is not supported by the authorization server.',
        'Check that all required parameters have been provided',
      );
    }
    if (f.client_id !== this.opts.clientId || f.client_secret !== this.opts.clientSecret) {
      return oauthError(401, 'invalid_client', 'Client authentication failed');
    }
    if (f.grant_type === 'password') {
      if (!f.username || !f.password) {
        return oauthError(
          400,
          'invalid_request',
          'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
          `Check the \`${f.username ? 'password' : 'username'}\` parameter`,
        );
      }
      if (f.username !== this.opts.username || f.password !== this.opts.password) {
        return oauthError(400, 'invalid_grant', 'The user credentials were incorrect.');
      }
    } else {
      const refresh = this.refreshTokens.get(f.refresh_token ?? '');
      if (!refresh || refresh.expiresAt <= this.now().getTime()) {
        return oauthError(400, 'invalid_grant', 'The refresh token is invalid.', 'Token has been revoked');
      }
      // Passport rotates: the old refresh token and the access tokens issued with it are revoked.
      this.refreshTokens.delete(f.refresh_token ?? '');
      for (const [token, t] of this.accessTokens)
        if (t.refreshToken === f.refresh_token) this.accessTokens.delete(token);
    }
    const ttl = this.opts.tokenTtlSeconds ?? 3600;
    const accessToken = `kw_at_${randomBytes(24).toString('hex')}`;
    const refreshToken = `kw_rt_${randomBytes(24).toString('hex')}`;
    const now = this.now().getTime();
    this.accessTokens.set(accessToken, { expiresAt: now + ttl * 1000, refreshToken });
    this.refreshTokens.set(refreshToken, { expiresAt: now + REFRESH_TTL_MS });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: ttl, access_token: accessToken, refresh_token: refreshToken },
    };
  }

  private authed(r: SimRequest, handler: () => SimResponse): SimResponse {
    const token = this.accessTokens.get(bearerToken(r) ?? '');
    if (token && token.expiresAt > this.now().getTime()) return handler();
    // Laravel answers JSON only to requests that ask for it; a plain one is sent to the login page.
    const wantsJson =
      r.headers['x-requested-with'] === 'XMLHttpRequest' || String(r.headers.accept ?? '').includes('json');
    if (!wantsJson) return { status: 302, headers: { Location: '/login' }, body: '' };
    return { status: 401, body: { message: 'Unauthenticated.' } };
  }

  private api(r: SimRequest): SimResponse {
    const f = this.fields(r);
    switch (r.params.method) {
      case 'add-cancel-request':
        return this.addCancelRequest(f);
      case 'get-clients-addons':
        return this.getClientsAddons(f);
      case 'get-clients-products':
        return this.getClientsProducts(f);
      default:
        return { status: 404, body: { message: `The route ${r.path.slice(1)} could not be found.` } };
    }
  }

  /** Laravel's validation answer for the Keliweb layer's own checks (required fields, enums). */
  private invalid(field: string, message: string): SimResponse {
    return { status: 422, body: { message, errors: { [field]: [message] } } };
  }

  private addCancelRequest(f: Record<string, string>): SimResponse {
    if (!f.serviceid) return this.invalid('serviceid', 'The serviceid field is required.');
    if (!/^\d+$/.test(f.serviceid)) return this.invalid('serviceid', 'The serviceid must be an integer.');
    const type = (f.type || 'End of Billing Period') as KeliwebCancelType;
    if (!TYPES.includes(type)) return this.invalid('type', 'The selected type is invalid.');
    const service = this.services.get(Number(f.serviceid));
    if (!service) return { status: 200, body: { result: 'error', message: 'Service ID Not Found' } };
    if (this.cancelRequests.has(service.id)) {
      return { status: 200, body: { result: 'error', message: 'Existing Cancellation Request Exists' } };
    }
    this.cancelRequests.set(service.id, {
      serviceid: service.id,
      type,
      reason: f.reason ?? '',
      date: day(this.now()),
    });
    return {
      status: 200,
      body: { result: 'success', serviceid: String(service.id), userid: String(service.userid) },
    };
  }

  private getClientsAddons(f: Record<string, string>): SimResponse {
    if (!f.serviceid) return this.invalid('serviceid', 'The serviceid field is required.');
    const ids = new Set(f.serviceid.split(',').map((s) => Number(s.trim())));
    const matches = [...this.addons.values()].filter(
      (a) =>
        ids.has(a.serviceid) &&
        (!f.addonid || String(a.addonid) === f.addonid) &&
        (!f.clientid || String(a.userid) === f.clientid),
    );
    return {
      status: 200,
      body: {
        result: 'success',
        serviceid: f.serviceid,
        clientid: f.clientid ?? '',
        totalresults: String(matches.length),
        ...flatten('addons', 'addon', matches),
      },
    };
  }

  private getClientsProducts(f: Record<string, string>): SimResponse {
    // WHMCS answers an unknown service with an empty list, not an error.
    const matches = [...this.services.values()].filter(
      (s) =>
        (!f.serviceid || String(s.id) === f.serviceid) && (!f.clientid || String(s.userid) === f.clientid),
    );
    const products = matches.slice(0, 25).map(({ userid, ...s }) => ({ clientid: userid, ...s }));
    return {
      status: 200,
      body: {
        result: 'success',
        clientid: f.clientid ?? '',
        serviceid: f.serviceid ?? '',
        totalresults: String(matches.length),
        startnumber: '0',
        numreturned: String(products.length),
        ...flatten('products', 'product', products),
      },
    };
  }
}

/** WHMCS's PHP-array flattening: `list[item][i][field]`, every value a string. */
function flatten(list: string, item: string, rows: object[]): Record<string, string> {
  const out: Record<string, string> = {};
  rows.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) out[`${list}[${item}][${i}][${k}]`] = String(v);
  });
  return out;
}
