import { randomBytes, randomUUID } from 'node:crypto';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { CancellationClient } from '../../client/cancellation-client';
import { type CancellationRequestInput } from '../../common/request';
import { spawnWorker, type WorkerProcess } from '../../harness/worker-process';
import { freePort } from '../../scripts/free-port';
import { RebillySimulator } from '../../simulators/rebilly';
import { REBILLY_KEY, REBILLY_ORG } from '../support/rebilly-fixture';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';
import { createDevServerEnv, temporalClientFor } from '../support/temporal-env';
import { scrape, total, type Series } from './prometheus';

// A worker process started the way operators start one, with CANCELLATIONS_METRICS_ADDRESS set:
// real cancellations through the Rebilly simulator move the product's counters on its Prometheus
// endpoint, next to the SDK's own metrics, and no label carries an id.

const id = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;
const customerId = id('cus');
const orders = { completed: id('ord'), throttled: id('ord'), missing: id('ord'), withdrawn: id('ord') };

describe('Prometheus metrics of a worker process (Rebilly simulator, dev server)', () => {
  let env: TestWorkflowEnvironment;
  let sim: RebillySimulator;
  let worker: WorkerProcess;
  let client: CancellationClient;
  let metricsUrl: string;
  const stderr: string[] = [];

  beforeAll(async () => {
    env = await createDevServerEnv();
    sim = new RebillySimulator({ organizationId: REBILLY_ORG, apiKey: REBILLY_KEY });
    const simUrl = await sim.start();
    const address = `127.0.0.1:${await freePort()}`;
    metricsUrl = `http://${address}/metrics`;
    const taskQueue = `metrics-${randomUUID()}`;
    worker = spawnWorker({
      address: env.connection.options.address,
      taskQueue,
      bundlePath: WORKFLOW_BUNDLE_PATH,
      env: {
        REBILLY_BASE_URL: simUrl,
        REBILLY_ORGANIZATION_ID: REBILLY_ORG,
        REBILLY_API_KEY: REBILLY_KEY,
        PROVIDER_HTTP_TIMEOUT_MS: '1500',
        CANCELLATIONS_METRICS_ADDRESS: address,
      },
      onStderr: (line) => stderr.push(line),
    });
    await worker.ready;
    // No grace: the verification of an immediate cancellation runs right after it.
    client = new CancellationClient(temporalClientFor(env), taskQueue, {
      runOptions: { verificationGraceSeconds: 0 },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
    await sim?.stop();
  });

  const request = (orderId: string, over: Partial<CancellationRequestInput> = {}) =>
    ({
      requestId: id('req'),
      provider: 'rebilly',
      target: { orderId },
      timing: { mode: 'immediate' },
      customerId,
      ...over,
    }) as CancellationRequestInput;

  /** Scrapes until `ready` holds (the workflow's metrics follow its result by a moment). */
  async function scrapeUntil(ready: (s: Series[]) => boolean): Promise<{ text: string; series: Series[] }> {
    let last = await scrape(metricsUrl);
    for (let i = 0; i < 60 && !ready(last.series); i++) {
      await new Promise((r) => setTimeout(r, 250));
      last = await scrape(metricsUrl);
    }
    return last;
  }

  test('counters move with real cancellations, and no label carries an id or a secret', async () => {
    const rebilly = { provider: 'rebilly' };

    sim.addOrder({ id: orders.completed });
    const completed = await client.request(request(orders.completed));
    const result = await client.result(completed.workflowId);
    expect(result.status).toBe('completed');
    const verification = temporalClientFor(env).workflow.getHandle(result.verification!.workflowId!);
    expect(await verification.result()).toMatchObject({ status: 'verified' });

    // The provider throttles the first submit: one failed attempt, then the run completes.
    sim.addOrder({ id: orders.throttled });
    sim.addFault({ method: 'PUT', fault: { kind: 'rate-limit', retryAfterSeconds: 1 } });
    const throttled = await client.request(request(orders.throttled));
    expect((await client.result(throttled.workflowId)).status).toBe('completed');

    // An order the provider does not know: the run fails with the provider's error type.
    const missing = await client.request(request(orders.missing));
    expect((await client.result(missing.workflowId)).status).toBe('failed');

    sim.addOrder({ id: orders.withdrawn });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const withdrawn = await client.request(request(orders.withdrawn, { timing: { mode: 'at', at: later } }));
    await client.withdraw(withdrawn.workflowId);
    expect((await client.result(withdrawn.workflowId)).status).toBe('withdrawn');

    const { text, series } = await scrapeUntil(
      (s) =>
        total(s, 'cancellations_completed', rebilly) >= 2 &&
        total(s, 'cancellations_failed', rebilly) >= 1 &&
        total(s, 'cancellations_withdrawn', rebilly) >= 1 &&
        total(s, 'cancellations_verifications', rebilly) >= 2,
    );

    expect({
      started: total(series, 'cancellations_started', rebilly),
      completed: total(series, 'cancellations_completed', rebilly),
      failed: total(series, 'cancellations_failed', rebilly),
      withdrawn: total(series, 'cancellations_withdrawn', rebilly),
      verified: total(series, 'cancellations_verifications', { ...rebilly, outcome: 'verified' }),
      submitSuccesses: total(series, 'cancellations_submit_attempts', { ...rebilly, outcome: 'success' }),
      throttledSubmits: total(series, 'cancellations_submit_attempts', {
        ...rebilly,
        outcome: 'failure',
        error_type: 'ProviderRateLimited',
      }),
      rateLimited: total(series, 'cancellations_provider_rate_limited', rebilly),
    }).toEqual({
      started: 4,
      completed: 2,
      failed: 1,
      withdrawn: 1,
      verified: 2,
      submitSuccesses: 2,
      throttledSubmits: 1,
      rateLimited: 1,
    });
    // Both completed runs were verified (no grace); each was confirmed at some level; the failed one names its error type.
    const levels = series.filter((s) => s.name === 'cancellations_completed').map((s) => s.labels.level);
    expect(levels.every((l) => ['accepted', 'scheduled', 'effective'].includes(l!))).toBe(true);
    const failed = series.find((s) => s.name === 'cancellations_failed');
    expect(failed?.labels.error_type).toMatch(/^Provider[A-Za-z]+$/);

    // Provider latency by operation and status, e.g. the upsert's 200s and the 429.
    const upsert = { ...rebilly, operation: 'upsert order-cancellation' };
    expect(total(series, 'cancellations_provider_request_duration_count', upsert)).toBeGreaterThanOrEqual(3);
    expect(total(series, 'cancellations_provider_request_duration_count', { ...upsert, status: '429' })).toBe(
      1,
    );
    expect(
      total(series, 'cancellations_provider_request_duration_count', { ...rebilly, operation: 'get order' }),
    ).toBeGreaterThan(0);

    // The SDK's own runtime metrics are on the same endpoint.
    expect(series.some((s) => s.name.startsWith('temporal_workflow_task_'))).toBe(true);
    expect(series.some((s) => s.name.startsWith('temporal_activity_execution_'))).toBe(true);

    // Labels are a closed vocabulary: no order, customer, request or workflow id, no secret.
    const forbidden = [customerId, ...Object.values(orders), REBILLY_KEY, completed.requestId];
    const labelValues = new Set(series.flatMap((s) => Object.values(s.labels)));
    for (const value of labelValues)
      for (const f of forbidden)
        expect({ value, contains: value.includes(f) }).toEqual({ value, contains: false });
    for (const f of [...forbidden, completed.workflowId.split('/').pop()!]) expect(text).not.toContain(f);
    expect(stderr.join('\n')).not.toContain(REBILLY_KEY);
  });
});
