import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { RebillySimulator } from '../../simulators/rebilly';
import { startWorker, type RunningWorker } from './temporal-env';
import { depsFor } from './provider-harness';

export const REBILLY_ORG = 'org-test';
export const REBILLY_KEY = 'sk_sandbox_secret_workflow';

/** A running Rebilly simulator and activity deps pointing at it. */
export async function startRebilly(timeoutMs = 1500) {
  const sim = new RebillySimulator({ organizationId: REBILLY_ORG, apiKey: REBILLY_KEY });
  const url = await sim.start();
  const deps = depsFor(
    { REBILLY_BASE_URL: url, REBILLY_ORGANIZATION_ID: REBILLY_ORG, REBILLY_API_KEY: REBILLY_KEY },
    timeoutMs,
  );
  return { sim, deps };
}

/**
 * A Temporal environment, a Rebilly simulator and a worker pointed at it. The simulator lives for
 * the file; the environment and worker for the file, or for each test with `fresh: 'each-test'`.
 * Time-skipping tests want the latter: the test server skips to timers that were already
 * cancelled (a withdrawn run's wait) or belong to finished runs, so across a file its clock drifts
 * months or years ahead of the real one, and dates checked against the clock stop making sense.
 * Read the fields inside tests, not at module load.
 */
export function useTemporalWithRebilly(
  createEnv: () => Promise<TestWorkflowEnvironment>,
  { fresh = 'each-file' }: { fresh?: 'each-file' | 'each-test' } = {},
) {
  const ctx = {} as { env: TestWorkflowEnvironment; sim: RebillySimulator; w: RunningWorker };
  let deps: Awaited<ReturnType<typeof startRebilly>>['deps'];
  const up = async () => {
    ctx.env = await createEnv();
    ctx.w = await startWorker(ctx.env, deps);
  };
  const down = async () => {
    await ctx.w?.stop();
    await ctx.env?.teardown();
  };
  beforeAll(async () => {
    const rebilly = await startRebilly();
    ctx.sim = rebilly.sim;
    deps = rebilly.deps;
    if (fresh === 'each-file') await up();
  });
  if (fresh === 'each-test') {
    beforeEach(up);
    afterEach(down);
  }
  afterAll(async () => {
    if (fresh === 'each-file') await down();
    await ctx.sim?.stop();
  });
  return ctx;
}
