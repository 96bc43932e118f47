import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Command } from 'commander';
import { CancellationClient } from '../client/cancellation-client';
import { dataConverterFromEnv } from '../codec/data-converter';
import { ensureDevDataProtectionEnv } from '../codec/dev-keys';
import { type CancellationRequestInput } from '../common/request';
import { startSimulators, type SimulatorSet } from '../simulators';
import { installRedactingWorkerLogger } from '../workers/logging';
import { buildBundle, PRODUCT_WORKFLOWS } from '../drills/support/bundle';
import { exitOnSignals } from '../drills/support/children';
import { cliPath, SHIPPED_PRAGMAS, startDevServer, type DevServer } from '../drills/support/dev-server';
import { mapLimit, percentile, progress, summary } from '../drills/support/stats';
import { seedMany } from '../drills/support/targets';
import { rssOf, spawnWorker, type WorkerProcess } from '../drills/support/worker-process';
import * as baselineActivities from './baseline/activities';
import { scatterSvg, type Band, type Point } from './chart';
import { writeReportMarkdown, type BenchReport, type Finding } from './report';

// `npm run bench`: throughput, latency, the scale of deferred cancellations and worker start-up,
// against a dev server started here, with a baseline (a trivial workflow with one no-op activity)
// measured in the same run on the same server. Writes bench/REPORT.md, report.json, latency.svg.

const program = new Command()
  .name('bench')
  .option('--duration <s>', 'seconds of each saturation (throughput) window', '30')
  .option('--latency-duration <s>', 'seconds of each open-loop latency run', '30')
  .option('--concurrency <n>', 'concurrent starters in the closed loop', '64')
  .option('--scale-count <n>', 'deferred cancellations waiting at once', '10000')
  .option(
    '--scale-ahead <s>',
    'seconds ahead of the common due time (default: from the measured rate, at least 120)',
  )
  .option('--withdraw-sample <n>', 'of those, how many to withdraw while they wait', '200')
  .option('--no-experiments', 'skip the tuning experiments')
  .option('--experiment-duration <s>', 'seconds of each tuning experiment', '15')
  .option('--out <dir>', 'where the report goes', __dirname)
  .parse();
const opts = program.opts<{
  duration: string;
  latencyDuration: string;
  concurrency: string;
  scaleCount: string;
  withdrawSample: string;
  scaleAhead?: string;
  experiments: boolean;
  experimentDuration: string;
  out: string;
}>();

