import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { startSimulators, type SimulatorSet } from '../../simulators';
import { depsFor } from './provider-harness';
import { startWorker, type RunningWorker } from './temporal-env';

/**
 * The four provider simulators for the file, and a fresh Temporal environment with a worker
 * pointed at them for each test (see useTemporalWithRebilly for why each test). Read the fields
 * inside tests, not at module load.
 */
export function useTemporalWithAllProviders(createEnv: () => Promise<TestWorkflowEnvironment>) {
  const ctx = {} as { env: TestWorkflowEnvironment; sims: SimulatorSet; w: RunningWorker };
  beforeAll(async () => {
    ctx.sims = await startSimulators();
  });
  beforeEach(async () => {
    ctx.env = await createEnv();
    ctx.w = await startWorker(ctx.env, depsFor(ctx.sims.env, 3000));
  });
  afterEach(async () => {
    await ctx.w?.stop();
    await ctx.env?.teardown();
  });
  afterAll(async () => {
    await ctx.sims?.stop();
  });
  return ctx;
}
