import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where `npm run build` leaves the workflow bundle (scripts/build-workflow-bundle.ts): next to the
 * compiled code, dist/workflow-bundle.js, so a compiled worker starts without running webpack.
 */
export const PREBUILT_WORKFLOW_BUNDLE = path.resolve(__dirname, '../workflow-bundle.js');

/**
 * The prebuilt bundle, for the compiled worker only. Resolved from this module's own place, so the
 * bundle and the code that loads it come from the same build; a worker run from the TypeScript
 * sources (tsx, jest) bundles those sources instead and never picks up a bundle of older code.
 */
export function prebuiltWorkflowBundle(): { codePath: string } | undefined {
  if (!__filename.endsWith('.js') || !existsSync(PREBUILT_WORKFLOW_BUNDLE)) return undefined;
  return { codePath: PREBUILT_WORKFLOW_BUNDLE };
}
