// The baseline worker as its own process, configured like harness/worker-entry.ts.
import { Worker } from '@temporalio/worker';
import { runChildWorker, tuningFromEnv } from '../../harness/worker-child';
import * as activities from './activities';

runChildWorker(Date.now(), (connection, taskQueue, namespace) =>
  Worker.create({
    connection,
    namespace,
    taskQueue,
    activities,
    workflowBundle: { codePath: process.env.WORKFLOW_BUNDLE_PATH! },
    ...tuningFromEnv(),
  }),
).catch((err: unknown) => {
  console.error(`baseline worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
