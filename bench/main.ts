import path from 'node:path';
import { startSimulators } from '../simulators';
import { SHIPPED_PRAGMAS, startDevServer } from '../harness/dev-server';
import { cpuMsOf, type WorkerProcess } from '../harness/worker-process';
import { buildBundles, openEnv, queue, Started, startWorkerProcess, type Env } from './env';
import { runExperiments, type EagerStart } from './experiments';
import { findingsFrom } from './findings';
import { baselineKind, cancellationKind, productShapes, skeletonKind } from './kinds';
import { saturationThenHalfRate } from './loads';
import { loadAverage } from './machine';
import { MB, round } from './numbers';
import { beginBenchRun, benchCommand } from './begin';
import { writeReportFiles } from './report';
import { type Experiment, type Measured } from './report-types';
import { measureScale } from './scale';
import { measureEntryPoints, measureStartup } from './startup';

// `npm run bench`: throughput, latency, the scale of deferred cancellations and worker start-up,
// against a dev server started here, with a baseline (a trivial workflow with one no-op activity)
// measured in the same run on the same server. Writes bench/REPORT.md, report.json, latency.svg.

const program = benchCommand('bench')
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
const EAGER_RUNS = 50;

async function main(): Promise<void> {
  const { rec, log, host } = beginBenchRun({ out: opts.out, stateDir: STATE });
  const concurrency = Number(opts.concurrency);
  const expDuration = Number(opts.experimentDuration);

  log('bundling the product and baseline workflows...');
  const bundles = await buildBundles(STATE);
  const server = await startDevServer({ dbFile: path.join(STATE, 'temporal.sqlite') });
  const sims = await startSimulators(); // zero added latency
  const productQueue = queue('product');
  const e = await openEnv(server, sims, bundles, productQueue, log);
  const started = new Started();
  try {
    log(`dev server ${server.address} (pid ${server.pid()}, SQLite ${SHIPPED_PRAGMAS.join(', ')})`);

    // --- Worker start-up ---------------------------------------------------------------------------
    const startup = await measureStartup(e, started);
    const entryPoints = await measureEntryPoints(server.address, { runs: 3, log });

    // --- Throughput at saturation, and latency at half of it ---------------------------------------
    const baseQueue = queue('baseline');
    const baseWorker = await startWorkerProcess(e, started, 'baseline', baseQueue);
    const loads = {
      concurrency,
      seconds: Number(opts.duration),
      latencySeconds: Number(opts.latencyDuration),
    };
    const cpuOf = (w: WorkerProcess) => () => cpuMsOf(w.pid);
    const base = await saturationThenHalfRate(rec, baselineKind(e.raw, baseQueue), loads, cpuOf(baseWorker));
    await baseWorker.stop();

    let worker = await startWorkerProcess(e, started, 'cancellation', productQueue);
    const defaults = (await worker.ready).options;
    const runKey = Date.now().toString(36);
    const product = cancellationKind(e.product, sims, `thr${runKey}`);
    const { throughput, latency } = await saturationThenHalfRate(rec, product, loads, cpuOf(worker));
    const workerRssAfterLoad = MB(worker.rss());

    // The same-shape skeleton: the product's commands to Temporal, from its own histories, and nothing else.
    const shapes = await productShapes(e.product, sims, `shape${runKey}`);
    log(`skeleton shapes: ${JSON.stringify(shapes)}`);
    const skeletonQueue = queue('skeleton');
    const skeletonWorker = await startWorkerProcess(e, started, 'skeleton', skeletonQueue);
    const skeleton = await saturationThenHalfRate(
      rec,
      skeletonKind(e.raw, skeletonQueue, shapes),
      loads,
      cpuOf(skeletonWorker),
    );
    await skeletonWorker.stop();

    // --- Tuning experiments ------------------------------------------------------------------------
    let experiments: Experiment[] = [];
    let eager: EagerStart | undefined;
    if (opts.experiments) {
      await worker.stop();
      ({ experiments, eager } = await runExperiments(e, rec, started, {
        concurrency,
        seconds: expDuration,
        defaults,
        stateDir: STATE,
        eagerRuns: EAGER_RUNS,
      }));
      worker = await startWorkerProcess(e, started, 'cancellation', productQueue);
    }

    // --- Scale of deferred cancellations -------------------------------------------------------------
    const scale = await measureScale(e, rec, worker, {
      count: Number(opts.scaleCount),
      withdrawSample: Number(opts.withdrawSample),
      startRateGuess: throughput.perSecond * 4,
      ...(opts.scaleAhead && { aheadSeconds: Number(opts.scaleAhead) }),
    });
    log(
      `scale: late at submit p50 ${scale.lateAtSubmitMs.p50} ms, p99 ${scale.lateAtSubmitMs.p99} ms, max ${scale.lateAtSubmitMs.max} ms`,
    );
    await worker.stop();

    const measured: Measured = {
      generatedAt: new Date().toISOString(),
      durationSeconds: Math.round(rec.since(Date.now())),
      machine: { ...host, loadAverageAtEnd: loadAverage() },
      setup: {
        server: `temporal server start-dev, SQLite file, pragmas ${SHIPPED_PRAGMAS.join(', ')}`,
        worker:
          'one worker process (node --import tsx harness/worker-entry.ts), prebuilt workflow bundle, shipped defaults',
        workerOptions: defaults,
        simulators: 'the four provider simulators, zero added latency, in the benchmark process',
        payloads: 'cancellations: AES-GCM payload codec as shipped; baseline: default data converter',
        concurrency,
        experimentSeconds: expDuration,
        workerRssAfterLoadMB: workerRssAfterLoad,
      },
      throughput: {
        cancellation: throughput,
        baseline: base.throughput,
        skeleton: skeleton.throughput,
        ratio: round(throughput.perSecond / base.throughput.perSecond, 2),
        ratioToSkeleton: round(throughput.perSecond / skeleton.throughput.perSecond, 2),
      },
      skeletonShapes: shapes,
      latency: { cancellation: latency, baseline: base.latency, skeleton: skeleton.latency },
      scale,
      startup,
      entryPoints,
      experiments,
      ...(eager && { eagerStart: eager }),
    };
    await writeReportFiles(
      opts.out,
      { ...measured, findings: findingsFrom(measured) },
      rec.chart('Latency over the benchmark run (request to confirmed result; log scale)'),
    );
    log(`wrote ${path.join(opts.out, 'REPORT.md')}, report.json and latency.svg`);
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  } finally {
    await started.stopAll();
    await closeEnv(e);
  }
}

/** The connection, the simulators and the server, whatever state the run left them in. */
async function closeEnv(e: Env): Promise<void> {
  await e.connection.close().catch(() => undefined);
  await e.sims.stop();
  await e.server.stop();
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
