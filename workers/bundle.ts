import { existsSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkerOptions } from '@temporalio/worker';
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

type WebpackConfigHook = NonNullable<BundleOptions['webpackConfigHook']>;

/**
 * The SDK bundles in webpack's development mode, which keeps every export of every module and
 * inlines each source file's text into the source map: 2.3 MB of code and 3.6 MB of map, which each
 * worker parses twice at start (once in the main thread, once in the workflow thread) and keeps.
 * Unused exports and the modules only they reach (zod's 40 locales, most of it) are dropped, and
 * the map keeps its mappings without the sources' text: stack traces still point into the sources,
 * and the SDK reads the text only for a worker with showStackTraceSources, which ours do not set.
 * About 1.6 MB of code and 0.7 MB of map; bench/REPORT.md has the start-up it buys.
 */
export const leanBundle: WebpackConfigHook = (config) => ({
  ...config,
  devtool: 'inline-nosources-source-map',
  optimization: { ...config.optimization, usedExports: true, sideEffects: true, innerGraph: true },
});

/** What a worker that bundles the workflows itself (no prebuilt bundle) passes as bundlerOptions. */
export const BUNDLER_OPTIONS: WorkerOptions['bundlerOptions'] = {
  preloadModules: [...SHARED_WORKFLOW_MODULES],
  webpackConfigHook: leanBundle,
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
  const from = sourcesWherePresent([
    workflowsPath,
    FAILURE_CONVERTER_PATH,
    WORKFLOW_INTERCEPTORS_PATH,
    ...SHARED_WORKFLOW_MODULES,
  ]);
  const { code } = await bundleWorkflowCode({
    workflowsPath: from(workflowsPath),
    ...(withFailureConverter && { failureConverterPath: from(FAILURE_CONVERTER_PATH) }),
    ...(withInterceptors && { workflowInterceptorModules: [from(WORKFLOW_INTERCEPTORS_PATH)] }),
    ...(withSharedModules && { preloadModules: SHARED_WORKFLOW_MODULES.map(from) }),
    webpackConfigHook: leanBundle,
    logger: quiet,
  });
  return code;
}

const DIST = path.resolve(__dirname, '..'); // dist/ when this module runs compiled
const COMPILED = __filename.endsWith('.js');

/**
 * Maps compiled modules (dist/x.js) to their TypeScript sources (x.ts) when every one of them is
 * present, as in `npm run build`: the compiled CommonJS would pull in zod's CommonJS build, which
 * webpack cannot prune (leanBundle), and preloading one zod while the runs import another would
 * share nothing. All or none, so that no module is bundled twice. Source paths pass unchanged.
 */
function sourcesWherePresent(paths: string[]): (p: string) => string {
  const source = (p: string) => path.join(DIST, '..', path.relative(DIST, p)).replace(/\.js$/, '.ts');
  const mapped = COMPILED && paths.every((p) => p.startsWith(DIST) && existsSync(source(p)));
  return mapped ? source : (p) => p;
}
