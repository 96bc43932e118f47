import { type DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { dataConverterFromEnv } from '../codec/data-converter';
import { Client } from '@temporalio/client';
import { createWorkerActivities } from '../activities';
import { type ActivityDeps } from '../activities/deps';

export interface CancellationWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests and the demo build it once); otherwise bundled from source. */
  workflowBundle?: { code: string } | { codePath: string };
  /**
   * Payload encryption; by default from CANCELLATIONS_ENCRYPTION_KEYS (dataConverterFromEnv).
   * A prebuilt workflowBundle must be bundled with failureConverterPath: FAILURE_CONVERTER_PATH.
   */
  dataConverter?: DataConverter;
  tuning?: Partial<Pick<WorkerOptions, TuningOption>>;
}

type TuningOption =
  | 'maxCachedWorkflows'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskPolls'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'workflowThreadPoolSize';

/**
 * Deferred cancellations wait for weeks; each cached run costs a few MB of worker memory (bench/REPORT.md gives the measured figure).
 * A bounded cache keeps a worker with thousands of waiting runs small; evicted runs replay on wake-up.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;

export async function createCancellationWorker(o: CancellationWorkerOptions): Promise<Worker> {
  const dataConverter = o.dataConverter ?? dataConverterFromEnv();
  // Activities that start runs use the worker's own connection and payload encryption.
  const client = new Client({ connection: o.connection, namespace: o.namespace, dataConverter });
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: createWorkerActivities(o.deps, { client }),
    dataConverter,
    ...(o.workflowBundle
      ? { workflowBundle: o.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    ...o.tuning,
  });
}
