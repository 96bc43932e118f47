import { type DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { dataConverterFromEnv } from '../codec/data-converter';
import { Client } from '@temporalio/client';
import { createWorkerActivities } from '../activities';
import { type ActivityDeps } from '../activities/deps';
import { rateLimitsFromEnv, type RateLimits } from '../common/rate-limits';
import { providers, type Provider } from '../common/request';
import { providerTaskQueue } from '../common/task-queue';
import { WorkerGroup } from './worker-group';
import { clientInterceptors } from '../client/connection';
import { workerTelemetry } from './telemetry';
import { prebuiltWorkflowBundle } from './prebuilt-bundle';
import { BUNDLER_OPTIONS } from './bundle';

export interface CancellationWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /**
   * A prebuilt bundle (tests and the demo build it once); otherwise the one `npm run build` made
   * when this is the compiled worker (workers/prebuilt-bundle.ts), else bundled from source.
   */
  workflowBundle?: { code: string } | { codePath: string };
  /**
   * Payload encryption; by default from CANCELLATIONS_ENCRYPTION_KEYS (dataConverterFromEnv).
   * A prebuilt workflowBundle must be bundled with failureConverterPath: FAILURE_CONVERTER_PATH.
   */
  dataConverter?: DataConverter;
  tuning?: Partial<Pick<WorkerOptions, TuningOption>>;
  /** Provider activities per second across all workers; by default from CANCELLATIONS_RATE_LIMITS. */
  rateLimits?: RateLimits;
}

type TuningOption =
  | 'maxCachedWorkflows'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskPolls'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'workflowThreadPoolSize';

/**
 * Deferred cancellations wait for weeks and need no cache entry while they do: a run evicted from
 * the cache replays its short history when its timer fires. Each cached run costs worker memory
 * (bench/REPORT.md gives the measured figure), so the cache is sized for the runs in flight, not
 * for the runs waiting. 100 with the heap ceiling (workers/heap.ts): 10,000 waiting left the worker
 * at 353 MB where 200 without a ceiling left 527 MB, at the same throughput within noise.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 100;

/** The workers of one process: see createCancellationWorker. */
export class CancellationWorker extends WorkerGroup {
  constructor(
    /** Workflows and the activities that call Temporal or callbacks, not a provider. */
    readonly main: Worker,
    /** Activity-only, one per provider task queue, each holding that queue to its rate. */
    readonly providerWorkers: Readonly<Record<Provider, Worker>>,
  ) {
    super([main, ...providers.map((p) => providerWorkers[p])]);
  }

  /** The main worker's options (what callers report). */
  get options(): Worker['options'] {
    return this.main.options;
  }
}

// Activity-side tuning also applies to the provider workers; the rest is the workflows' business.
const ACTIVITY_TUNING = ['maxConcurrentActivityTaskExecutions', 'maxConcurrentActivityTaskPolls'] as const;

/** A provider's registered activities are named after it, camel-cased (activities/index.ts). */
const activityPrefix = (p: Provider) => p.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/**
 * The main worker on `taskQueue` (workflows and the activities that are not provider calls) and
 * one activity-only worker per provider queue (common/task-queue.ts), all on one connection. Each
 * provider worker sets maxTaskQueueActivitiesPerSecond: Temporal's server holds the queue to that
 * rate across every worker polling it, in every process (docs/rate-limits.md).
 */
export async function createCancellationWorker(o: CancellationWorkerOptions): Promise<CancellationWorker> {
  const dataConverter = o.dataConverter ?? dataConverterFromEnv();
  const rateLimits = o.rateLimits ?? rateLimitsFromEnv(process.env);
  // Activities that start runs use the worker's own connection and payload encryption.
  const client = new Client({
    connection: o.connection,
    namespace: o.namespace,
    dataConverter,
    interceptors: clientInterceptors(),
  });
  const activities = createWorkerActivities(o.deps, { client });
  const workflowBundle = o.workflowBundle ?? prebuiltWorkflowBundle();
  const shared = {
    connection: o.connection,
    namespace: o.namespace,
    dataConverter,
    ...workerTelemetry({ bundled: workflowBundle !== undefined }), // metrics and traces
  };
  // The main worker registers the provider activities as well: tasks that runs scheduled on the
  // main queue before provider queues existed still find them there (unthrottled, until done).
  // Created together: the provider workers' creation overlaps the main worker's workflow thread
  // loading the bundle, most of a worker's start-up.
  const creatingMain = Worker.create({
    ...shared,
    taskQueue: o.taskQueue,
    activities,
    ...(workflowBundle
      ? { workflowBundle }
      : { workflowsPath: require.resolve('../workflows'), bundlerOptions: BUNDLER_OPTIONS }),
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    ...o.tuning,
  });
  const activityTuning = Object.fromEntries(
    ACTIVITY_TUNING.flatMap((k) => (o.tuning?.[k] === undefined ? [] : [[k, o.tuning[k]]])),
  );
  const creatingProviders = Promise.all(
    providers.map((p) =>
      Worker.create({
        ...shared,
        taskQueue: providerTaskQueue(o.taskQueue, p),
        // Only this provider's activities: one scheduled on the wrong queue fails loudly.
        activities: Object.fromEntries(
          Object.entries(activities).filter(([name]) => name.startsWith(activityPrefix(p))),
        ),
        maxTaskQueueActivitiesPerSecond: rateLimits[p],
        ...activityTuning,
      }),
    ),
  );
  const [main, byProvider] = await Promise.all([creatingMain, creatingProviders]);
  return new CancellationWorker(
    main,
    Object.fromEntries(providers.map((p, i) => [p, byProvider[i]!])) as Record<Provider, Worker>,
  );
}
