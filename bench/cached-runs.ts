import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { format, resolveConfig } from 'prettier';
import { buildBundle, PRODUCT_WORKFLOWS } from '../harness/bundle';
import { type DevServer, startDevServer } from '../harness/dev-server';
import { mapLimit } from '../harness/stats';
import { seedMany } from '../harness/targets';
import { cpuMsOf } from '../harness/worker-process';
import { type SimulatorSet, startSimulators } from '../simulators';
import { type Env, openEnv, queue, Started, startWorkerProcess } from './env';
import { MB, round } from './numbers';
import { WORKER_HEAP_MB } from '../workers/heap';
import { beginBenchRun, benchCommand } from './begin';

// `npm run bench:cached-runs`: what one cached workflow run costs the worker, in memory and in CPU,
// with zod shared by every run (as shipped, workers/bundle.ts) and with zod evaluated by each run.
// N deferred cancellations are scheduled against a worker whose cache holds them all; the worker's
// RSS growth and CPU divided by N are the figures. Writes bench/CACHED-RUNS.md and cached-runs.json.

const opts = benchCommand('bench:cached-runs')
  .option('--count <n>', 'deferred cancellations per variant', '1000')
  .option('--rounds <n>', 'runs of each variant, alternated (the median is reported)', '3')
  .parse()
  .opts<{ count: string; rounds: string; out: string }>();

const STATE = path.resolve(__dirname, '../.temporal/bench-cached-runs');
const SETTLE_MS = 8000;
/** Generous: each variant measured at most ~0.7 MB of RSS per cached run. */
const HEAP_KIB_PER_CACHED_RUN = 2048;

/**
 * A cache that holds every run needs a heap to match: workers/heap.ts sizes the shipped ceiling
 * for the shipped cache, and the variant that evaluates zod per run died under it at 1,000.
 */
const heapMBFor = (count: number) =>
  Math.max(WORKER_HEAP_MB, Math.ceil((count * HEAP_KIB_PER_CACHED_RUN) / 1024));

interface Sample {
  rssPerRunKiB: number;
  cpuPerRunMs: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  /** Of a sample of the runs, how many answered a status query as scheduled (the rest are errors). */
  sampledScheduled: number;
  sampled: number;
}

async function measure(
  server: DevServer,
  sims: SimulatorSet,
  bundle: string,
  count: number,
  log: (l: string) => void,
): Promise<Sample> {
  const q = queue('cached');
  const env = await openEnv(server, sims, { product: bundle, baseline: '', skeleton: '' }, q, log);
  const started = new Started();
  try {
    return await measureOn(env, started, q, count);
  } finally {
    await started.stopAll();
    await env.connection.close();
  }
}

