import { bundleWorkflowCode } from '@temporalio/worker';
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
 * Bundles workflow code once, for workers that start from a prebuilt bundle (tests, the benchmark,
 * the drills). Workflow failures are converted inside the bundle, so the failure converter that
 * encrypts their messages has to be bundled with them; likewise the workflow interceptors (metrics
 * and traces), which a prebuilt bundle must carry. The benchmark's baseline goes without both.
 */
export async function bundleWorkflows(
  workflowsPath: string = require.resolve('../workflows'),
  {
    withFailureConverter = true,
    withInterceptors = withFailureConverter,
  }: { withFailureConverter?: boolean; withInterceptors?: boolean } = {},
): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    ...(withFailureConverter && { failureConverterPath: FAILURE_CONVERTER_PATH }),
    ...(withInterceptors && { workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH] }),
    logger: quiet,
  });
  return code;
}