const STATE = path.resolve(__dirname, '../.temporal/bench');
const BASELINE_ENTRY = path.resolve(__dirname, 'baseline/worker-entry.ts');
const BENCH_START = Date.now();
const since = (t: number) => (t - BENCH_START) / 1000;
const log = (line: string) => console.log(`[${since(Date.now()).toFixed(0).padStart(4)}s] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const MB = (bytes: number) => round(bytes / 1024 / 1024, 0);

const points: Point[] = [];
const bands: Band[] = [];
const findings: Finding[] = [];

interface Bundles {
  product: string;
  baseline: string;
}

/** One kind of unit of work: a product cancellation or the baseline workflow. */
interface Kind {
  name: 'cancellation' | 'baseline';
  /** Runs one from request to confirmed result; resolves to false if it did not complete. */
  once(): Promise<boolean>;
}

function cancellationKind(client: CancellationClient, sims: SimulatorSet, runKey: string): Kind {
  let n = 0;
  return {
    name: 'cancellation',
    async once() {
      const [s] = seedMany(sims, 1, `${runKey}${(n++ % 1e9).toString(36)}`);
      const accepted = await client.request(s!.request);
      const result = await client.result(accepted.workflowId);
      return result.status === 'completed';
    },
  };
}

function baselineKind(client: Client, taskQueue: string, eager = false): Kind {
  return {
    name: 'baseline',
    async once() {
      const handle = await client.workflow.start('baselineWorkflow', {
        taskQueue,
        workflowId: `baseline-${randomBytes(8).toString('hex')}`,
        ...(eager && { requestEagerStart: true }),
      });
      return (await handle.result()) === 'ok';
    },
  };
}

/** Closed loop: `concurrency` starters, each starting the next as soon as its last completed. */
async function closedLoop(kind: Kind, concurrency: number, seconds: number, phase: string, record = true) {
  const warmupMs = Math.min(5000, seconds * 200);
  const start = Date.now();
  const windowStart = start + warmupMs;
  const end = windowStart + seconds * 1000;
  const p = progress(`${phase}`, Math.round(seconds * 1000) / 1000, 5000, (l) =>
    log(l.replace(/\/\d+ done/, ' done')),
  );
  let inWindow = 0;
  let errors = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const t0 = Date.now();
        const ok = await kind.once().catch(() => false);
        const t1 = Date.now();
        p.tick();
        if (!ok) errors++;
        if (t1 >= windowStart && t1 <= end && ok) {
          inWindow++;
          latencies.push(t1 - t0);
        }
        if (record && ok) points.push({ t: since(t0), ms: t1 - t0, series: `${kind.name} (${phase})` });
      }
    }),
  );
  p.stop();
  if (record) bands.push({ from: since(start), to: since(Date.now()), label: phase });
  const rate = inWindow / seconds;
  log(
    `${phase}: ${rate.toFixed(1)}/s at concurrency ${concurrency} (${inWindow} in ${seconds} s, ${errors} errors)`,
  );
  return {
    perSecond: round(rate),
    completedInWindow: inWindow,
    errors,
    concurrency,
    seconds,
    latencyMs: summary(latencies),
  };
}

/** Open loop: arrivals at a fixed rate regardless of completions; latency from request to result. */
async function openLoop(kind: Kind, rate: number, seconds: number, phase: string) {
  const start = Date.now();
  const total = Math.max(1, Math.round(rate * seconds));
  const p = progress(phase, total, 5000, log);
  const latencies: number[] = [];
  let errors = 0;
  const all: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const t0 = Date.now();
    all.push(
      kind
        .once()
        .catch(() => false)
        .then((ok) => {
          const ms = Date.now() - t0;
          p.tick();
          if (!ok) return void errors++;
          latencies.push(ms);
          points.push({ t: since(t0), ms, series: `${kind.name} (${phase})` });
        }),
    );
  }
  await Promise.all(all);
  p.stop();
  bands.push({ from: since(start), to: since(Date.now()), label: phase });
  const s = summary(latencies);
  log(
    `${phase}: ${rate.toFixed(1)}/s offered, p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, ${errors} errors`,
  );
  return { offeredPerSecond: round(rate), requests: total, errors, latencyMs: s };
}

interface Env {
  server: DevServer;
  sims: SimulatorSet;
  connection: Connection;
  product: CancellationClient;
  raw: Client;
  bundles: Bundles;
}

async function startWorkerProcess(
  e: Env,
  kind: 'cancellation' | 'baseline',
  taskQueue: string,
  tuning: Record<string, number> = {},
): Promise<WorkerProcess> {
  const w = spawnWorker({
    ...(kind === 'baseline' && { entry: BASELINE_ENTRY }),
    address: e.server.address,
    taskQueue,
    bundlePath: kind === 'baseline' ? e.bundles.baseline : e.bundles.product,
    env: { ...e.sims.env, PROVIDER_HTTP_TIMEOUT_MS: '5000' },
    tuning,
    onStderr: (line) => log(`worker ${kind}: ${line}`),
  });
  await w.ready;
  return w;
}

async function openEnv(
  server: DevServer,
  sims: SimulatorSet,
  bundles: Bundles,
  taskQueue: string,
): Promise<Env> {
  const connection = await Connection.connect({ address: server.address });
  return {
    server,
    sims,
    connection,
    bundles,
    raw: new Client({ connection, namespace: 'default' }),
    product: new CancellationClient(
      new Client({ connection, namespace: 'default', dataConverter: dataConverterFromEnv() }),
      taskQueue,
    ),
  };
}

const queue = (label: string) => `bench-${label}-${randomBytes(3).toString('hex')}`;

/** Process start to RUNNING (first poll), and to the first cancellation completed, three times. */
async function measureStartup(e: Env) {
  const runs: Array<Record<string, number>> = [];
  for (let i = 0; i < 3; i++) {
    const tq = queue('startup');
    const client = new CancellationClient(e.product.client, tq);
    const [s] = seedMany(e.sims, 1, `startup${i}${Date.now().toString(36)}`);
    const accepted = await client.request(s!.request); // waits in the task queue for the worker
    const w = spawnWorker({
      address: e.server.address,
      taskQueue: tq,
      bundlePath: e.bundles.product,
      env: { ...e.sims.env },
    });
    const m = await w.ready;
    await client.result(accepted.workflowId);
    const done = Date.now();
    await w.stop();
    runs.push({
      toModulesLoadedMs: m.loaded - w.spawnedAt,
      toConnectedMs: m.connected - w.spawnedAt,
      toWorkerCreatedMs: m.created - w.spawnedAt,
      toRunningMs: m.running - w.spawnedAt,
      toFirstCancellationCompletedMs: done - w.spawnedAt,
    });
    log(
      `start-up ${i + 1}: RUNNING after ${m.running - w.spawnedAt} ms, first cancellation done after ${done - w.spawnedAt} ms`,
    );
  }
  const median = (k: string) =>
    percentile(
      runs.map((r) => r[k]!),
      50,
    );
  return {
    runs,
    medianMs: Object.fromEntries(Object.keys(runs[0]!).map((k) => [k, median(k)])),
  };
}

/** N deferred cancellations waiting for one common time: memory, lateness, withdraw latency. */
async function measureScale(
  e: Env,
  count: number,
  withdrawSample: number,
  startRateGuess: number,
  worker: WorkerProcess,
) {
  const start = Date.now();
  const aheadS = opts.scaleAhead
    ? Number(opts.scaleAhead)
    : Math.max(120, Math.ceil((count / Math.max(1, startRateGuess)) * 2 + 60));
  const fireAt = new Date(Math.ceil((Date.now() + aheadS * 1000) / 1000) * 1000).toISOString();
  log(
    `scale: ${count} cancellations at ${fireAt} (${aheadS} s ahead), then ${withdrawSample} withdrawn while they wait`,
  );
  const rss: Array<{ t: number; worker: number; server: number }> = [];
  const sampler = setInterval(
    () => rss.push({ t: Date.now(), worker: worker.rss(), server: rssOf(e.server.pid()) }),
    2000,
  );
  const baseRss = { worker: worker.rss(), server: rssOf(e.server.pid()) };

  const seeded = seedMany(e.sims, count, `scale${Date.now().toString(36)}`, () => ({
    mode: 'at',
    at: fireAt,
  }));
  const p = progress('scale: scheduling', count, 5000, log);
  const requestMs: number[] = [];
  const accepted = await mapLimit(seeded, 32, async (s) => {
    const t0 = Date.now();
    const a = await e.product.request(s.request as CancellationRequestInput);
    requestMs.push(Date.now() - t0);
    p.tick();
    return a;
  });
  p.stop();
  const scheduledIn = (Date.now() - start) / 1000;
  const allWaitingBy = Date.now();
  log(
    `scale: ${count} scheduled in ${scheduledIn.toFixed(0)} s (${(count / scheduledIn).toFixed(0)}/s); ${((Date.parse(fireAt) - Date.now()) / 1000).toFixed(0)} s to go`,
  );

  // While they wait: withdraw a sample (spread over the list), and read the memory.
  await sleep(5000);
  const sample = accepted
    .filter((_, i) => i % Math.floor(count / withdrawSample) === 0)
    .slice(0, withdrawSample);
  const withdrawMs: number[] = [];
  let withdrawRefused = 0;
  const refused = new Set<string>();
  const wStart = Date.now();
  const pw = progress('scale: withdrawing', sample.length, 5000, log);
  await mapLimit(sample, 4, async (a) => {
    const t0 = Date.now();
    // Past the due time a sampled one may already be submitting: refused, and counted as such.
    const ok = await e.product.withdraw(a.workflowId, 'bench sample').then(
      () => true,
      () => false,
    );
    pw.tick();
    if (!ok) return void (withdrawRefused++, refused.add(a.workflowId));
    withdrawMs.push(Date.now() - t0);
    points.push({ t: since(t0), ms: Date.now() - t0, series: 'withdraw while they wait' });
  });
  pw.stop();
  bands.push({ from: since(wStart), to: since(Date.now()), label: 'withdraw sample' });
  const waiting = {
    workerRssMB: MB(worker.rss()),
    serverRssMB: MB(rssOf(e.server.pid())),
  };
  log(
    `scale: withdraw p50 ${percentile(withdrawMs, 50)} ms p99 ${percentile(withdrawMs, 99)} ms; RSS worker ${waiting.workerRssMB} MB, server ${waiting.serverRssMB} MB`,
  );
  const withdrawn = new Set(sample.map((a) => a.workflowId));
  if (Date.now() >= Date.parse(fireAt))
    log('scale: WARNING scheduling and withdrawing ran past the due time');

  // They fall due together: follow the completions by visibility.
  await sleep(Math.max(0, Date.parse(fireAt) - Date.now()));
  const firing = count - withdrawn.size + withdrawRefused;
  const fireStart = Date.now();
  const q = `WorkflowType = 'cancelSubscription' AND CancellationStage = 'completed' AND TaskQueue = '${e.product.taskQueue}'`;
  const pf = progress('scale: firing', firing, 5000, log);
  let completedBefore = (await e.product.client.workflow.count(q)).count;
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    await sleep(2000);
    const n = (await e.product.client.workflow.count(q)).count;
    pf.tick(n - completedBefore);
    completedBefore = n;
    if (pf.done >= firing || Date.now() > deadline) break;
  }
  pf.stop();
  const drainS = (Date.now() - fireStart) / 1000;
  bands.push({ from: since(fireStart), to: since(Date.now()), label: `${firing} fire together` });
  clearInterval(sampler);

  log('scale: reading the results');
  const lateMs: number[] = [];
  let notCompleted = 0;
  await mapLimit(
    accepted.filter((a) => !withdrawn.has(a.workflowId) || refused.has(a.workflowId)),
    32,
    async (a) => {
      const r = await e.product.result(a.workflowId);
      if (r.status !== 'completed' || !r.submittedAt) return void notCompleted++;
      const late = Date.parse(r.submittedAt) - Date.parse(fireAt);
      lateMs.push(late);
      points.push({
        t: since(Date.parse(r.submittedAt)),
        ms: Math.max(1, late),
        series: 'deferred: late at submit',
      });
    },
  );
  const peak = (k: 'worker' | 'server', from: number, to: number) =>
    MB(Math.max(0, ...rss.filter((r) => r.t >= from && r.t <= to).map((r) => r[k])));
  return {
    count,
    fireAt,
    scheduledInSeconds: round(scheduledIn),
    schedulingPerSecond: round(count / scheduledIn),
    requestLatencyMs: summary(requestMs),
    allWaitingBeforeDue: allWaitingBy < Date.parse(fireAt),
    rssMB: {
      workerBefore: MB(baseRss.worker),
      serverBefore: MB(baseRss.server),
      workerWaiting: waiting.workerRssMB,
      serverWaiting: waiting.serverRssMB,
      workerPeakWhileFiring: peak('worker', fireStart, Date.now()),
      serverPeakWhileFiring: peak('server', fireStart, Date.now()),
    },
    withdrawn: withdrawn.size - withdrawRefused,
    withdrawRefused,
    withdrawLatencyMs: summary(withdrawMs),
    fired: firing,
    completed: lateMs.length,
    notCompleted,
    drainSeconds: round(drainS),
    drainPerSecond: round(firing / drainS),
    lateAtSubmitMs: summary(lateMs),
  };
}

/** Eager workflow start needs the worker in the starter's process, on one NativeConnection. */
async function eagerStartExperiment(e: Env, runs: number) {
  const nc = await NativeConnection.connect({ address: e.server.address });
  const tq = queue('eager');
  const worker = await Worker.create({
    connection: nc,
    namespace: 'default',
    taskQueue: tq,
    activities: baselineActivities,
    workflowBundle: { codePath: e.bundles.baseline },
  });
  const running = worker.run();
  const client = new Client({ connection: nc, namespace: 'default' });
  const result: Record<string, ReturnType<typeof summary>> = {};
  try {
    for (const eager of [false, true, false, true]) {
      const kind = baselineKind(client, tq, eager);
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = Date.now();
        await kind.once();
        ms.push(Date.now() - t0);
      }
      result[eager ? 'eager' : 'regular'] = summary(ms); // the second round of each counts (warm)
    }
  } finally {
    worker.shutdown();
    await running;
    await nc.close();
  }
  return result;
}

function machine() {
  let temporal = 'unknown';
  try {
    temporal = execFileSync(cliPath(), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    /* reported as unknown */
  }
  const sdk = (
    JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporalSdk: sdk,
    temporalCli: temporal,
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
  };
}

async function main(): Promise<void> {
  exitOnSignals();
  const duration = Number(opts.duration);
  const latencyDuration = Number(opts.latencyDuration);
  const concurrency = Number(opts.concurrency);
  const expDuration = Number(opts.experimentDuration);
  const scaleCount = Number(opts.scaleCount);
  ensureDevDataProtectionEnv(); // payloads encrypted, as the product ships
  installRedactingWorkerLogger(process.env, 'ERROR');
  const host = machine();
  log(
    `machine: ${host.cpus} cores (${host.cpuModel}), ${host.memoryGiB} GiB, Node ${host.node}, ${host.temporalCli}`,
  );

  log('bundling the product and baseline workflows...');
  rmSync(STATE, { recursive: true, force: true });
  const bundles: Bundles = {
    product: await buildBundle({
      workflowsPath: PRODUCT_WORKFLOWS,
      outFile: path.join(STATE, 'product.js'),
      withFailureConverter: true,
    }),
    baseline: await buildBundle({
      workflowsPath: require.resolve('./baseline/workflows'),
      outFile: path.join(STATE, 'baseline.js'),
      withFailureConverter: false,
    }),
  };
  const server = await startDevServer({ dbFile: path.join(STATE, 'temporal.sqlite') });
  const sims = await startSimulators(); // zero added latency
  const productQueue = queue('product');
  const e = await openEnv(server, sims, bundles, productQueue);
  const workers: WorkerProcess[] = [];
  const extraServers: DevServer[] = [];
  try {
    log(`dev server ${server.address} (pid ${server.pid()}, SQLite ${SHIPPED_PRAGMAS.join(', ')})`);

    // --- Worker start-up ---------------------------------------------------------------------------
    const startup = await measureStartup(e);

    // --- Throughput at saturation, and latency at half of it ---------------------------------------
    const baseQueue = queue('baseline');
    const baseWorker = await startWorkerProcess(e, 'baseline', baseQueue);
    workers.push(baseWorker);
    const baseline = baselineKind(e.raw, baseQueue);
    await closedLoop(baseline, 8, 3, 'warm-up', false);
    const baseThroughput = await closedLoop(baseline, concurrency, duration, 'baseline saturation');
    const baseLatency = await openLoop(
      baseline,
      baseThroughput.perSecond / 2,
      latencyDuration,
      'baseline at half rate',
    );
    await baseWorker.stop();

    let worker = await startWorkerProcess(e, 'cancellation', productQueue);
    workers.push(worker);
    const defaults = (await worker.ready).options;
    const product = cancellationKind(e.product, sims, `thr${Date.now().toString(36)}`);
    await closedLoop(product, 8, 3, 'warm-up', false);
    const throughput = await closedLoop(product, concurrency, duration, 'cancellation saturation');
    const latency = await openLoop(
      product,
      throughput.perSecond / 2,
      latencyDuration,
      'cancellation at half rate',
    );
    const workerRssAfterLoad = MB(worker.rss());

    // --- Tuning experiments ------------------------------------------------------------------------
    const experiments: Array<{
      name: string;
      setting: string;
      perSecond: number;
      p50Ms: number;
      p99Ms: number;
    }> = [];
    let eager: Awaited<ReturnType<typeof eagerStartExperiment>> | undefined;
    if (opts.experiments) {
      const tryWorker = async (
        name: string,
        setting: string,
        tuning: Record<string, number>,
        c = concurrency,
        env2 = e,
      ) => {
        const tq = queue('exp');
        const w = await startWorkerProcess(env2, 'cancellation', tq, tuning);
        workers.push(w);
        const kind = cancellationKind(
          new CancellationClient(env2.product.client, tq),
          env2.sims,
          `exp${Date.now().toString(36)}`,
        );
        const r = await closedLoop(kind, c, expDuration, `exp: ${name}`, false);
        await w.stop();
        experiments.push({
          name,
          setting,
          perSecond: r.perSecond,
          p50Ms: r.latencyMs.p50,
          p99Ms: r.latencyMs.p99,
        });
      };
      await worker.stop();
      await tryWorker('shipped worker defaults', JSON.stringify(defaults), {});
      await tryWorker('concurrency 16', 'closed loop of 16 starters', {}, 16);
      await tryWorker('concurrency 128', 'closed loop of 128 starters', {}, 128);
      await tryWorker('more pollers', 'workflow and activity task pollers 20 (default 10)', {
        maxConcurrentWorkflowTaskPolls: 20,
        maxConcurrentActivityTaskPolls: 20,
      });
      await tryWorker('fewer workflow slots', 'maxConcurrentWorkflowTaskExecutions 10 (default 40)', {
        maxConcurrentWorkflowTaskExecutions: 10,
      });
      await tryWorker('two workflow threads', 'workflowThreadPoolSize 2 (default 1 with reuseV8Context)', {
        workflowThreadPoolSize: 2,
      });
      await tryWorker('small workflow cache', 'maxCachedWorkflows 50', { maxCachedWorkflows: 50 });
      // The server without the shipped pragmas: SQLite's defaults (rollback journal, synchronous=full).
      const plain = await startDevServer({ dbFile: path.join(STATE, 'plain.sqlite'), pragmas: [] });
      extraServers.push(plain);
      const e2 = await openEnv(plain, sims, bundles, queue('plain'));
      await tryWorker(
        'server without WAL pragmas',
        'SQLite defaults (rollback journal, synchronous=full)',
        {},
        concurrency,
        e2,
      );
      await e2.connection.close();
      await plain.stop();
      eager = await eagerStartExperiment(e, 50);
      log(
        `eager start (baseline, in-process worker): regular p50 ${eager.regular?.p50} ms, eager p50 ${eager.eager?.p50} ms`,
      );
      worker = await startWorkerProcess(e, 'cancellation', productQueue);
      workers.push(worker);
    }

    // --- Scale of deferred cancellations -------------------------------------------------------------
    const scale = await measureScale(
      e,
      scaleCount,
      Number(opts.withdrawSample),
      throughput.perSecond * 4,
      worker,
    );
    log(
      `scale: late at submit p50 ${scale.lateAtSubmitMs.p50} ms, p99 ${scale.lateAtSubmitMs.p99} ms, max ${scale.lateAtSubmitMs.max} ms`,
    );
    await worker.stop();

    const report: BenchReport = {
      generatedAt: new Date().toISOString(),
      durationSeconds: Math.round(since(Date.now())),
      machine: { ...host, loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)) },
      setup: {
        server: `temporal server start-dev, SQLite file, pragmas ${SHIPPED_PRAGMAS.join(', ')}`,
        worker: 'one worker process (node --import tsx), prebuilt workflow bundle, shipped defaults',
        workerOptions: defaults,
        simulators: 'the four provider simulators, zero added latency, in the benchmark process',
        payloads: 'cancellations: AES-GCM payload codec as shipped; baseline: default data converter',
        concurrency,
        experimentSeconds: expDuration,
        workerRssAfterLoadMB: workerRssAfterLoad,
      },
      throughput: {
        cancellation: throughput,
        baseline: baseThroughput,
        ratio: round(throughput.perSecond / baseThroughput.perSecond, 2),
      },
      latency: { cancellation: latency, baseline: baseLatency },
      scale,
      startup,
      experiments,
      ...(eager && { eagerStart: eager }),
      findings,
    };
    addFindings(report);
    writeFileSync(path.join(opts.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(
      path.join(opts.out, 'latency.svg'),
      scatterSvg('Latency over the benchmark run (request to confirmed result; log scale)', points, bands),
    );
    await writeReportMarkdown(path.join(opts.out, 'REPORT.md'), report);
    log(`wrote ${path.join(opts.out, 'REPORT.md')}, report.json and latency.svg`);
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  } finally {
    await Promise.all(workers.map((w) => w.stop(10_000)));
    await Promise.all(extraServers.map((s) => s.stop()));
    await e.connection.close().catch(() => undefined);
    await sims.stop();
    await server.stop();
  }
}

/** What the numbers say, in words (the report's tuning section). */
function addFindings(r: BenchReport): void {
  const base = r.experiments.find((x) => x.name === 'shipped worker defaults');
  for (const x of r.experiments) {
    if (x === base || !base) continue;
    const delta = ((x.perSecond - base.perSecond) / base.perSecond) * 100;
    findings.push({
      tried: `${x.name}: ${x.setting}`,
      numbers: `${x.perSecond}/s (p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms) against ${base.perSecond}/s (p50 ${base.p50Ms} ms, p99 ${base.p99Ms} ms) with the shipped defaults: ${delta >= 0 ? '+' : ''}${delta.toFixed(0)} %`,
    });
  }
  if (r.eagerStart?.regular && r.eagerStart.eager)
    findings.push({
      tried:
        'eager workflow start (baseline workflow, worker in the starting process on one NativeConnection, 50 sequential runs)',
      numbers: `p50 ${r.eagerStart.eager.p50} ms eager against ${r.eagerStart.regular.p50} ms regular (p99 ${r.eagerStart.eager.p99} / ${r.eagerStart.regular.p99} ms)`,
    });
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
