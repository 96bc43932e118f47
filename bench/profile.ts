import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { format, resolveConfig } from 'prettier';
import { startDevServer } from '../harness/dev-server';
import { cpuMsOf } from '../harness/worker-process';
import { startSimulators } from '../simulators';
import { beginBenchRun, benchCommand } from './begin';
import { buildBundles, openEnv, queue, Started, startWorkerProcess } from './env';
import { cancellationKind } from './kinds';
import { round } from './numbers';
import { profileMarkdown, type ProfileRun, type ThreadSummary } from './profile-markdown';
import {
  busyMs,
  Classifier,
  type CpuProfile,
  merge,
  monotonicUs,
  type ProfileSummary,
  scaled,
  summarise,
  type Window,
} from './profile-summary';
import { cpuPerSampledMs, threadCpu, threadDelta } from './profile-threads';

// `npm run bench:profile`: where the CPU of a cancellation goes. One cancellation worker process runs
// under `node --cpu-prof` while a closed loop of cancellations keeps it saturated; this process (the
// client and the simulators) profiles itself with node:inspector over the same window. Writes
// bench/PROFILE.md and profile.json.

const opts = benchCommand('bench:profile')
  .option('--seconds <s>', 'seconds of the profiled window', '30')
  .option('--warmup <s>', 'seconds of load before the window (JIT and caches warm)', '5')
  .option('--concurrency <n>', 'concurrent cancellation loops', '32')
  .parse()
  .opts<{ seconds: string; warmup: string; concurrency: string; out: string }>();

const STATE = path.resolve(__dirname, '../.temporal/bench-profile');
const PROFILES = path.join(STATE, 'cpuprofiles');
const ROOT = path.resolve(__dirname, '..');
const PROFILE_WAIT_MS = 15_000;

