import 'dotenv/config';
import path from 'node:path';
import { type LogLevel } from '@temporalio/worker';
import { z } from 'zod';
import { oneLineLog } from '../workers/logging';
import { installWorkerRuntime } from '../workers/runtime';
import { freePort } from './free-port';
import { ProviderSchema, providers } from '../common/request';
import { fieldPath } from '../common/validation';
import { followScenarios, startScenarios, withdrawScenarios } from './demo/scenarios';
import { startEmbeddedSystem } from './demo/system';

// `npm start`: the embedded default. Dev server + Web UI, simulators, a worker, and a short demo
// of every provider's cancellations, then serves until Ctrl-C.

const Settings = z.object({
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  SIMULATOR_PORT_BASE: z.coerce.number().int().min(0).max(65531).default(17801),
  TEMPORAL_DB_FILE: z.string().default(path.resolve(__dirname, '../.temporal/dev-server.sqlite')),
  DEMO_PERIOD_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  DEMO_INJECTED_FAILURES: z.coerce.number().int().min(0).max(10).default(2),
  DEMO_EXIT_WHEN_DONE: z.enum(['0', '1']).default('0'),
  /** Comma-separated subset of keliweb,payway,rebilly,billing-care. */
  DEMO_PROVIDERS: z
    .string()
    .default(providers.join(','))
    .transform((v) => v.split(',').map((p) => p.trim()))
    .pipe(z.array(ProviderSchema).min(1)),
});

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<void> {
  const parsed = Settings.safeParse(process.env);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`invalid setting ${fieldPath(i?.path ?? [])}: ${i?.message}`);
  }
  const s = parsed.data;
  // The demo prints its own progress; worker logs only when something is wrong (override with
  // CANCELLATIONS_LOG_LEVEL=INFO to see every workflow step).
  // Metrics on by default here, on a free loopback port unless CANCELLATIONS_METRICS_ADDRESS says.
  process.env.CANCELLATIONS_METRICS_ADDRESS ||= `127.0.0.1:${await freePort()}`;
  const runtime = installWorkerRuntime({
    level: (process.env.CANCELLATIONS_LOG_LEVEL as LogLevel | undefined) ?? 'WARN',
    write: oneLineLog,
  });
  log('starting the Temporal dev server, the codec server, the provider simulators and a worker...');
  const system = await startEmbeddedSystem({
    port: s.TEMPORAL_DEV_PORT,
    uiPort: s.TEMPORAL_UI_PORT,
    dbFile: s.TEMPORAL_DB_FILE,
    simPortBase: s.SIMULATOR_PORT_BASE,
    log,
  });
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('shutting down: worker, simulators, dev server...');
    await system.stop();
    log('stopped.');
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  log(`Temporal frontend  ${system.address}  (TEMPORAL_ADDRESS for the CLI and clients)`);
  log(`Temporal Web UI    ${system.uiUrl}  (payloads decoded by the codec server at ${system.codecUrl})`);
  if (runtime.metricsUrl)
    log(`Prometheus metrics ${runtime.metricsUrl}  (the worker's: SDK and cancellations_*)`);
  if (runtime.tracing) log('Traces             exported by OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)');
  for (const [p, sim] of Object.entries(system.sims.byProvider)) log(`simulator ${p.padEnd(12)} ${sim.url}`);

  const runKey = `demo${Date.now().toString(36)}`;
  log(
    `\nDemo ${runKey}: for each provider an immediate cancellation, one at the end of a ${s.DEMO_PERIOD_SECONDS}s billing period, one withdrawn, one riding through injected failures`,
  );
  const scenarios = await startScenarios(system.client, system.sims, {
    periodSeconds: s.DEMO_PERIOD_SECONDS,
    injectedFailures: s.DEMO_INJECTED_FAILURES,
    runKey,
    providers: s.DEMO_PROVIDERS,
    log,
  });
  await new Promise((r) => setTimeout(r, 2000));
  await withdrawScenarios(system.client, scenarios, log);
  log('\nOpen a run in the Web UI:');
  for (const sc of scenarios)
    log(`  ${sc.provider.padEnd(12)} ${sc.kind.padEnd(22)} ${system.workflowUrl(sc.workflowId)}`);
  log(
    `  all demo runs: ${system.uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`CancellationRequestId STARTS_WITH '${runKey}'`)}\n`,
  );

  const outcome = await followScenarios(system.client, scenarios, log, (s.DEMO_PERIOD_SECONDS + 300) * 1000);
  const wrong = scenarios.filter((sc) => outcome.get(sc.workflowId) !== sc.expected);
  log(
    wrong.length === 0
      ? `Demo finished: all ${scenarios.length} runs reached their expected end state.`
      : `Demo: ${wrong.length} run(s) did not reach the expected state: ${wrong.map((w) => `${w.provider}/${w.kind}=${outcome.get(w.workflowId)}`).join(', ')}`,
  );
  if (s.DEMO_EXIT_WHEN_DONE === '1') return shutdown(wrong.length === 0 ? 0 : 1);
  log(`Still serving: Web UI ${system.uiUrl}, TEMPORAL_ADDRESS=${system.address}. Ctrl-C to stop.`);
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
