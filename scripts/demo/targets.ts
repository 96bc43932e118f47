import { type CancellationRequestInput, type Provider } from '../../common/request';
import { type SimulatorSet } from '../../simulators';

export interface SeededTarget {
  target: CancellationRequestInput['target'];
  /** A string that the provider's cancel request body contains for this target only. */
  marker: string;
}

/**
 * Seeds one subscription at a provider's simulator and returns the request target for it. Ids are
 * unique per demo run, so a second run on the same persistent server never meets the first's runs.
 */
export function seedTarget(
  sims: SimulatorSet,
  provider: Provider,
  key: string,
  serial: number,
): SeededTarget {
  const inAMonth = new Date(Date.now() + 30 * 86_400_000);
  switch (provider) {
    case 'keliweb': {
      const id = 100_000 + serial;
      sims.keliweb.addService({
        id,
        name: `Hosting ${key}`,
        nextduedate: inAMonth.toISOString().slice(0, 10),
      });
      sims.keliweb.addAddon({ serviceid: id, name: 'Daily backup' });
      return { target: { serviceId: id }, marker: String(id) };
    }
    case 'payway': {
      const accountId = serial.toString(16).padStart(24, 'a');
      const userProductId = `up-${key}`;
      sims.payway.addUserProduct(accountId, { id: userProductId, valid_to: inAMonth.toISOString() });
      return { target: { accountId, userProductId }, marker: userProductId };
    }
    case 'rebilly': {
      const orderId = `ord-${key}`;
      sims.rebilly.addOrder({ id: orderId, renewalTime: inAMonth.toISOString() });
      return { target: { orderId }, marker: orderId };
    }
    case 'billing-care': {
      const accountId = `0.0.0.1+-account+${serial}`;
      const bundle = sims.billingCare.addBundle(accountId, { validTo: inAMonth.toISOString() });
      return {
        target: { accountId, dealId: bundle.dealId, packageId: bundle.packageId },
        marker: bundle.dealId,
      };
    }
  }
}
