// The skeleton worker as its own process, laid out as the product's (harness/worker-entry.ts): a
// main worker for the workflows and one activity worker per provider queue, on one connection.
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { providers } from '../../common/request';
import { providerTaskQueue } from '../../common/task-queue';
import { runChildWorker, tuningFromEnv } from '../../harness/worker-child';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../workers/worker';
import { WorkerGroup } from '../../workers/worker-group';
import { skeletonActivities } from './activities';

class SkeletonWorker extends WorkerGroup {
  get options(): Worker['options'] {
    return this.workers[0]!.options;
  }
}

runChildWorker(Date.now(), async (connection, taskQueue, namespace) => {
  const activities = skeletonActivities(new Client({ connection, namespace }));
  const tuning = tuningFromEnv();
  const main = await Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! },
    // The product worker's cache: its waiting verification runs are evicted the same way.
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    ...tuning,
  });
  const byProvider = await Promise.all(
    providers.map((p) =>
      Worker.create({ connection, namespace, taskQueue: providerTaskQueue(taskQueue, p), activities }),
    ),
  );
  return new SkeletonWorker([main, ...byProvider]);
}).catch((err: unknown) => {
  console.error(`skeleton worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
