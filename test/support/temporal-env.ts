import { randomUUID } from 'node:crypto';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Worker } from '@temporalio/worker';
import { CancellationClient } from '../../client/cancellation-client';
import { ALL_SEARCH_ATTRIBUTES } from '../../common/search-attributes';
import { type ActivityDeps } from '../../activities/deps';
import { createCancellationWorker } from '../../workers/worker';
import { devServerExecutable, testServerExecutable } from '../../scripts/temporal-binaries';
import { WORKFLOW_BUNDLE_PATH } from './paths';

/** A real Temporal dev server (the provisioned CLI) with the project's search attributes. */
export function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: devServerExecutable().executable, searchAttributes: ALL_SEARCH_ATTRIBUTES },
  });
}

/** The time-skipping test server (the provisioned Java wrapper): days pass in seconds. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServerExecutable().executable },
  });
  // The test server takes search attributes through the operator API, like a real cluster.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]),
    ),
  });
  return env;
}

/** A worker on a fresh task queue, with the bundle built once in global setup. */
export async function startWorker(env: TestWorkflowEnvironment, deps: ActivityDeps) {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createCancellationWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps,
    workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH },
  });
  const running = worker.run();
  const client = new CancellationClient(env.client, taskQueue);
  return {
    worker,
    client,
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

export type RunningWorker = Awaited<ReturnType<typeof startWorker>>;
export { type Worker };
