import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { CancellationClient } from '../client/cancellation-client';
import { dataConverterFromEnv } from '../codec/data-converter';
import { type SimulatorSet } from '../simulators';
import { buildBundle, PRODUCT_WORKFLOWS } from '../harness/bundle';
import { type DevServer } from '../harness/dev-server';
import { spawnWorker, type WorkerProcess, type WorkerProcessOptions } from '../harness/worker-process';

/** Each kind's worker entry and bundle; the cancellation worker is harness/worker-entry.ts. */
const ENTRIES = {
  baseline: path.resolve(__dirname, 'baseline/worker-entry.ts'),
  skeleton: path.resolve(__dirname, 'skeleton/worker-entry.ts'),
};

export interface Bundles {
  product: string;
  baseline: string;
  skeleton: string;
}

/** The system under test: one dev server, the simulators, and clients to start work with. */
export interface Env {
  server: DevServer;
  sims: SimulatorSet;
  connection: Connection;
  /** The product's client (payload codec as shipped). */
  product: CancellationClient;
  /** A plain client for the baseline workflow (default data converter). */
  raw: Client;
  bundles: Bundles;
  log: (line: string) => void;
}

/** A fresh task queue name, so no phase picks up another phase's leftovers. */
export const queue = (label: string) => `bench-${label}-${randomBytes(3).toString('hex')}`;

/** Both workflow bundles, built once so no worker start-up pays for bundling. */
export async function buildBundles(stateDir: string): Promise<Bundles> {
  return {
    product: await buildBundle({
      workflowsPath: PRODUCT_WORKFLOWS,
      outFile: path.join(stateDir, 'product.js'),
      withFailureConverter: true,
    }),
    baseline: await buildBundle({
      workflowsPath: require.resolve('./baseline/workflows'),
      outFile: path.join(stateDir, 'baseline.js'),
      withFailureConverter: false,
    }),
    skeleton: await buildBundle({
      workflowsPath: require.resolve('./skeleton/workflows'),
      outFile: path.join(stateDir, 'skeleton.js'),
      withFailureConverter: false,
    }),
  };
}

export async function openEnv(
  server: DevServer,
  sims: SimulatorSet,
  bundles: Bundles,
  taskQueue: string,
  log: (line: string) => void,
): Promise<Env> {
  const connection = await Connection.connect({ address: server.address });
  return {
    server,
    sims,
    connection,
    bundles,
    log,
    raw: new Client({ connection, namespace: 'default' }),
    product: new CancellationClient(
      new Client({ connection, namespace: 'default', dataConverter: dataConverterFromEnv() }),
      taskQueue,
    ),
  };
}

/** Every worker process and extra server the run starts, stopped at the end whatever happened. */
export class Started {
  private readonly workers: WorkerProcess[] = [];
  private readonly servers: DevServer[] = [];

  worker(w: WorkerProcess): WorkerProcess {
    this.workers.push(w);
    return w;
  }

  server(s: DevServer): DevServer {
    this.servers.push(s);
    return s;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(10_000)));
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}

/** A worker process of the given kind on `taskQueue`, resolved once it polls. */
export async function startWorkerProcess(
  e: Env,
  started: Started,
  kind: 'cancellation' | 'baseline' | 'skeleton',
  taskQueue: string,
  tuning: Record<string, number> = {},
  spawnOptions: Pick<WorkerProcessOptions, 'nodeArgs' | 'heapMB'> = {},
): Promise<WorkerProcess> {
  const w = started.worker(
    spawnWorker({
      ...(kind !== 'cancellation' && { entry: ENTRIES[kind] }),
      address: e.server.address,
      taskQueue,
      bundlePath: kind === 'cancellation' ? e.bundles.product : e.bundles[kind],
      env: { ...e.sims.env, PROVIDER_HTTP_TIMEOUT_MS: '5000' },
      tuning,
      onStderr: (line) => e.log(`worker ${kind}: ${line}`),
      ...spawnOptions,
    }),
  );
  await w.ready;
  return w;
}
