import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../../workers/bundle';
import { WORKFLOW_BUNDLE_PATH } from './paths';

/** Bundles the workflows once per test run; every worker in every test file reuses the bundle. */
export default async function globalSetup(): Promise<void> {
  const code = await bundleWorkflows(path.resolve(__dirname, '../../workflows/index.ts'));
  mkdirSync(path.dirname(WORKFLOW_BUNDLE_PATH), { recursive: true });
  writeFileSync(WORKFLOW_BUNDLE_PATH, code);
}
