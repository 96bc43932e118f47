import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { CancellationClient } from '../../client/cancellation-client';
import { dataConverterFromEnv } from '../../codec/data-converter';
import { ensureDevDataProtectionEnv } from '../../codec/dev-keys';
import { WORKFLOW_TYPE } from '../../workflows/definitions';
import { startSimulators, type SimulatorSet } from '../../simulators';
import { startDevServer, type DevServer } from '../../harness/dev-server';
import { spawnWorker, type WorkerProcess } from '../../harness/worker-process';

export interface DrillSystemOptions {
  name: string;
  bundlePath: string;
  /** The worker's whole-request budget per provider call: a hang costs this much. */
  httpTimeoutMs?: number;
  log?: (line: string) => void;
}

/**
 * One drill's world: its own dev server (a fresh SQLite file in a temp directory), the four
 * simulators, a cancellation client, and worker child processes started on demand.
 */
export interface DrillSystem {
  server: DevServer;
  sims: SimulatorSet;
  client: CancellationClient;
  taskQueue: string;
  /** Starts a worker process (the drill may kill it and start another). */
  startWorker(tuning?: Record<string, number>): Promise<WorkerProcess>;
  /** Provider write calls so far, over the four simulators. */
  writeCalls(): number;
  /** Cancellation workflows on this drill's task queue, by visibility (optionally more clauses). */
  countWorkflows(extra?: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startDrillSystem(o: DrillSystemOptions): Promise<DrillSystem> {
  ensureDevDataProtectionEnv();
  const dir = mkdtempSync(path.join(os.tmpdir(), `cancellations-${o.name}-`));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.sqlite') });
  const workers: WorkerProcess[] = [];
  let sims: SimulatorSet | undefined;
  let connection: Connection | undefined;
  const stop = async () => {
    await Promise.all(workers.map((w) => w.stop(10_000)));
    await connection?.close().catch(() => undefined);
    await sims?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    sims = await startSimulators();
    connection = await Connection.connect({ address: server.address });
    const taskQueue = `drill-${o.name}-${randomBytes(4).toString('hex')}`;
    const client = new CancellationClient(
      new Client({ connection, namespace: 'default', dataConverter: dataConverterFromEnv() }),
      taskQueue,
    );
    const simSet = sims;
    const simEnv = sims.env;
    return {
      server,
      sims,
      client,
      taskQueue,
      async startWorker(tuning) {
        const w = spawnWorker({
          address: server.address,
          taskQueue,
          bundlePath: o.bundlePath,
          ...(tuning && { tuning }),
          env: { ...simEnv, PROVIDER_HTTP_TIMEOUT_MS: String(o.httpTimeoutMs ?? 5000) },
          onStderr: (line) => o.log?.(`    worker ${w.pid}: ${line}`),
        });
        workers.push(w);
        await w.ready;
        return w;
      },
      writeCalls: () => Object.values(simSet.byProvider).reduce((n, sim) => n + sim.writes().length, 0),
      async countWorkflows(extra) {
        const query = [`WorkflowType = '${WORKFLOW_TYPE}'`, `TaskQueue = '${taskQueue}'`, extra]
          .filter(Boolean)
          .join(' AND ');
        return (await client.client.workflow.count(query)).count;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value. */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    v = await read();
  }
  return v;
}

/** A drill's verdict: thrown when anything was lost, duplicated or out of order. */
export class DrillFailure extends Error {
  override readonly name = 'DrillFailure';
  /** What the drill counted before it failed, for the report. */
  constructor(
    message: string,
    readonly counts?: object,
  ) {
    super(message);
  }
}
