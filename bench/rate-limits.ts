import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { format, resolveConfig } from 'prettier';
import { CancellationClient } from '../client/cancellation-client';
import { dataConverterFromEnv } from '../codec/data-converter';
import { RATE_LIMITS_VARIABLE } from '../common/rate-limits';
import { providerTaskQueue } from '../common/task-queue';
import { buildBundle, PRODUCT_WORKFLOWS } from '../harness/bundle';
import { startDevServer } from '../harness/dev-server';
import { seedMany } from '../harness/targets';
import { spawnWorker } from '../harness/worker-process';
import { startSimulators } from '../simulators';
import { type SimRequest } from '../simulators/framework';
import { burstToleratingTemporal, temporalQueueBurst } from '../simulators/rate-limit';
import { WORKFLOW_TYPE } from '../workflows/definitions';
import { queue, Started } from './env';
import { type machine } from './machine';
import { round } from './numbers';
import { beginBenchRun, benchCommand } from './begin';

// `npm run bench:rate-limits`: Rebilly cancellations through two worker processes polling the
// same queues, the Rebilly queue held to a rate by Temporal (CANCELLATIONS_RATE_LIMITS), and the
// Rebilly simulator throttling writes at that same rate. Reports the rate achieved and the 429s
// (there should be none) in bench/RATE-LIMITS.md and rate-limits.json.

const opts = benchCommand('bench:rate-limits')
  .option('--count <n>', 'Rebilly cancellations (immediate)', '1000')
  .option('--rate <n>', 'Rebilly rate, provider activities per second across all workers', '5')
  .option('--workers <n>', 'worker processes', '2')
  .option('--sim-burst <n>', "simulator bucket (default: Temporal's queue burst plus a second's rate)")
  .parse()
  .opts<{ count: string; rate: string; workers: string; simBurst?: string; out: string }>();

const STATE = path.resolve(__dirname, '../.temporal/bench-rate-limits');

async function main(): Promise<void> {
  const { log, host } = beginBenchRun({ out: opts.out, stateDir: STATE });
  const count = Number(opts.count);
  const rate = Number(opts.rate);
  const simBurst = opts.simBurst ? Number(opts.simBurst) : burstToleratingTemporal(rate);
  const bundlePath = await buildBundle({
    workflowsPath: PRODUCT_WORKFLOWS,
    outFile: path.join(STATE, 'product.js'),
    withFailureConverter: true,
  });
  const server = await startDevServer({ dbFile: path.join(STATE, 'temporal.sqlite') });
  const sims = await startSimulators();
  const connection = await Connection.connect({ address: server.address });
  const started = new Started();
  const taskQueue = queue('rate-limits');
  try {
    const rebilly = sims.rebilly;
    rebilly.rateLimit.configure({ perSecond: rate, burst: simBurst });
    log(`dev server ${server.address}; Rebilly simulator throttles writes at ${rate}/s, burst ${simBurst}`);
    const workers = await Promise.all(
      Array.from({ length: Number(opts.workers) }, () =>
        started.worker(
          spawnWorker({
            address: server.address,
            taskQueue,
            bundlePath,
            env: {
              ...sims.env,
              PROVIDER_HTTP_TIMEOUT_MS: '5000',
              [RATE_LIMITS_VARIABLE]: `rebilly=${rate}`,
            },
            onStderr: (line) => log(`worker: ${line}`),
          }),
        ),
      ),
    );
    await Promise.all(workers.map((w) => w.ready));
    log(
      `${workers.length} worker processes on "${taskQueue}" (pids ${workers.map((w) => w.pid).join(', ')})`,
    );

    const client = new CancellationClient(
      new Client({ connection, namespace: 'default', dataConverter: dataConverterFromEnv() }),
      taskQueue,
    );
    const seeded = seedMany(sims, count, `rl${Date.now().toString(36)}`, undefined, ['rebilly']);
    const t0 = Date.now();
    const ticker = setInterval(() => {
      const w = rebilly.writes();
      log(`writes accepted ${w.filter(acceptedWrite).length}, refused (429) ${w.filter(refused).length}`);
    }, 15_000);
    let statuses: string[];
    try {
      const runs = await inPool(seeded, 32, (s) => client.request(s.request));
      statuses = await inPool(runs, 64, async (a) => (await client.result(a.workflowId)).status);
    } finally {
      clearInterval(ticker);
    }
    const seconds = (Date.now() - t0) / 1000;

    const writes = rebilly.writes();
    const ok = writes.filter(acceptedWrite).map((w) => Date.parse(w.at));
    // Every Rebilly activity on the queue makes one counted call: a submit its PUT, a confirm its
    // first GET (of the order-cancellation); together they are the queue's dispatches.
    const confirms = rebilly.calls('GET', '/order-cancellations/').map((r) => Date.parse(r.at));
    const identities = await workerIdentities(client, 100);
    const result = {
      generatedAt: new Date().toISOString(),
      machine: host,
      setup: {
        cancellations: count,
        workerProcesses: workers.length,
        taskQueue,
        rebillyQueue: providerTaskQueue(taskQueue, 'rebilly'),
        [RATE_LIMITS_VARIABLE]: `rebilly=${rate}`,
        simulator: { perSecond: rate, burst: simBurst, counts: 'non-GET requests (Rebilly)' },
      },
      completed: statuses.filter((s) => s === 'completed').length,
      seconds: round(seconds, 1),
      writes: { accepted: ok.length, refused429: writes.filter(refused).length, ...rateOf(ok) },
      queueDispatches: rateOf([...ok, ...confirms]),
      maxWritesIn: { '1s': most(ok, 1000), '10s': most(ok, 10_000), '60s': most(ok, 60_000) },
      activitiesByWorker: identities,
    };
    log(JSON.stringify(result.writes));
    // Formatted the way the repository's prettier check wants them.
    const config = (await resolveConfig(path.join(opts.out, 'RATE-LIMITS.md'))) ?? {};
    const json = await format(JSON.stringify(result), { ...config, parser: 'json' });
    writeFileSync(path.join(opts.out, 'rate-limits.json'), json);
    writeFileSync(
      path.join(opts.out, 'RATE-LIMITS.md'),
      await format(render(result), { ...config, parser: 'markdown' }),
    );
    log(`wrote ${path.join(opts.out, 'RATE-LIMITS.md')} and rate-limits.json`);
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  } finally {
    await started.stopAll();
    await connection.close().catch(() => undefined);
    await sims.stop();
    await server.stop();
  }
}

