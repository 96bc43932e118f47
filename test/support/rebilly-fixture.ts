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
 * Per test file: a Temporal environment, a Rebilly simulator and a worker pointed at it, started
 * before the tests and torn down after them. Read the fields inside tests, not at module load.
 */
export function useTemporalWithRebilly(createEnv: () => Promise<TestWorkflowEnvironment>) {
  const ctx = {} as { env: TestWorkflowEnvironment; sim: RebillySimulator; w: RunningWorker };
  beforeAll(async () => {
    ctx.env = await createEnv();
    const rebilly = await startRebilly();
    ctx.sim = rebilly.sim;
    ctx.w = await startWorker(ctx.env, rebilly.deps);
  });
  afterAll(async () => {
    await ctx.w?.stop();
    await ctx.env?.teardown();
    await ctx.sim?.stop();
  });
  return ctx;
}