/** Closed-loop lanes of `once()`, counting only what finishes inside the measured window. */
function closedLoop(once: () => Promise<boolean>, lanes: number, log: (l: string) => void) {
  let stopping = false;
  let counting = false;
  const counts = { completed: 0, failed: 0 };
  let errorsLogged = 0;
  const run = async () => {
    while (!stopping) {
      let ok = false;
      try {
        ok = await once();
      } catch (err) {
        if (errorsLogged++ < 3)
          log(`cancellation failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (counting) counts[ok ? 'completed' : 'failed']++;
    }
  };
  const all = Promise.all(Array.from({ length: lanes }, run));
  return {
    counts,
    count: (on: boolean) => void (counting = on),
    stop: async () => {
      stopping = true;
      await all;
    },
  };
}

/** Waits until the worker's profiles are on disk: node writes them as the process exits. */
async function workerProfiles(dir: string, exitCode: number | null): Promise<string[]> {
  const deadline = Date.now() + PROFILE_WAIT_MS;
  for (;;) {
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
    // Thread 0 (the main thread) is written last, at process exit.
    if (files.some((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))) return files.map((f) => path.join(dir, f));
    if (Date.now() > deadline)
      throw new Error(
        `no main-thread .cpuprofile in ${dir} ${PROFILE_WAIT_MS / 1000} s after the worker exited (code ${exitCode}): it must exit normally on SIGTERM for node to write it`,
      );
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const { log, host } = beginBenchRun({ out: opts.out, stateDir: STATE });
  const seconds = Number(opts.seconds);
  const warmup = Number(opts.warmup);
  const concurrency = Number(opts.concurrency);
  log('bundling the workflows...');
  const bundles = await buildBundles(STATE);
  const server = await startDevServer({ dbFile: path.join(STATE, 'temporal.sqlite') });
  const sims = await startSimulators();
  const q = queue('profile');
  const e = await openEnv(server, sims, bundles, q, log);
  const started = new Started();
  const session = new Session();
  try {
    const worker = await startWorkerProcess(
      e,
      started,
      'cancellation',
      q,
      {},
      {
        nodeArgs: ['--cpu-prof', '--cpu-prof-dir', PROFILES],
      },
    );
    const workerOptions = (await worker.ready).options;
    log(`worker ${worker.pid} running under --cpu-prof; ${warmup} s warm-up, ${concurrency} loops`);
    const kind = cancellationKind(e.product, sims, `prof${Date.now().toString(36)}`);
    const load = closedLoop(() => kind.once(), concurrency, log);
    await sleep(warmup * 1000);

    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 1000 }); // as --cpu-prof's default
    await session.post('Profiler.start');
    const snap = () => ({
      workerThreads: threadCpu(worker.pid),
      workerMs: cpuMsOf(worker.pid),
      selfThreads: threadCpu(process.pid),
      selfMs: process.cpuUsage(),
      serverMs: cpuMsOf(server.pid()),
    });
    const before = snap();
    const window: Window = { fromUs: monotonicUs(), toUs: 0 };
    load.count(true);
    log(`profiling for ${seconds} s...`);
    await sleep(seconds * 1000);
    load.count(false);
    window.toUs = monotonicUs();
    const after = snap();
    const { profile: ownProfile } = await session.post('Profiler.stop');
    session.disconnect();
    const { completed, failed } = load.counts;
    log(
      `${completed} cancellations completed in the window (${round(completed / seconds)}/s), ${failed} failed`,
    );
    await load.stop();

    log('stopping the worker (SIGTERM) so that node writes its profiles...');
    await worker.stop(30_000);
    const files = await workerProfiles(PROFILES, await worker.exited);
    writeFileSync(path.join(PROFILES, 'load-generator.cpuprofile'), JSON.stringify(ownProfile));
    if (completed === 0) throw new Error('no cancellation completed in the window: nothing to divide by');

    const classifier = new Classifier(ROOT, [bundles.product]);
    const threads: ThreadSummary[] = files
      .map((f) => ({
        file: path.basename(f),
        threadId: Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(f)?.[1] ?? -1),
        profile: JSON.parse(readFileSync(f, 'utf8')) as CpuProfile,
      }))
      .map((t) => ({
        file: t.file,
        threadId: t.threadId,
        covered: t.profile.startTime <= window.fromUs && t.profile.endTime >= window.toUs,
        sampled: summarise(t.profile, window, classifier),
      }))
      .sort((a, b) => a.threadId - b.threadId);
    const workerMain = threads.find((t) => t.threadId === 0);
    if (!workerMain?.covered) throw new Error('the worker main-thread profile does not span the window');
    const proc = {
      workerPid: worker.pid,
      workerMs: after.workerMs - before.workerMs,
      workerThreads: threadDelta(before.workerThreads, after.workerThreads),
      loadGeneratorPid: process.pid,
      loadGeneratorMs:
        (after.selfMs.user + after.selfMs.system - before.selfMs.user - before.selfMs.system) / 1000,
      loadGeneratorThreads: threadDelta(before.selfThreads, after.selfThreads),
      serverMs: after.serverMs - before.serverMs,
    };
    const loadSampled = summarise(ownProfile as CpuProfile, window, classifier);
    const workerRatio = cpuPerSampledMs(proc.workerThreads, worker.pid, workerMain.sampled);
    const loadRatio = cpuPerSampledMs(proc.loadGeneratorThreads, process.pid, loadSampled);
    const workerSampled = merge(threads.map((t) => t.sampled));
    const run: ProfileRun = {
      generatedAt: new Date().toISOString(),
      machine: host,
      options: { seconds, warmup, concurrency, samplingIntervalUs: 1000 },
      workerOptions,
      completed,
      failed,
      windowSeconds: (window.toUs - window.fromUs) / 1e6,
      proc,
      worker: {
        threads,
        sampled: workerSampled,
        cpu: scaled(workerSampled, workerRatio),
        cpuPerSampledMs: workerRatio,
      },
      loadGenerator: {
        sampled: loadSampled,
        cpu: scaled(loadSampled, loadRatio),
        cpuPerSampledMs: loadRatio,
      },
      profilesDir: path.relative(ROOT, PROFILES),
    };
    const md = profileMarkdown(run);
    writeFileSync(
      path.join(opts.out, 'PROFILE.md'),
      await format(md, { ...(await resolveConfig(path.join(opts.out, 'PROFILE.md'))), parser: 'markdown' }),
    );
    writeFileSync(path.join(opts.out, 'profile.json'), JSON.stringify(jsonOf(run), null, 2) + '\n');
    log(
      `worker: ${round(run.proc.workerMs / completed)} ms CPU per cancellation (/proc), ≈ ${round(busyMs(run.worker.cpu) / completed)} ms on JS threads; wrote ${path.join(opts.out, 'PROFILE.md')} and profile.json`,
    );
  } finally {
    await started.stopAll();
    await e.connection.close().catch(() => undefined);
    await sims.stop();
    await server.stop();
  }
}

/** The run without the long tail of functions (the raw profiles stay in profilesDir) and per cancellation. */
function jsonOf(run: ProfileRun) {
  const trim = (s: ProfileSummary, functions = 30) => ({
    ...s,
    perCancellationMs: Object.fromEntries(
      Object.entries(s.categories)
        .sort((a, b) => b[1] - a[1])
        .map(([c, ms]) => [c, round(ms / run.completed, 3)]),
    ),
    functions: s.functions.slice(0, functions),
  });
  return {
    ...run,
    worker: {
      ...run.worker,
      threads: run.worker.threads.map((t) => ({ ...t, sampled: trim(t.sampled, 0) })),
      sampled: trim(run.worker.sampled),
      cpu: trim(run.worker.cpu),
    },
    loadGenerator: {
      ...run.loadGenerator,
      sampled: trim(run.loadGenerator.sampled),
      cpu: trim(run.loadGenerator.cpu),
    },
  };
}

main().catch((err: unknown) => {
  console.error(`bench:profile failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
