import { z } from 'zod';
import { bearerToken, Simulator, type SimRequest, type SimResponse } from './framework';
import { KeliwebPassport, phpFormFields, type PassportCredentials } from './keliweb-passport';
import { getClientsAddons, getClientsProducts, SERVICE_NOT_FOUND } from './keliweb-reads';
import {
  CANCEL_TYPES,
  romeDate,
  type KeliwebAddonRecord,
  type KeliwebCancelRequest,
  type KeliwebCancelType,
  type KeliwebListShape,
  type KeliwebService,
} from './keliweb-records';

export type {
  KeliwebAddonRecord,
  KeliwebCancelRequest,
  KeliwebCancelType,
  KeliwebListShape,
  KeliwebService,
  KeliwebServiceStatus,
} from './keliweb-records';

// Plays the Keliweb API v2 as documented (shared/seeds/000, 001, shared/PROVIDERS.md): a Laravel
// app with Passport OAuth in front of WHMCS. WHMCS semantics show through: HTTP 200 with
// `result: error`, ids and totals as strings, lists flattened into `addons[addon][0][field]` keys
// (or WHMCS's nested JSON, see KeliwebListShape).

export interface KeliwebSimulatorOptions extends PassportCredentials {
  /** How list answers are shaped; `flattened` (as documented) unless set. */
  listShape?: KeliwebListShape;
}

const ServiceSeed = z.looseObject({ id: z.number().int().positive() });
const AddonSeed = z.looseObject({ serviceid: z.number().int().positive() });
const CancelSeed = z.object({
  serviceid: z.number().int().positive(),
  type: z.enum(['Immediate', 'End of Billing Period']).default('End of Billing Period'),
  reason: z.string().default(''),
  date: z.iso.date().optional(),
});
const SeedSchema = z.object({
  services: z.array(ServiceSeed).default([]),
  addons: z.array(AddonSeed).default([]),
  cancelRequests: z.array(CancelSeed).default([]),
  listShape: z.enum(['flattened', 'nested']).optional(),
});
/** What the control API accepts at POST /__sim/state. */
export type KeliwebSeed = z.input<typeof SeedSchema>;

