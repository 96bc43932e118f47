import { type CancellationRequestInput } from '../../common/request';
import { DEFAULT_RATE_LIMITS } from '../../common/rate-limits';
import { providerTaskQueue } from '../../common/task-queue';
import { burstToleratingTemporal } from '../../simulators/rate-limit';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { type CancellationWorker, createCancellationWorker } from '../../workers/worker';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';
import { startRebilly } from '../support/rebilly-fixture';
import { createDevServerEnv, startWorker, type RunningWorker } from '../support/temporal-env';

// Two workers (each a main worker plus provider workers) poll the same queues; Rebilly's queue is
// held to RATE by the server, across both. The simulator throttles Rebilly writes at the same rate,
// with room for the burst Temporal's limiter allows (its rate is split over the queue's partitions).
const RATE = 2;
const COUNT = 16;
// Temporal's burst at RATE, plus a second of RATE for a worker late to send what it was handed.
const SIM_BURST = burstToleratingTemporal(RATE);

describe('per-provider rate limits across workers (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let rebilly: Awaited<ReturnType<typeof startRebilly>>;
  let first: RunningWorker;
  let second: { worker: CancellationWorker; running: Promise<void>; connection: NativeConnection };

  beforeAll(async () => {
    rebilly = await startRebilly(5000);
    env = await createDevServerEnv();
    const rateLimits = { ...DEFAULT_RATE_LIMITS, rebilly: RATE };
    first = await startWorker(env, rebilly.deps, { rateLimits });
    // A second worker on the same queues, with a connection of its own, as another process has.
    const connection = await NativeConnection.connect({ address: env.address });
    const worker = await createCancellationWorker({
      connection,
      namespace: env.namespace ?? 'default',
      taskQueue: first.taskQueue,
      deps: rebilly.deps,
      workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
      rateLimits,
    });
    second = { worker, running: worker.run(), connection };
  });
  afterAll(async () => {
    second?.worker.shutdown();
    await second?.running;
    await second?.connection.close();
    await first?.stop();
    await env?.teardown();
    await rebilly?.sim.stop();
  });

  test(`${COUNT} Rebilly cancellations through two workers at ${RATE}/s: no 429, writes at the rate`, async () => {
    const { sim } = rebilly;
    sim.rateLimit.configure({ perSecond: RATE, burst: SIM_BURST });
    const requests = Array.from({ length: COUNT }, (_, i): CancellationRequestInput => {
      sim.addOrder({ id: `rl-ord-${i}` });
      return {
        requestId: `rl-req-${i}`,
        provider: 'rebilly',
        target: { orderId: `rl-ord-${i}` },
        timing: { mode: 'immediate' },
      } as CancellationRequestInput;
    });
    const accepted = await Promise.all(requests.map((r) => first.client.request(r)));
    const results = await Promise.all(accepted.map((a) => first.client.result(a.workflowId)));
    expect(results.map((r) => r.status)).toEqual(requests.map(() => 'completed'));

    const writes = sim.writes();
    expect(writes.map((w) => w.outcome).filter((o) => o !== '200' && o !== '201')).toEqual([]);
    expect(sim.rateLimit.describe()?.refused).toBe(0);
    expect(writes).toHaveLength(COUNT);

    // From the simulator's ledger: no window of W seconds holds more than SIM_BURST plus W × RATE.
    // Unthrottled, all COUNT writes land within a second or so.
    const at = writes.map((w) => Date.parse(w.at)).sort((a, b) => a - b);
    const most = (windowMs: number) =>
      Math.max(...at.map((t0) => at.filter((t) => t >= t0 && t < t0 + windowMs).length));
    for (const seconds of [1, 2, 4])
      expect(most(seconds * 1000)).toBeLessThanOrEqual(SIM_BURST + seconds * RATE);

    // The provider activities ran on Rebilly's queue; the verification run was started by a local
    // activity in the main worker (workflows/patches.ts), on no queue at all.
    const history = await first.temporal.workflow.getHandle(accepted[0]!.workflowId).fetchHistory();
    const queues = new Map<string, string>();
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name && s.taskQueue?.name) queues.set(s.activityType.name, s.taskQueue.name);
    }
    const rebillyQueue = providerTaskQueue(first.taskQueue, 'rebilly');
    expect(Object.fromEntries(queues)).toEqual({
      rebillySubmitCancellation: rebillyQueue,
      rebillyConfirmCancellation: rebillyQueue,
    });
  });
});
