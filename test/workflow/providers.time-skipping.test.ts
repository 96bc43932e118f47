import { type CancellationRequestInput, type Provider } from '../../common/request';
import { END_OF_PERIOD_LEAD_MS } from '../../common/timing';
import { keliwebDateToIso } from '../../activities/providers/keliweb';
import { type Simulator } from '../../simulators/framework';
import { createTimeSkippingEnv } from '../support/temporal-env';
import { useTemporalWithAllProviders } from '../support/all-providers';

const DAY = 86_400_000;

/**
 * Each provider's own path on the time-skipping server: end of billing period timed by the
 * orchestrator (the period end read from the provider), the provider's own effective date in the
 * result, exactly one write, and the verification once the effect is due.
 */
describe('every provider, end of period timed by the orchestrator (time-skipping server)', () => {
  const t = useTemporalWithAllProviders(createTimeSkippingEnv);
  let n = 0;

  const sim = (p: Provider): Simulator => t.sims.byProvider[p];
  /** Seeds a subscription whose period ends at `end`; returns its target, a marker and the provider's date. */
  const seed = (p: Provider, end: Date) => {
    const k = ++n;
    switch (p) {
      case 'keliweb': {
        const nextduedate = end.toISOString().slice(0, 10);
        t.sims.keliweb.addService({ id: 700 + k, nextduedate });
        return {
          target: { serviceId: 700 + k },
          marker: String(700 + k),
          periodEnd: keliwebDateToIso(nextduedate)!,
        };
      }
      case 'payway': {
        const accountId = (0xabc000 + k).toString(16).padStart(24, '0');
        t.sims.payway.addUserProduct(accountId, { id: `up-eop-${k}`, valid_to: end.toISOString() });
        return {
          target: { accountId, userProductId: `up-eop-${k}` },
          marker: `up-eop-${k}`,
          periodEnd: end.toISOString(),
        };
      }
      case 'rebilly':
        t.sims.rebilly.addOrder({ id: `ord-eop-${k}`, renewalTime: end.toISOString() });
        return { target: { orderId: `ord-eop-${k}` }, marker: `ord-eop-${k}`, periodEnd: end.toISOString() };
      case 'billing-care': {
        const accountId = `0.0.0.1+-account+${900 + k}`;
        const bundle = t.sims.billingCare.addBundle(accountId, { validTo: end.toISOString() });
        const target = { accountId, dealId: bundle.dealId, packageId: bundle.packageId };
        return { target, marker: accountId, periodEnd: end.toISOString() };
      }
    }
  };

  // What the provider's own end-of-period option looks like in its submit body.
  const endOfPeriodOption: Record<Provider, (body: Record<string, unknown>, periodEnd: string) => void> = {
    keliweb: (b) => expect(b.type).toBe('End of Billing Period'),
    payway: (b) => expect(Object.keys(b).sort()).toEqual(['id', 'user_product_id']), // always at renewal
    rebilly: (b) => expect(b.churnTimePolicy).toBe('at-next-renewal'),
    'billing-care': (b, end) => expect(Date.parse(String(b.effective))).toBe(Date.parse(end)),
  };
  const expectedLevel: Record<Provider, string> = {
    keliweb: 'accepted', // Keliweb offers no read of cancel requests
    payway: 'scheduled', // the user product reads `cancelled` until valid_to
    rebilly: 'scheduled', // the order-cancellation reads `confirmed` with its churnTime
    // The bundle already ended at the period end before the cancel: the read cannot show it.
    'billing-care': 'accepted',
  };

  test.each(['keliweb', 'payway', 'rebilly', 'billing-care'] as const)(
    '%s: submits its lead time before the period end with its own end-of-period option, reports its date, verifies',
    async (provider) => {
      const start = Number(await t.env.currentTimeMs());
      for (const s of Object.values(t.sims.byProvider)) s.setNow(start);
      const seeded = seed(provider, new Date(start + 30 * DAY));
      const input = {
        requestId: `eop-${provider}-${n}`,
        provider,
        target: seeded.target,
        timing: { mode: 'end-of-billing-period' },
        reason: { code: 'unused' },
      } as CancellationRequestInput;
      const due = Date.parse(seeded.periodEnd) - END_OF_PERIOD_LEAD_MS[provider];
      // Before the period end, by at least an hour: the provider's renewal must not come first.
      expect(Date.parse(seeded.periodEnd) - due).toBeGreaterThanOrEqual(3_600_000);
      const { workflowId } = await t.w.client.request(input);
      await t.env.sleep(due - start - 3_600_000);
      expect(sim(provider).writes(seeded.marker)).toHaveLength(0);
      expect(await t.w.client.status(workflowId)).toMatchObject({
        stage: 'scheduled',
        scheduledFor: new Date(due).toISOString(),
      });

      const result = await t.w.client.result(workflowId);
      expect(result).toMatchObject({ status: 'completed', effectiveAt: seeded.periodEnd });
      expect(result.confirmation?.level).toBe(expectedLevel[provider]);
      const writes = sim(provider).writes(seeded.marker);
      expect(writes).toHaveLength(1);
      endOfPeriodOption[provider](writes[0]!.body as Record<string, unknown>, seeded.periodEnd);
      expect(result.verification).toMatchObject({ status: 'pending' });
      expect(Date.parse(result.verification!.dueAt)).toBeGreaterThanOrEqual(Date.parse(seeded.periodEnd));

      // The period ends at the provider; its automation carries the cancellation out.
      sim(provider).setNow(Date.parse(seeded.periodEnd) + DAY);
      if (provider === 'keliweb') t.sims.keliweb.runNightlyAutomation();
      const verified = await t.env.client.workflow.getHandle(result.verification!.workflowId!).result();
      expect(verified).toMatchObject({ status: 'verified' });
      expect((await t.w.client.status(workflowId)).verification).toMatchObject({ status: 'verified' });
      expect(sim(provider).writes(seeded.marker)).toHaveLength(1); // confirm and verify only read
    },
  );

  test('a cancellation the provider never carries out is verified as not-applied, and its run fails', async () => {
    const start = Number(await t.env.currentTimeMs());
    t.sims.keliweb.setNow(start);
    const seeded = seed('keliweb', new Date(start + 30 * DAY));
    const input = {
      requestId: `forgotten-${n}`,
      provider: 'keliweb',
      target: seeded.target,
      timing: { mode: 'immediate' },
    } as CancellationRequestInput;
    const { workflowId } = await t.w.client.request(input);
    const result = await t.w.client.result(workflowId);
    expect(result.confirmation?.level).toBe('accepted');
    expect(result.effectiveAt).toBeUndefined(); // Keliweb gives no date for an Immediate request

    t.sims.keliweb.automation = 'forgets';
    try {
      t.sims.keliweb.setNow(start + 5 * DAY);
      t.sims.keliweb.runNightlyAutomation();
      const child = t.env.client.workflow.getHandle(result.verification!.workflowId!);
      const failure = await child.result().catch((e: unknown) => e);
      expect((failure as { cause?: { type?: string } }).cause?.type).toBe('CancellationNotApplied');
      expect((await child.describe()).status.name).toBe('FAILED');
      const status = await t.w.client.status(workflowId);
      expect(status.verification).toMatchObject({
        status: 'not-applied',
        providerState: expect.stringContaining('Active'),
      });
      expect(status.result?.status).toBe('completed');
    } finally {
      t.sims.keliweb.automation = 'applies';
    }
  });
});