export class KeliwebSimulator extends Simulator {
  readonly services = new Map<number, KeliwebService>();
  readonly addons = new Map<number, KeliwebAddonRecord>();
  /** Keyed by service id: WHMCS keeps at most one cancellation request per service. */
  readonly cancelRequests = new Map<number, KeliwebCancelRequest>();
  /** How list answers are shaped from now on (tests switch it per case). */
  listShape: KeliwebListShape;
  private readonly passport: KeliwebPassport;
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
      dumpState: () => {
        this.catchUpAutomation();
        return {
          services: [...this.services.values()],
          addons: [...this.addons.values()],
          cancelRequests: [...this.cancelRequests.values()],
          listShape: this.listShape,
        };
      },
      resetState: () => this.resetState(),
      // Only add-cancel-request asks Keliweb to change anything; reads and token grants do not.
      isWrite: (r) => r.path === '/api/v2/keliweb/add-cancel-request',
    });
    this.listShape = opts.listShape ?? 'flattened';
    this.passport = new KeliwebPassport(opts, () => this.now());
    this.route('POST', '/oauth/token', (r) => this.passport.grant(phpFormFields(r)));
    this.route('POST', '/api/v2/keliweb/:method', (r) => this.authed(r, () => this.api(r)));
  }

  addService(service: Partial<KeliwebService> & { id: number }): KeliwebService {
    const now = this.now().getTime();
    const s: KeliwebService = {
      userid: 1,
      name: 'Hosting Linux Starter',
      domain: `site${service.id}.example.it`,
      status: 'Active',
      billingcycle: 'Annually',
      nextduedate: romeDate(new Date(now + 30 * 86_400_000)),
      regdate: romeDate(new Date(now - 335 * 86_400_000)),
      recurringamount: '59.90',
      paymentmethod: 'paypal',
      ...service,
    };
    this.services.set(s.id, s);
    return s;
  }

  addAddon(addon: Partial<KeliwebAddonRecord> & { serviceid: number }): KeliwebAddonRecord {
    const service = this.services.get(addon.serviceid);
    const today = romeDate(this.now());
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
      regdate: service?.regdate ?? today,
      nextduedate: service?.nextduedate ?? today,
      nextinvoicedate: service?.nextduedate ?? today,
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
    this.passport.clear();
    this.nextAddonId = 1;
    this.listShape = this.opts.listShape ?? 'flattened';
  }

  /** Makes every issued access token expired, as an hour passing would (refresh tokens stay valid). */
  expireAccessTokens(): void {
    this.passport.expireAccessTokens();
  }

  /** Refresh tokens expire after 10 days or are revoked; then only the password grant works. */
  expireRefreshTokens(): void {
    this.passport.expireRefreshTokens();
  }

  /**
   * A run of Keliweb's nightly automation at the provider's `now()`: Immediate requests cancel the
   * service (and its addons); End of Billing Period ones once nextduedate has come in Rome.
   * A forgetting automation does nothing at all.
   */
  runNightlyAutomation(): void {
    this.applyRun(romeDate(this.now()), () => true);
  }

  /**
   * The runs that happened since each request was recorded, applied when the provider is next
   * looked at: the latest run decides, since a due request stays due.
   * ASSUMPTION: the nightly run happens at midnight in Rome, so the first run after a request is
   * recorded is on the next Rome day (WHMCS lets the host choose the hour; Keliweb does not say).
   */
  private catchUpAutomation(): void {
    const today = romeDate(this.now());
    this.applyRun(today, (request) => request.date < today);
  }

  private applyRun(today: string, ranSince: (r: KeliwebCancelRequest) => boolean): void {
    if (this.automation === 'forgets') return;
    for (const request of this.cancelRequests.values()) {
      const service = this.services.get(request.serviceid);
      if (!service || service.status === 'Cancelled' || service.status === 'Terminated') continue;
      if (!ranSince(request)) continue;
      if (request.type === 'End of Billing Period' && service.nextduedate > today) continue;
      service.status = 'Cancelled';
      this.recordChange(service.id, 'cancelled');
      for (const a of this.addons.values()) {
        if (a.serviceid !== service.id || a.status === 'Cancelled') continue;
        a.status = 'Cancelled';
        this.recordChange(`addon:${a.id}`, 'cancelled');
      }
    }
  }

  private seed(state: z.output<typeof SeedSchema>): void {
    state.services.forEach((s) => this.addService(s as Partial<KeliwebService> & { id: number }));
    state.addons.forEach((a) => this.addAddon(a as Partial<KeliwebAddonRecord> & { serviceid: number }));
    state.cancelRequests.forEach(({ date, ...c }) =>
      this.cancelRequests.set(c.serviceid, { ...c, date: date ?? romeDate(this.now()) }),
    );
    if (state.listShape) this.listShape = state.listShape;
  }

  private authed(r: SimRequest, handler: () => SimResponse): SimResponse {
    if (this.passport.accepts(bearerToken(r))) return handler();
    // Laravel answers JSON only to requests that ask for it; a plain one is sent to the login page.
    const wantsJson =
      r.headers['x-requested-with'] === 'XMLHttpRequest' || String(r.headers.accept ?? '').includes('json');
    if (!wantsJson) return { status: 302, headers: { Location: '/login' }, body: '' };
    return { status: 401, body: { message: 'Unauthenticated.' } };
  }

  private api(r: SimRequest): SimResponse {
    this.catchUpAutomation();
    const f = phpFormFields(r);
    switch (r.params.method) {
      case 'add-cancel-request':
        return this.addCancelRequest(f);
      case 'get-clients-addons':
        return getClientsAddons(this.addons.values(), this.listShape, f);
      case 'get-clients-products':
        return getClientsProducts(this.services.values(), this.listShape, f);
      default:
        return { status: 404, body: { message: `The route ${r.path.slice(1)} could not be found.` } };
    }
  }

  /** Laravel's validation answer for the Keliweb layer's own checks on documented enums. */
  private invalid(field: string, message: string): SimResponse {
    return { status: 422, body: { message, errors: { [field]: [message] } } };
  }

  private addCancelRequest(f: Record<string, string>): SimResponse {
    const type = (f.type || 'End of Billing Period') as KeliwebCancelType;
    // ASSUMPTION: a type outside the documented two is refused by Keliweb's Laravel validation.
    if (!CANCEL_TYPES.includes(type)) return this.invalid('type', 'The selected type is invalid.');
    // ASSUMPTION: a missing or non-numeric serviceid (a JSON body included: PHP sees no fields)
    // finds no service, and WHMCS answers with its documented `Service ID Not Found`.
    const service = /^\d+$/.test(f.serviceid ?? '') ? this.services.get(Number(f.serviceid)) : undefined;
    if (!service) return SERVICE_NOT_FOUND;
    if (this.cancelRequests.has(service.id)) {
      // Absorbed: a write, but no change.
      return { status: 200, body: { result: 'error', message: 'Existing Cancellation Request Exists' } };
    }
    this.cancelRequests.set(service.id, {
      serviceid: service.id,
      type,
      reason: f.reason ?? '',
      date: romeDate(this.now()),
    });
    this.recordChange(service.id, 'cancel-request-recorded');
    return {
      status: 200,
      body: { result: 'success', serviceid: String(service.id), userid: String(service.userid) },
    };
  }
}
