import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { CancellationClient } from '../client/cancellation-client';
import { exitOnSignals, killWithParent } from '../harness/children';
import { startDevServer } from '../harness/dev-server';
import { percentile } from '../harness/stats';
import { seedMany } from '../harness/targets';
import { procStat, spawnWorker } from '../harness/worker-process';
import { queue, type Env, type Started } from './env';
import { loadAverage } from './machine';

export interface StartupResult {
  runs: Array<Record<string, number>>;
  medianMs: Record<string, number>;
}

/** Process start to RUNNING (first poll), and to the first cancellation completed, `runs` times. */
export async function measureStartup(e: Env, started: Started, runs = 3): Promise<StartupResult> {
  const out: Array<Record<string, number>> = [];
  for (let i = 0; i < runs; i++) {
    const tq = queue('startup');
    const client = new CancellationClient(e.product.client, tq);
    const [s] = seedMany(e.sims, 1, `startup${i}${Date.now().toString(36)}`);
    const accepted = await client.request(s!.request); // waits in the task queue for the worker
    const w = started.worker(
      spawnWorker({
        address: e.server.address,
        taskQueue: tq,
        bundlePath: e.bundles.product,
        env: { ...e.sims.env },
      }),
    );
    const m = await w.ready;
    await client.result(accepted.workflowId);
    const done = Date.now();
    await w.stop();
    out.push({
      toModulesLoadedMs: m.loaded - w.spawnedAt,
      toConnectedMs: m.connected - w.spawnedAt,
      toWorkerCreatedMs: m.created - w.spawnedAt,
      toRunningMs: m.running - w.spawnedAt,
      toFirstCancellationCompletedMs: done - w.spawnedAt,
    });
    e.log(
      `start-up ${i + 1}: RUNNING after ${m.running - w.spawnedAt} ms, first cancellation done after ${done - w.spawnedAt} ms`,
    );
  }
  const median = (k: string) =>
    percentile(
      out.map((r) => r[k]!),
      50,
    );
  return {
    runs: out,
    medianMs: Object.fromEntries(Object.keys(out[0]!).map((k) => [k, median(k)])),
  };
}

// --- The shipped entry points, as a user starts them -------------------------------------------------
// `tsx bench/startup.ts [--runs 5] [--only worker|cli]` starts its own dev server and times, `runs`
// times each: a worker process from spawn to its "polling" line (the line run.ts prints as it
// starts polling), and one `cancellations list` from spawn to exit. Variants whose entry is absent
// (no dist/ yet) are skipped, so the same script measures before and after `npm run build`.

export interface EntryTiming {
  variant: string;
  command: string;
  runsMs: number[];
  medianMs: number;
  /** CPU time (user + system) of the whole process tree, per run: less sensitive to a busy machine. */
  cpuMs: number[];
  medianCpuMs: number;
}

interface Run {
  ms: number;
  cpuMs: number;
}

const ROOT = path.resolve(__dirname, '..');
// run.ts's line; the drills' worker entry reports a "ready" milestone instead (worker-child.ts).
const POLLING_LINE = /worker polling task queue|^WORKER .*"event":"ready"/;

/** utime + stime + cutime + cstime of `pid` and of its living descendants, in ms (Linux /proc). */
function treeCpuMs(pid: number): number {
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = procStat(Number(entry)); // undefined: gone meanwhile
    if (st) stats.set(Number(entry), { ppid: st.ppid, ms: st.cpuMs + st.childrenCpuMs });
  }
  const inTree = (p: number): boolean => p === pid || (p > 1 && stats.has(p) && inTree(stats.get(p)!.ppid));
  let ms = 0;
  for (const [p, st] of stats) if (inTree(p)) ms += st.ms;
  return ms;
}

/** Spawn to the worker's polling line, then a graceful stop; rejects if it exits before. */
async function timeWorker(argv: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const spawnedAt = performance.now();
  // A process group of its own: `npm run` and tsx start the worker as a grandchild, which a
  // signal to the child alone would leave running.
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  killWithParent(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  // 'close': every process of the group holding the pipes has exited, not only the child.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const run = await new Promise<Run>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (POLLING_LINE.test(line))
        resolve({ ms: performance.now() - spawnedAt, cpuMs: treeCpuMs(child.pid!) });
    });
    void exited.then(() => reject(new Error(`${argv.join(' ')} exited before polling: ${stderr}`)));
  });
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  return run;
}

/** Spawn to exit of a command that must succeed; its CPU time from the shell's `times`. */
async function timeCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const spawnedAt = performance.now();
  const script = '"$@"; status=$?; times >&2; exit $status';
  const child = spawn('sh', ['-c', script, 'sh', ...argv], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  killWithParent(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ms = performance.now() - spawnedAt;
  if (code !== 0) throw new Error(`${argv.join(' ')} failed (${code}): ${stderr}`);
  // `times` prints the shell's user/system time, then its children's: "0m0.850s 0m0.120s".
  const children = stderr.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (t, m) => t + Number(m[1]) * 60 + Number(m[2]),
    0,
  );
  return { ms, cpuMs: seconds * 1000 };
}

