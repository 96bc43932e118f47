import { performance } from 'node:perf_hooks';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { temporalTargetFromEnv } from '../client/connection';
import { installRedactingWorkerLogger } from '../workers/logging';

/** What a child worker reports on stdout: one line `WORKER <json>` per milestone. */
export interface WorkerMilestone {
  event: 'ready' | 'stopped';
  pid: number;
  /** Epoch ms: process start (performance.timeOrigin), modules loaded, connected, created, RUNNING. */
  processStart: number;
  loaded: number;
  connected: number;
  created: number;
  running: number;
  /** The options the worker resolved (defaults included), for the bench report. */
  options: Record<string, unknown>;
}

export const MILESTONE_PREFIX = 'WORKER ';

/** A Worker, or a group of them run as one (workers/worker.ts): what a child process runs. */
type ChildWorker = Pick<Worker, 'run' | 'getState' | 'options'>;

/**
 * The body of a child worker process (bench and drills): connects to TEMPORAL_ADDRESS, creates a
 * worker with `create`, reports its milestones on stdout, and runs until SIGTERM/SIGINT.
 */
export async function runChildWorker(
  loadedAt: number,
  create: (connection: NativeConnection, taskQueue: string, namespace: string) => Promise<ChildWorker>,
): Promise<void> {
  installRedactingWorkerLogger(process.env, 'ERROR');
  const target = temporalTargetFromEnv();
  const connection = await NativeConnection.connect(
    target.connectionOptions as Parameters<typeof NativeConnection.connect>[0],
  );
  const connected = Date.now();
  const worker = await create(connection, target.taskQueue, target.namespace);
  const created = Date.now();
  const running = worker.run();
  // run() moves the worker to RUNNING and starts the pollers; the first poll goes out right then.
  while (worker.getState() !== 'RUNNING') await new Promise((r) => setTimeout(r, 1));
  const report = (event: WorkerMilestone['event']) =>
    console.log(
      MILESTONE_PREFIX +
        JSON.stringify({
          event,
          pid: process.pid,
          processStart: Math.round(performance.timeOrigin),
          loaded: loadedAt,
          connected,
          created,
          running: Date.now(),
          options: resolvedOptions(worker),
        } satisfies WorkerMilestone),
    );
  report('ready');
  try {
    await running;
  } finally {
    await connection.close();
  }
  report('stopped');
}

/** Worker options from WORKER_TUNING (JSON), e.g. {"maxCachedWorkflows":2000}. */
export function tuningFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, number> {
  return env.WORKER_TUNING ? (JSON.parse(env.WORKER_TUNING) as Record<string, number>) : {};
}

function resolvedOptions(worker: ChildWorker): Record<string, unknown> {
  const o = worker.options;
  return {
    maxCachedWorkflows: o.maxCachedWorkflows,
    reuseV8Context: o.reuseV8Context,
    workflowThreadPoolSize: o.workflowThreadPoolSize,
    workflowTaskSlots: slotsOf(o.tuner.workflowTaskSlotSupplier),
    activityTaskSlots: slotsOf(o.tuner.activityTaskSlotSupplier),
    workflowTaskPollers: o.workflowTaskPollerBehavior?.maximum,
    activityTaskPollers: o.activityTaskPollerBehavior?.maximum,
  };
}

/** A fixed-size slot supplier's slot count; resource-based suppliers have none. */
const slotsOf = (supplier: object): number | undefined =>
  'numSlots' in supplier && typeof supplier.numSlots === 'number' ? supplier.numSlots : undefined;
