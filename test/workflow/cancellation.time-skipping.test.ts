import { type CancellationRequestInput } from '../../common/request';
import { END_OF_PERIOD_LEAD_MS } from '../../common/timing';
import { CancellationStateError, InvalidRequestError } from '../../client/errors';
import { createTimeSkippingEnv } from '../support/temporal-env';
import { useTemporalWithRebilly } from '../support/rebilly-fixture';
import { keepHistory } from '../support/histories';

const DAY = 86_400_000;

describe('cancellation workflow on the time-skipping server (Rebilly simulator)', () => {
  const t = useTemporalWithRebilly(createTimeSkippingEnv, { fresh: 'each-test' });
  let n = 0;

  const serverNow = () => t.env.currentTimeMs();
  const request = (
    timing: CancellationRequestInput['timing'],
    over: Partial<CancellationRequestInput> = {},
  ) => {
    const orderId = `ord-${++n}`;
    t.sim.addOrder({ id: orderId, renewalTime: new Date(Date.now() + 30 * DAY).toISOString() });
    return {
      orderId,
      input: {
        requestId: `req-${n}`,
        provider: 'rebilly',
        target: { orderId },
        timing,
        reason: { code: 'unused', comment: 'never used it' },
        customerId: `cus-${n}`,
        ...over,
      } as CancellationRequestInput,
    };
  };
  // The common paths keep histories short (and become replay fixtures).
  const expectShortHistory = async (workflowId: string, name: string) =>
    expect(await keepHistory(t.env.client, workflowId, name)).toBeLessThan(60);
  const puts = (orderId: string) =>
    t.sim.calls('PUT').filter((r) => (r.body as { orderId?: string }).orderId === orderId);

  test('immediate: submits once, confirms by reading, reports the level and the provider reference', async () => {
    const { orderId, input } = request({ mode: 'immediate' });
    const { workflowId } = await t.w.client.request(input);
    const result = await t.w.client.result(workflowId);
    expect(result).toMatchObject({ status: 'completed', provider: 'rebilly', attempts: 1 });
    expect(result.providerReference).toMatchObject({ orderId, orderStatus: 'canceled' });
    expect(result.confirmation).toMatchObject({ level: 'effective', observedAt: result.confirmedAt });
    expect(result.effectiveAt).toBe(t.sim.orders.get(orderId)?.churnTime);
    expect(result.verification).toMatchObject({ status: 'pending' });
    expect(t.sim.writes(orderId)).toHaveLength(1);
    expect(puts(orderId)).toHaveLength(1);
    // Two provider activities on task queues; the verification run started by a local activity in
    // the completing workflow task, with the level and the last stage in one upsert (patches.ts).
    const events = (await t.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    expect(scheduled.filter(Boolean)).toEqual(['rebillySubmitCancellation', 'rebillyConfirmCancellation']);
    const markers = events.map((e) => e.markerRecordedEventAttributes?.markerName).filter(Boolean);
    expect(markers.filter((m) => m === 'core_local_activity')).toHaveLength(1);
    const upserts = events.flatMap((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      return fields ? [Object.keys(fields).sort()] : [];
    });
    expect(upserts).toEqual([
      ['CancellationStage'],
      ['CancellationStage'],
      ['TemporalChangeVersion'],
      ['CancellationConfirmation', 'CancellationStage'],
    ]);
    await expectShortHistory(workflowId, 'immediate');
  });

  test('a 30-day end-of-period wait fires its lead time before the period end and not before', async () => {
    const start = await serverNow();
    const periodEnd = new Date(Number(start) + 30 * DAY).toISOString();
    const due = new Date(Date.parse(periodEnd) - END_OF_PERIOD_LEAD_MS.rebilly).toISOString();
    const { orderId, input } = request({ mode: 'end-of-billing-period', periodEnd });
    const { workflowId } = await t.w.client.request(input);
    await t.env.sleep(29 * DAY);
    expect(puts(orderId)).toHaveLength(0);
    expect(await t.w.client.status(workflowId)).toMatchObject({ stage: 'scheduled', scheduledFor: due });

    const wallStart = Date.now();
    const result = await t.w.client.result(workflowId);
    expect(result.status).toBe('completed');
    expect(puts(orderId)).toHaveLength(1);
    // The provider's own end-of-period option, so the effect lands on its renewal, not ours.
    expect(puts(orderId)[0]?.body).toMatchObject({ churnTimePolicy: 'at-next-renewal' });
    expect(result.effectiveAt).toBe(t.sim.orders.get(orderId)?.renewalTime);
    expect(result.confirmation?.level).toBe('scheduled');
    expect(Date.now() - wallStart).toBeLessThan(60_000); // time was skipped, not waited
    const history = await t.env.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes);
    const scheduledAt =
      Number(scheduled?.eventTime?.seconds) * 1000 + Math.floor((scheduled?.eventTime?.nanos ?? 0) / 1e6);
    expect(scheduledAt).toBeGreaterThanOrEqual(Date.parse(due));
    await expectShortHistory(workflowId, 'end-of-period-30-days');
  });

  test('withdraw on day 29 means no provider call; a later withdraw is refused', async () => {
    const start = await serverNow();
    const { orderId, input } = request({ mode: 'at', at: new Date(Number(start) + 30 * DAY).toISOString() });
    const { workflowId } = await t.w.client.request(input);
    await t.env.sleep(29 * DAY);
    const after = await t.w.client.withdraw(workflowId, 'customer changed their mind');
    expect(after.stage).toBe('withdrawn');
    const result = await t.w.client.result(workflowId);
    expect(result.status).toBe('withdrawn');
    await t.env.sleep(2 * DAY);
    expect(puts(orderId)).toHaveLength(0);
    const later = await t.w.client.withdraw(workflowId).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(CancellationStateError);
    expect((later as Error).message).toBe('cannot withdraw: the cancellation is already withdrawn');
    await expectShortHistory(workflowId, 'withdrawn-on-day-29');
  });

  test('reschedule moves the wait; expedite submits at once', async () => {
    const start = Number(await serverNow());
    const { orderId, input } = request({ mode: 'at', at: new Date(start + 10 * DAY).toISOString() });
    const { workflowId } = await t.w.client.request(input);
    const later = new Date(start + 20 * DAY).toISOString();
    expect((await t.w.client.reschedule(workflowId, later)).scheduledFor).toBe(later);
    await t.env.sleep(15 * DAY);
    expect(puts(orderId)).toHaveLength(0);
    await t.w.client.expedite(workflowId);
    const result = await t.w.client.result(workflowId);
    expect(result.status).toBe('completed');
    expect(result.scheduledFor).toBe(later);
    expect(puts(orderId)).toHaveLength(1);
    await expectShortHistory(workflowId, 'rescheduled-then-expedited');
    const refusal = await t.w.client.withdraw(workflowId).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(CancellationStateError);
    expect((refusal as Error).message).toBe('cannot withdraw: the cancellation is already completed');
  });

  test('withdraw after submission is rejected with a clear message', async () => {
    const { orderId, input } = request({ mode: 'immediate' });
    // The PUT path carries the cancellation id, the body the order id: match this order by its body.
    t.sim.addFault({
      method: 'PUT',
      bodyIncludes: orderId,
      fault: { kind: 'status', status: 503 },
      times: 0,
    });
    const { workflowId } = await t.w.client.request(input);
    // wait until the workflow is submitting
    for (let i = 0; i < 50 && (await t.w.client.status(workflowId)).stage !== 'submitting'; i++)
      await t.env.sleep(1000);
    const refusal = await t.w.client.withdraw(workflowId).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(CancellationStateError);
    expect((refusal as Error).message).toBe('cannot withdraw: the cancellation is already submitting');
    expect(puts(orderId).filter((r) => r.outcome === 'fault 503').length).toBeGreaterThan(0); // it fired
    t.sim.clearFaults();
    expect((await t.w.client.result(workflowId)).status).toBe('completed');
  });

  test('a provider down for six hours, then back, completes the cancellation', async () => {
    const { orderId, input } = request({ mode: 'immediate' });
    t.sim.addFault({ method: 'PUT', fault: { kind: 'status', status: 503 }, times: 0 });
    const start = Number(await serverNow());
    const { workflowId } = await t.w.client.request(input);
    await t.env.sleep(6 * 3_600_000);
    const during = await t.w.client.status(workflowId);
    expect(during.stage).toBe('submitting');
    expect(during.pendingAttempt).toBeGreaterThan(10);
    expect(during.lastError?.type).toBe('ProviderUnavailable');
    t.sim.clearFaults();
    const result = await t.w.client.result(workflowId);
    expect(result.status).toBe('completed');
    expect(result.attempts).toBeGreaterThan(10);
    expect(Number(await serverNow()) - start).toBeGreaterThanOrEqual(6 * 3_600_000);
    expect(t.sim.cancellations.size).toBeGreaterThan(0);
    expect([...t.sim.cancellations.values()].filter((c) => c.orderId === orderId)).toHaveLength(1);
    await expectShortHistory(workflowId, 'provider-down-six-hours');
  });

  test('a non-retryable provider error fails fast with its reason, shown as a failed run', async () => {
    const { input } = request({ mode: 'immediate' }, { target: { orderId: 'no-such-order' } });
    const { workflowId } = await t.w.client.request(input);
    const result = await t.w.client.result(workflowId);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'ProviderRejected', field: 'orderId' });
    expect(result.error?.message).toContain('Order not found');
    expect(t.sim.calls('PUT').filter((r) => r.path.endsWith(`cxl-${input.requestId}`))).toHaveLength(1);
    const described = await t.env.client.workflow.getHandle(workflowId).describe();
    expect(described.status.name).toBe('FAILED');
    await expectShortHistory(workflowId, 'non-retryable-failure');
  });

  test('provider-deferred end of period submits at once with the provider option', async () => {
    const { orderId, input } = request({ mode: 'end-of-billing-period', deferTo: 'provider' });
    const { workflowId } = await t.w.client.request(input);
    const result = await t.w.client.result(workflowId);
    expect(result.status).toBe('completed');
    expect(puts(orderId)[0]?.body).toMatchObject({ churnTimePolicy: 'at-next-renewal' });
    expect(result.effectiveAt).toBe(t.sim.orders.get(orderId)?.renewalTime);
    await expectShortHistory(workflowId, 'provider-deferred');
  });

  test('without periodEnd the workflow reads the period end from the provider', async () => {
    const { orderId, input } = request({ mode: 'end-of-billing-period' });
    const renewal = new Date(Number(await serverNow()) + 30 * DAY).toISOString();
    t.sim.addOrder({ id: orderId, renewalTime: renewal });
    const { workflowId } = await t.w.client.request(input);
    await t.env.sleep(DAY);
    const status = await t.w.client.status(workflowId);
    expect(status.scheduledFor).toBe(
      new Date(Date.parse(renewal) - END_OF_PERIOD_LEAD_MS.rebilly).toISOString(),
    );
    expect(puts(orderId)).toHaveLength(0);
    await t.w.client.withdraw(workflowId);
  });

  test('a date in the past is refused naming the field, by the client and by the workflow itself', async () => {
    const now = Number(await serverNow());
    // Five minutes of clock skew are tolerated.
    const skewed = request({ mode: 'at', at: new Date(now - 2 * 60_000).toISOString() });
    const { workflowId } = await t.w.client.request(skewed.input);
    expect((await t.w.client.result(workflowId)).status).toBe('completed');

    const { orderId, input } = request({ mode: 'at', at: new Date(now - 10 * 60_000).toISOString() });
    const refused = await t.w.client.request(input).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect((refused as InvalidRequestError).field).toBe('timing.at');

    // A backend in another language starts the workflow with its own SDK: the workflow refuses too.
    const periodEnd = new Date(now - 60 * 60_000).toISOString();
    const raw = {
      ...input,
      requestId: `${input.requestId}-raw`,
      timing: { mode: 'end-of-billing-period', periodEnd },
    };
    const handle = await t.env.client.workflow.start('cancelSubscription', {
      workflowId: `past-date-${orderId}`,
      taskQueue: t.w.taskQueue,
      args: [raw],
    });
    const failure = await handle.result().catch((e: unknown) => e);
    const cause = (failure as { cause?: { type?: string; details?: unknown[] } }).cause;
    expect(cause?.type).toBe('InvalidRequest');
    expect(cause?.details?.[1]).toMatchObject({ field: 'timing.periodEnd' });
    expect(t.sim.writes(orderId)).toHaveLength(0);
  });
});