async function timeVariant(
  variant: string,
  argv: string[],
  runs: number,
  once: (argv: string[]) => Promise<Run>,
  log: (line: string) => void,
): Promise<EntryTiming> {
  const measured: Run[] = [];
  for (let i = 0; i < runs; i++) measured.push(await once(argv));
  const runsMs = measured.map((r) => Math.round(r.ms));
  const cpuMs = measured.map((r) => Math.round(r.cpuMs));
  const timing = {
    variant,
    command: argv.join(' '),
    runsMs,
    medianMs: percentile(runsMs, 50),
    cpuMs,
    medianCpuMs: percentile(cpuMs, 50),
  };
  log(
    `${variant.padEnd(40)} median ${String(timing.medianMs).padStart(5)} ms wall (${runsMs.join(', ')}), ` +
      `${String(timing.medianCpuMs).padStart(5)} ms CPU (${cpuMs.join(', ')})`,
  );
  return timing;
}

/** The shipped entry points timed against a server at `address`; variants without their entry skipped. */
export async function measureEntryPoints(
  address: string,
  o: { runs: number; only?: 'worker' | 'cli'; log: (line: string) => void },
): Promise<EntryTiming[]> {
  const node = process.execPath;
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  const has = (file: string) => existsSync(path.join(ROOT, file));
  // No keys: the embedded dev keys apply only to the default address; warnings go to stderr.
  const env = (taskQueue: string): NodeJS.ProcessEnv => ({
    ...process.env,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: 'default',
    CANCELLATIONS_TASK_QUEUE: taskQueue,
  });
  // What bin/run-entry picks right now (dist/ while the build is current, else tsx), for the labels.
  const picks = (entry: string) =>
    execFileSync(path.join(ROOT, 'bin/run-entry'), [entry], { env: { ...process.env, RUN_ENTRY_PRINT: '1' } })
      .toString()
      .includes('/dist/')
      ? 'dist'
      : 'tsx';
  const out: EntryTiming[] = [];
  const measure = async (
    variants: Array<[string, string[], boolean]>,
    once: (argv: string[]) => Promise<Run>,
  ) => {
    for (const [name, argv, present] of variants)
      if (present) out.push(await timeVariant(name, argv, o.runs, once, o.log));
  };
  if (o.only !== 'cli') {
    const launcher = `worker: npm run worker (${picks('workers/main')})`;
    const bundled = has('dist/workflow-bundle.js') && has('dist/harness/worker-entry.js');
    await measure(
      [
        ['worker: tsx workers/main.ts', [tsx, 'workers/main.ts'], true],
        ['worker: node dist/workers/main.js', [node, 'dist/workers/main.js'], has('dist/workers/main.js')],
        [launcher, ['npm', 'run', '--silent', 'worker'], true],
        // The same worker both ways from the same prebuilt bundle: what compiling at start costs alone.
        ['worker entry, tsx, prebuilt bundle', [node, '--import', 'tsx', 'harness/worker-entry.ts'], bundled],
        ['worker entry, compiled, prebuilt bundle', [node, 'dist/harness/worker-entry.js'], bundled],
      ],
      (argv) =>
        timeWorker(argv, {
          ...env(queue('startup-entry')),
          WORKFLOW_BUNDLE_PATH: path.join(ROOT, 'dist/workflow-bundle.js'),
          WORKER_TUNING: '{}',
        }),
    );
  }
  if (o.only !== 'worker') {
    const list = ['list', '--limit', '5'];
    await measure(
      [
        ['cli: tsx client/cli/main.ts list', [tsx, 'client/cli/main.ts', ...list], true],
        [
          'cli: node dist/client/cli/main.js list',
          [node, 'dist/client/cli/main.js', ...list],
          has('dist/client/cli/main.js'),
        ],
        [`cli: bin/cancellations list (${picks('client/cli/main')})`, ['bin/cancellations', ...list], true],
      ],
      (argv) => timeCommand(argv, env(queue('startup-cli'))),
    );
  }
  return out;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('startup')
    .option('--runs <n>', 'runs of each variant', '5')
    .addOption(new Option('--only <what>', 'only the worker or only the CLI').choices(['worker', 'cli']))
    .parse();
  const opts = program.opts<{ runs: string; only?: 'worker' | 'cli' }>();
  exitOnSignals();
  const state = path.join(ROOT, '.temporal/bench-startup');
  rmSync(state, { recursive: true, force: true });
  const server = await startDevServer({ dbFile: path.join(state, 'temporal.sqlite') });
  const log = (line: string) => console.log(line);
  try {
    log(`dev server ${server.address}; ${opts.runs} runs each; load average ${loadAverage().join(' ')}`);
    await measureEntryPoints(server.address, {
      runs: Number(opts.runs),
      ...(opts.only && { only: opts.only }),
      log,
    });
  } finally {
    await server.stop();
  }
}

if (require.main === module)
  main().then(
    () => process.exit(0), // the dev server's connection helpers keep the event loop alive
    (err: unknown) => {
      console.error(
        `startup bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      process.exit(1);
    },
  );
