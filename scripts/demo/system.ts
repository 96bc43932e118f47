import { devServerArgs } from '../dev-server-tuning';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataConverterFromEnv } from '../../codec/data-converter';
import { ensureDevDataProtectionEnv } from '../../codec/dev-keys';
import { startCodecServerFromEnv } from '../../codec/server';
import { loadProviderEnv } from '../../activities/config';
import { activityDeps } from '../../activities/deps';
import { CancellationClient } from '../../client/cancellation-client';
import { ALL_SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { DEFAULT_TASK_QUEUE } from '../../common/task-queue';
import { startSimulators, type SimulatorSet } from '../../simulators';
import { type CancellationWorker, createCancellationWorker } from '../../workers/worker';
import { freePort } from '../free-port';
import { devServerExecutable } from '../temporal-binaries';

/** WAL keeps writers from blocking readers (the benchmark measured ~40% more throughput with it);
 *  the dev server's state is a convenience, not a ledger, so synchronous=normal is enough. */
export { SQLITE_PRAGMAS } from '../dev-server-tuning';

export interface EmbeddedOptions {
  /** Temporal frontend port (0: any free port); the Web UI listens on uiPort (0: any free port). */
  port: number;
  uiPort: number;
  /** SQLite file that keeps the dev server's state across restarts. */
  dbFile: string;
  /** First of four consecutive simulator ports (0: any free ports). */
  simPortBase: number;
  taskQueue?: string;
  extraServerArgs?: string[];
  /** A prebuilt workflow bundle; otherwise the worker bundles the workflows from source. */
  workflowBundle?: { codePath: string };
  codecPort?: number;
  log: (line: string) => void;
}

export interface EmbeddedSystem {
  env: TestWorkflowEnvironment;
  sims: SimulatorSet;
  worker: CancellationWorker;
  client: CancellationClient;
  address: string;
  uiUrl: string;
  codecUrl: string;
  workflowUrl(workflowId: string): string;
  stop(): Promise<void>;
}

/**
 * The embedded default: a Temporal dev server with the Web UI and a persistent SQLite file, the four
 * provider simulators, and a worker pointed at them. Everything on loopback.
 */
export async function startEmbeddedSystem(o: EmbeddedOptions): Promise<EmbeddedSystem> {
  const binary = devServerExecutable();
  o.log(`Temporal dev server: ${binary.description}`);
  // Encrypted payloads even in the demo; the UI decodes them through our codec server.
  ensureDevDataProtectionEnv();
  mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const uiPort = o.uiPort || (await freePort());
  const codec = await startCodecServerFromEnv(process.env, {
    port: o.codecPort ?? 0,
    corsOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  });
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: binary.executable,
      ip: '127.0.0.1',
      ...(o.port ? { port: o.port } : {}),
      ui: true,
      uiPort,
      dbFilename: o.dbFile,
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: [...devServerArgs(), '--ui-codec-endpoint', codec.uiEndpoint, ...(o.extraServerArgs ?? [])],
    },
  }).catch(async (err: unknown) => {
    await codec.close();
    throw err;
  });
  const stops: Array<() => Promise<void>> = [() => codec.close(), () => env.teardown()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const b = o.simPortBase;
    const sims = await startSimulators(
      b ? { keliweb: b, payway: b + 1, rebilly: b + 2, billingCare: b + 3 } : {},
    );
    stops.push(() => sims.stop());
    const providerEnv = loadProviderEnv({ ...sims.env, PROVIDER_HTTP_TIMEOUT_MS: '5000' });
    const taskQueue = o.taskQueue ?? DEFAULT_TASK_QUEUE;
    const worker = await createCancellationWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: activityDeps(providerEnv),
      ...(o.workflowBundle && { workflowBundle: o.workflowBundle }),
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const address = env.connection.options.address;
    const uiUrl = `http://127.0.0.1:${uiPort}`;
    return {
      env,
      sims,
      worker,
      client: new CancellationClient(
        new Client({
          connection: env.connection,
          namespace: 'default',
          dataConverter: dataConverterFromEnv(),
        }),
        taskQueue,
      ),
      codecUrl: codec.url,
      address,
      uiUrl,
      workflowUrl: (id) => `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(id)}`,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
