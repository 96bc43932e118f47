import { randomBytes } from 'node:crypto';
import { type Provider } from '../common/request';
import { BillingCareSimulator } from './billing-care';
import { type Simulator } from './framework';
import { KeliwebSimulator } from './keliweb';
import { PaywaySimulator } from './payway';
import { RebillySimulator } from './rebilly';

/** The four simulators, by the name a test or a port option uses. */
interface Simulators {
  keliweb: KeliwebSimulator;
  payway: PaywaySimulator;
  rebilly: RebillySimulator;
  billingCare: BillingCareSimulator;
}

export type SimulatorPorts = Partial<Record<keyof Simulators, number>>;

export interface SimulatorSet extends Simulators {
  byProvider: Record<Provider, Simulator>;
  /** The provider variables (shared/CONTRACT.md) that point a worker at these simulators. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** ASSUMPTION (simulator only): Billing Care's back office acts on a date within ten minutes. */
export const BILLING_CARE_BACK_OFFICE_LAG_MS = 10 * 60_000;

const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

/**
 * Starts the four provider simulators on loopback with fresh random credentials, and returns the
 * environment a worker needs to talk to them. Ports default to free ones.
 */
export async function startSimulators(ports: SimulatorPorts = {}, host = '127.0.0.1'): Promise<SimulatorSet> {
  const keliwebCreds = {
    clientId: 'sim-keliweb-client',
    clientSecret: secret('kw-secret'),
    username: 'ops@example.com',
    password: secret('kw-pass'),
  };
  const paywayCreds = { clientId: 'sim-payway-client', clientSecret: secret('pw-secret') };
  const rebillyCreds = { organizationId: 'sim-org', apiKey: secret('sk_sandbox') };
  const billingCareCreds = { clientId: 'sim-billing-care', clientSecret: secret('bc-secret') };

  const keliweb = new KeliwebSimulator(keliwebCreds);
  const payway = new PaywaySimulator(paywayCreds);
  const rebilly = new RebillySimulator(rebillyCreds);
  // Billing Care's back office ends a cancelled bundle in a run after its date, as a nightly job
  // would: a just-cancelled bundle stays listed with its passed validTo for a while, so a read right
  // after an immediate cancel can show it (BillingCareSimulatorOptions.backOfficeLagMs).
  const billingCare = new BillingCareSimulator({
    ...billingCareCreds,
    requireToken: true,
    backOfficeLagMs: BILLING_CARE_BACK_OFFICE_LAG_MS,
  });
  const started: Simulator[] = [];
  try {
    for (const [sim, port] of [
      [keliweb, ports.keliweb],
      [payway, ports.payway],
      [rebilly, ports.rebilly],
      [billingCare, ports.billingCare],
    ] as const) {
      await sim.start(port ?? 0, host);
      started.push(sim);
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }

  return {
    keliweb,
    payway,
    rebilly,
    billingCare,
    byProvider: { keliweb, payway, rebilly, 'billing-care': billingCare },
    env: {
      KELIWEB_BASE_URL: keliweb.url,
      KELIWEB_CLIENT_ID: keliwebCreds.clientId,
      KELIWEB_CLIENT_SECRET: keliwebCreds.clientSecret,
      KELIWEB_USERNAME: keliwebCreds.username,
      KELIWEB_PASSWORD: keliwebCreds.password,
      PAYWAY_BASE_URL: payway.url,
      PAYWAY_CLIENT_ID: paywayCreds.clientId,
      PAYWAY_CLIENT_SECRET: paywayCreds.clientSecret,
      REBILLY_BASE_URL: rebilly.url,
      REBILLY_ORGANIZATION_ID: rebillyCreds.organizationId,
      REBILLY_API_KEY: rebillyCreds.apiKey,
      BILLING_CARE_BASE_URL: billingCare.baseUrl,
      BILLING_CARE_CLIENT_ID: billingCareCreds.clientId,
      BILLING_CARE_CLIENT_SECRET: billingCareCreds.clientSecret,
    },
    stop: async () => {
      await Promise.all([keliweb, payway, rebilly, billingCare].map((s) => s.stop()));
    },
  };
}
