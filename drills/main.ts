import path from 'node:path';
import { Command } from 'commander';
import { buildBundle, PRODUCT_WORKFLOWS } from '../harness/bundle';
import { exitOnSignals } from '../harness/children';
import { DrillFailure, startDrillSystem } from './support/system';
import { faultStormDrill } from './fault-storm';
import { killWorkerDrill } from './kill-worker';
import { malformedDrill } from './malformed';
import { serverRestartDrill, type RestartMode } from './server-restart';
import { machine, writeDrillsReport, type DrillOutcome } from './report';

// `npm run drills`: fault drills that prove nothing is lost. Each prints what it did and what it
// counted; any loss, duplicate, late firing or ignored hint fails the run (exit code 1). The last
// run's numbers are written to drills/REPORT.md and drills/report.json.

const DRILLS = ['malformed', 'kill-worker', 'server-restart', 'fault-storm'] as const;

const program = new Command()
  .name('drills')
  .option('--only <names>', `comma-separated subset: ${DRILLS.join(',')}`)
  .option('--kill-count <n>', 'cancellations with a submit in flight at the kill -9 of the worker', '500')
  .option('--restart-count <n>', 'cancellations scheduled across the server restarts', '500')
  .option(
    '--restart-modes <modes>',
    'server restarts, in order: graceful (SIGTERM), kill (SIGKILL)',
    'graceful,kill',
  )
  .option('--storm-count <n>', 'cancellations through the fault storm', '500')
  .option(
    '--no-report',
    'do not write drills/REPORT.md and drills/report.json (a run with --only never does)',
  )
  .parse();
const opts = program.opts<{
  only?: string;
  killCount: string;
  restartCount: string;
  restartModes: string;
  stormCount: string;
  report: boolean;
}>();

const log = (line: string) => console.log(line);
const printCounts = (counts: object) => {
  for (const [k, v] of Object.entries(counts))
    log(`  ${k.padEnd(28)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
};

async function main(): Promise<void> {
  exitOnSignals();
  const startedAt = new Date();
  const host = machine();
  const wanted = new Set((opts.only ?? DRILLS.join(',')).split(',').map((s) => s.trim()));
  const unknown = [...wanted].filter((w) => !(DRILLS as readonly string[]).includes(w));
  if (unknown.length) throw new Error(`unknown drill(s): ${unknown.join(', ')}`);
  const modes = opts.restartModes.split(',').map((m) => m.trim()) as RestartMode[];
  if (!modes.every((m) => m === 'graceful' || m === 'kill'))
    throw new Error(`--restart-modes takes graceful and/or kill, not ${opts.restartModes}`);
  const killCount = Number(opts.killCount);
  const restartCount = Number(opts.restartCount);
  const stormCount = Number(opts.stormCount);

  log('building the workflow bundle...');
  const bundlePath = await buildBundle({
    workflowsPath: PRODUCT_WORKFLOWS,
    outFile: path.resolve(__dirname, '../.temporal/drills/workflows.js'),
    withFailureConverter: true,
  });
  const runs: Record<(typeof DRILLS)[number], () => Promise<object>> = {
    malformed: async () => {
      const sys = await startDrillSystem({ name: 'malformed', bundlePath, log });
      try {
        const worker = await sys.startWorker();
        const counts = await malformedDrill({ ...sys, log });
        await worker.stop();
        return counts;
      } finally {
        await sys.stop();
      }
    },
    'kill-worker': () =>
      killWorkerDrill({
        count: killCount,
        // Long enough for 500 submits to arrive on a busy 2-core machine, inside the 45 s
        // start-to-close timeout of the submit.
        holdMs: [36_000, 40_000],
        killAfterHeldMs: 6000,
        resumeGoalMs: 15_000,
        // Heartbeat timeout (5 s) + first retry (5 s) is the floor; 500 retries landing on one new
        // worker at once on 2 cores push the tail past the goal, whose share is reported.
        resumeBoundMs: 30_000,
        completeBoundMs: 180_000,
        bundlePath,
        log,
      }),
    'server-restart': () =>
      serverRestartDrill({
        count: restartCount,
        aheadMs: 60_000 + restartCount * 60,
        downMs: 5_000,
        modes,
        // Everything falls due at once: one worker drains them at a few dozen a second.
        lateBoundMs: 30_000 + restartCount * 150,
        // Pollers back off while the server is away; a graceful stop takes longer than a kill.
        recoverBoundMs: 60_000,
        bundlePath,
        log,
      }),
    'fault-storm': () =>
      faultStormDrill({ count: stormCount, retryAfterSeconds: 7, httpTimeoutMs: 2000, bundlePath, log }),
  };

  const outcomes: DrillOutcome[] = [];
  for (const name of DRILLS) {
    if (!wanted.has(name)) continue;
    log(`\n=== drill: ${name} ===`);
    const t0 = Date.now();
    try {
      const counts = await runs[name]();
      const seconds = Math.round((Date.now() - t0) / 1000);
      outcomes.push({ name, passed: true, seconds, counts });
      log(`PASS ${name} (${seconds} s)`);
      printCounts(counts);
    } catch (err) {
      const failure = err instanceof Error ? err.message : String(err);
      const counts = err instanceof DrillFailure ? err.counts : undefined;
      outcomes.push({
        name,
        passed: false,
        seconds: Math.round((Date.now() - t0) / 1000),
        failure,
        ...(counts && { counts }),
      });
      log(`FAIL ${name}: ${failure}`);
      if (counts) printCounts(counts);
    }
  }
  // The report describes a whole run; a subset would overwrite it with half the picture.
  if (opts.report && !opts.only) {
    const written = await writeDrillsReport(path.resolve(__dirname), {
      generatedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      machine: host,
      options: { killCount, restartCount, restartModes: modes, stormCount, only: [...wanted] },
      drills: outcomes,
    });
    log(`\nreport: ${written.join(', ')}`);
  }
  const failed = outcomes.filter((d) => !d.passed).map((d) => d.name);
  if (failed.length) {
    console.error(`\n${failed.length} drill(s) FAILED: ${failed.join(', ')}`);
    process.exit(1);
  }
  log('\nall drills passed: nothing lost, nothing duplicated, no hint ignored.');
}

main().catch((err: unknown) => {
  console.error(`drills failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
