import path from 'node:path';
import { Command } from 'commander';
import { buildBundle, PRODUCT_WORKFLOWS } from './support/bundle';
import { exitOnSignals } from './support/children';
import { startDrillSystem } from './support/system';
import { faultStormDrill } from './fault-storm';
import { killWorkerDrill } from './kill-worker';
import { malformedDrill } from './malformed';
import { serverRestartDrill } from './server-restart';

// `npm run drills`: fault drills that prove nothing is lost. Each prints what it did and what it
// counted; any loss, duplicate or early firing fails the run (exit code 1).

const program = new Command()
  .name('drills')
  .option('--only <names>', 'comma-separated subset: kill-worker,server-restart,fault-storm,malformed')
  .option('--kill-count <n>', 'cancellations in flight at the kill -9', '300')
  .option('--restart-count <n>', 'cancellations scheduled across the server restart', '300')
  .option('--storm-count <n>', 'cancellations through the fault storm', '200')
  .option('--hard-restart', 'kill -9 the dev server instead of stopping it', false)
  .parse();
const opts = program.opts<{
  only?: string;
  killCount: string;
  restartCount: string;
  stormCount: string;
  hardRestart: boolean;
}>();

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
  exitOnSignals();
  const wanted = new Set(
    (opts.only ?? 'malformed,kill-worker,server-restart,fault-storm').split(',').map((s) => s.trim()),
  );
  log('building the workflow bundle...');
  const bundlePath = await buildBundle({
    workflowsPath: PRODUCT_WORKFLOWS,
    outFile: path.resolve(__dirname, '../.temporal/drills/workflows.js'),
    withFailureConverter: true,
  });
  const drills: Array<[string, () => Promise<object>]> = [
    [
      'malformed',
      async () => {
        const sys = await startDrillSystem({ name: 'malformed', bundlePath, log });
        try {
          const worker = await sys.startWorker();
          const counts = await malformedDrill({
            client: sys.client,
            countWorkflows: sys.countWorkflows,
            log,
          });
          await worker.stop();
          return counts;
        } finally {
          await sys.stop();
        }
      },
    ],
    [
      'kill-worker',
      () => {
        const count = Number(opts.killCount);
        return killWorkerDrill({ count, latencyMs: 200, killAfter: Math.floor(count / 3), bundlePath, log });
      },
    ],
    [
      'server-restart',
      () =>
        serverRestartDrill({
          count: Number(opts.restartCount),
          aheadMs: 60_000,
          downMs: 5_000,
          hard: opts.hardRestart,
          bundlePath,
          log,
        }),
    ],
    [
      'fault-storm',
      () =>
        faultStormDrill({
          count: Number(opts.stormCount),
          retryAfterSeconds: 7,
          httpTimeoutMs: 2000,
          bundlePath,
          log,
        }),
    ],
  ];
  const failed: string[] = [];
  for (const [name, run] of drills) {
    if (!wanted.has(name)) continue;
    log(`\n=== drill: ${name} ===`);
    const t0 = Date.now();
    try {
      const counts = await run();
      log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      for (const [k, v] of Object.entries(counts))
        log(`  ${k.padEnd(26)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    } catch (err) {
      failed.push(name);
      log(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed.length) {
    console.error(`\n${failed.length} drill(s) FAILED: ${failed.join(', ')}`);
    process.exit(1);
  }
  log('\nall drills passed: nothing lost, nothing duplicated.');
}

main().catch((err: unknown) => {
  console.error(`drills failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