const acceptedWrite = (r: SimRequest) => r.outcome === '200' || r.outcome === '201';
const refused = (r: SimRequest) => r.outcome === '429';

/** Events per second from the first to the last (n - 1 intervals), and over what span. */
function rateOf(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const span = (sorted.at(-1)! - sorted[0]!) / 1000;
  return {
    count: sorted.length,
    spanSeconds: round(span, 1),
    perSecond: round((sorted.length - 1) / span, 2),
  };
}

/** The most events in any window of `ms` that starts at an event. */
function most(times: number[], ms: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j]! < t[i]! + ms) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
async function inPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/** Which worker process started the activities of a sample of cancellation runs (their histories). */
async function workerIdentities(client: CancellationClient, n: number) {
  const byIdentity: Record<string, number> = {};
  const query = `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${client.taskQueue}'`;
  const runs = client.client.workflow.list({ query, pageSize: n });
  let seen = 0;
  for await (const run of runs) {
    if (seen++ >= n) break;
    const history = await client.client.workflow.getHandle(run.workflowId).fetchHistory();
    for (const e of history.events ?? []) {
      const identity = e.activityTaskStartedEventAttributes?.identity;
      if (identity) byIdentity[identity] = (byIdentity[identity] ?? 0) + 1;
    }
  }
  return byIdentity;
}

function render(r: {
  generatedAt: string;
  machine: ReturnType<typeof machine>;
  setup: Record<string, unknown>;
  completed: number;
  seconds: number;
  writes: { accepted: number; refused429: number; perSecond: number; spanSeconds: number };
  queueDispatches: { count: number; perSecond: number; spanSeconds: number };
  maxWritesIn: Record<string, number>;
  activitiesByWorker: Record<string, number>;
}): string {
  const rate = Number(String(r.setup[RATE_LIMITS_VARIABLE]).split('=')[1]);
  return `# Provider rate limits: bench

Generated by \`npm run bench:rate-limits\` on ${r.generatedAt}. What is limited and why: [docs/rate-limits.md](../docs/rate-limits.md).

${r.setup.cancellations as number} immediate Rebilly cancellations through ${r.setup.workerProcesses as number} worker processes polling the same queues, \`${RATE_LIMITS_VARIABLE}=rebilly=${rate}\` (Temporal holds \`${r.setup.rebillyQueue as string}\` to ${rate} activity tasks a second across both), and the Rebilly simulator throttling non-GET requests at ${rate}/s (token bucket, burst ${(r.setup.simulator as { burst: number }).burst}: Temporal's own burst at this rate over the queue's 4 partitions, ${temporalQueueBurst(rate)}, plus a second of the rate, for a worker late to send what it was handed; docs/rate-limits.md, "Bursts").

| | |
|---|---|
| completed | **${r.completed} of ${r.setup.cancellations as number}** in ${r.seconds} s |
| 429s from the simulator | **${r.writes.refused429}** |
| writes (PUT) accepted | ${r.writes.accepted}, at **${r.writes.perSecond}/s** (first to last, ${r.writes.spanSeconds} s) |
| Rebilly queue dispatches (submits + confirms) | ${r.queueDispatches.count}, at **${r.queueDispatches.perSecond}/s** (limit ${rate}/s) |
| most writes in any 1 s / 10 s / 60 s | ${r.maxWritesIn['1s']} / ${r.maxWritesIn['10s']} / ${r.maxWritesIn['60s']} |
| activities started, by worker process (100 runs' histories) | ${Object.entries(r.activitiesByWorker)
    .map(([id, n]) => `${id.replace(/@.*/, '@…')}: ${n}`)
    .join(', ')} |

The limit counts activity tasks, not HTTP calls: an immediate cancellation is two Rebilly activities (submit, then confirm), so ${rate}/s on the queue is about ${rate / 2} cancellations a second, and at most ${rate} writes a second.

Machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), Node ${r.machine.node}, ${r.machine.temporalCli}, load average at start ${r.machine.loadAverageAtStart.join(' / ')}.
`;
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
