import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { type DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Worker } from '@temporalio/worker';
import { CancellationClient } from '../../client/cancellation-client';
import { searchAttributeTypes } from '../../client/search-attributes-setup';
import { ALL_SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { type ActivityDeps } from '../../activities/deps';
import { type RateLimits } from '../../common/rate-limits';
import { createCancellationWorker } from '../../workers/worker';
import { devServerArgs } from '../../scripts/dev-server-tuning';
import { devServerExecutable, testServerExecutable } from '../../scripts/temporal-binaries';
import { WORKFLOW_BUNDLE_PATH } from './paths';

/**
 * A real Temporal dev server (the provisioned CLI) with the project's search attributes;
 * `extraArgs` go to `temporal server start-dev` (e.g. --ui-codec-endpoint).
 */
export function createDevServerEnv(options: { extraArgs?: string[] } = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: devServerExecutable().executable,
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: [...devServerArgs(), ...(options.extraArgs ?? [])],
    },
  });
}

/** The time-skipping test server (the provisioned Java wrapper): days pass in seconds. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServerExecutable().executable },
  });
  // The test server takes search attributes through the operator API, like a real cluster (but
  // has no list call, so they are only added).
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: searchAttributeTypes(),
  });
  return env;
}

export interface StartWorkerOptions {
  /** Payload encryption for the worker and the returned client (codec/dataConverterFor). */
  dataConverter?: DataConverter;
  /** Reuse a task queue (e.g. a second worker taking over the runs of a stopped one). */
  taskQueue?: string;
  /** Provider rates for the provider queues (default: CANCELLATIONS_RATE_LIMITS or the defaults). */
  rateLimits?: RateLimits;
}

/** A client of the test environment's server with the given data converter (or env.client). */
export function temporalClientFor(env: TestWorkflowEnvironment, dataConverter?: DataConverter): Client {
  if (!dataConverter) return env.client;
  return new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
}

/** A worker on a fresh task queue, with the bundle built once in global setup. */
export async function startWorker(
  env: TestWorkflowEnvironment,
  deps: ActivityDeps,
  options: StartWorkerOptions = {},
) {
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const worker = await createCancellationWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps,
    workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
    ...(options.dataConverter && { dataConverter: options.dataConverter }),
    ...(options.rateLimits && { rateLimits: options.rateLimits }),
  });
  const running = worker.run();
  const temporal = temporalClientFor(env, options.dataConverter);
  const client = new CancellationClient(temporal, taskQueue);
  return {
    worker,
    client,
    /** The Temporal client behind `client` (same data converter as the worker). */
    temporal,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

export type RunningWorker = Awaited<ReturnType<typeof startWorker>>;
export { type Worker };