async function measureOn(env: Env, started: Started, q: string, count: number): Promise<Sample> {
  const w = await startWorkerProcess(
    env,
    started,
    'cancellation',
    q,
    { maxCachedWorkflows: count * 2 },
    { heapMB: heapMBFor(count) },
  );
  await sleep(SETTLE_MS);
  const rss0 = w.rss();
  const cpu0 = cpuMsOf(w.pid);
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const seeded = seedMany(env.sims, count, `cached${Date.now().toString(36)}`, () => ({ mode: 'at', at }));
  const accepted = await mapLimit(seeded, 32, (s) => env.product.request(s.request));
  await sleep(SETTLE_MS); // the last first workflow tasks, then a quiet worker
  const rss1 = w.rss();
  const cpu1 = cpuMsOf(w.pid);
  const sample = accepted.slice(0, 20);
  const stages = await Promise.all(
    sample.map((a) =>
      env.product.status(a.workflowId).then(
        (s) => s.stage,
        () => 'error',
      ),
    ),
  );
  await w.stop();
  return {
    rssPerRunKiB: Math.round((rss1 - rss0) / count / 1024),
    cpuPerRunMs: round((cpu1 - cpu0) / count, 1),
    rssBeforeMB: MB(rss0),
    rssAfterMB: MB(rss1),
    sampledScheduled: stages.filter((s) => s === 'scheduled').length,
    sampled: sample.length,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function main(): Promise<void> {
  const { rec, host } = beginBenchRun({ out: opts.out, stateDir: STATE });
  const count = Number(opts.count);
  const rounds = Number(opts.rounds);
  const variants = {
    'zod shared (shipped)': await buildBundle({
      workflowsPath: PRODUCT_WORKFLOWS,
      outFile: path.join(STATE, 'shared.js'),
      withFailureConverter: true,
    }),
    'zod evaluated per run': await buildBundle({
      workflowsPath: PRODUCT_WORKFLOWS,
      outFile: path.join(STATE, 'per-run.js'),
      withFailureConverter: true,
      withSharedModules: false,
    }),
  };
  const server = await startDevServer({ dbFile: path.join(STATE, 'temporal.sqlite') });
  const sims = await startSimulators();
  const results: Record<string, Sample[]> = {};
  try {
    // Alternated, so drift on a shared machine falls on both variants alike.
    for (let r = 0; r < rounds; r++)
      for (const [name, bundle] of Object.entries(variants)) {
        const s = await measure(server, sims, bundle, count, rec.log);
        rec.log(`${name}, round ${r + 1}: ${JSON.stringify(s)}`);
        (results[name] ??= []).push(s);
      }
  } finally {
    await sims.stop();
    await server.stop();
  }
  const rows = Object.entries(results).map(([name, ss]) => ({
    name,
    rssPerRunKiB: median(ss.map((s) => s.rssPerRunKiB)),
    cpuPerRunMs: median(ss.map((s) => s.cpuPerRunMs)),
    scheduled: `${ss.reduce((n, s) => n + s.sampledScheduled, 0)}/${ss.reduce((n, s) => n + s.sampled, 0)}`,
    samples: ss,
  }));
  const [shipped, perRun] = rows;
  const md = [
    '# What a cached workflow run costs the worker',
    '',
    `Generated by \`npm run bench:cached-runs\` on ${new Date().toISOString()}: ${count.toLocaleString('en')} deferred cancellations scheduled against one worker process whose cache holds them all (its heap ceiling raised to ${heapMBFor(count)} MiB to match), ${rounds} rounds per variant alternated, median shown. Machine: ${host.cpus} cores, Node ${host.node}.`,
    '',
    '| variant | worker RSS per cached run | worker CPU per run (first workflow task) | runs sampled that answered `scheduled` |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.name} | ${r.rssPerRunKiB} KiB | ${r.cpuPerRunMs} ms | ${r.scheduled} |`),
    '',
    shipped && perRun
      ? `Sharing zod saves ${perRun.rssPerRunKiB - shipped.rssPerRunKiB} KiB of worker memory per cached run (${Math.round((1 - shipped.rssPerRunKiB / perRun.rssPerRunKiB) * 100)} %) and ${round(perRun.cpuPerRunMs - shipped.cpuPerRunMs, 1)} ms of worker CPU per run started (${Math.round((1 - shipped.cpuPerRunMs / perRun.cpuPerRunMs) * 100)} %).`
      : '',
    '',
    'RSS growth is an upper bound of the cache cost (the heap also holds garbage not yet collected). The request schemas themselves are still built by each run: zod memoizes onto a schema during its first parses, which the frozen shared modules refuse (workflows/shared-modules.ts).',
  ].join('\n');
  writeFileSync(
    path.join(opts.out, 'CACHED-RUNS.md'),
    await format(md, { ...(await resolveConfig(opts.out)), parser: 'markdown' }),
  );
  writeFileSync(
    path.join(opts.out, 'cached-runs.json'),
    JSON.stringify({ generatedAt: new Date().toISOString(), count, rounds, rows }, null, 2) + '\n',
  );
  rec.log(`wrote ${path.join(opts.out, 'CACHED-RUNS.md')}`);
}

main().catch((err: unknown) => {
  console.error(
    `bench:cached-runs failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
  process.exit(1);
});
