import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../codec/data-converter';
import { WORKFLOW_INTERCEPTORS_PATH } from './telemetry';

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

/**
 * Modules evaluated once per worker and shared by every workflow run, instead of once per run:
 * zod, which each run would otherwise evaluate again (bench/CACHED-RUNS.md: worker memory per cached
 * run and CPU per run, measured both ways). workflows/shared-modules.ts says why only the library.
 */
export const SHARED_WORKFLOW_MODULES: readonly string[] = [require.resolve('../workflows/shared-modules')];

/** What a worker that bundles the workflows itself (no prebuilt bundle) passes as bundlerOptions. */
export const BUNDLER_OPTIONS: WorkerOptions['bundlerOptions'] = {
  preloadModules: [...SHARED_WORKFLOW_MODULES],
};

/**
 * Bundles workflow code once, for workers that start from a prebuilt bundle (tests, the benchmark,
 * the drills). Workflow failures are converted inside the bundle, so the failure converter that
 * encrypts their messages has to be bundled with them; likewise the workflow interceptors (metrics
 * and traces), which a prebuilt bundle must carry. The benchmark's baseline goes without all three.
 */
export async function bundleWorkflows(
  workflowsPath: string = require.resolve('../workflows'),
  {
    withFailureConverter = true,
    withInterceptors = withFailureConverter,
    withSharedModules = withInterceptors,
  }: { withFailureConverter?: boolean; withInterceptors?: boolean; withSharedModules?: boolean } = {},
): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    ...(withFailureConverter && { failureConverterPath: FAILURE_CONVERTER_PATH }),
    ...(withInterceptors && { workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH] }),
    ...(withSharedModules && { preloadModules: [...SHARED_WORKFLOW_MODULES] }),
    logger: quiet,
  });
  return code;
}
