// A cancellation worker as its own process (bench and drills start it, kill it and restart it).
// Configured by the environment: TEMPORAL_ADDRESS, CANCELLATIONS_TASK_QUEUE, the provider variables,
// the data-protection variables, WORKFLOW_BUNDLE_PATH (a prebuilt bundle) and WORKER_TUNING (JSON).
// The simulators impose no rate unless told to, and drills and bench measure the system, not the
// providers' limits: the provider queues get rates that never bind, unless CANCELLATIONS_RATE_LIMITS
// is set (the rate-limit bench sets it).
import { loadProviderEnv } from '../activities/config';
import { parseRateLimits, RATE_LIMITS_VARIABLE } from '../common/rate-limits';
import { createHttpClient } from '../activities/http/client';
import { createCancellationWorker } from '../workers/worker';
import { runChildWorker, tuningFromEnv } from './worker-child';

const bundle = process.env.WORKFLOW_BUNDLE_PATH;
const env = loadProviderEnv();
const rateLimits = parseRateLimits(
  process.env[RATE_LIMITS_VARIABLE] ?? 'keliweb=1000,payway=1000,rebilly=1000,billing-care=1000',
);

// Imports are evaluated by now: Date.now() here is the "modules loaded" milestone.
runChildWorker(Date.now(), (connection, taskQueue, namespace) =>
  createCancellationWorker({
    connection,
    namespace,
    taskQueue,
    deps: {
      http: createHttpClient({ timeoutMs: env.PROVIDER_HTTP_TIMEOUT_MS }),
      env,
      clock: () => new Date(),
    },
    ...(bundle && { workflowBundle: { codePath: bundle } }),
    tuning: tuningFromEnv(),
    rateLimits,
  }),
).catch((err: unknown) => {
  console.error(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
