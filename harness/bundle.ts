import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../workers/bundle';

/** Bundles workflows once into `outFile` (the prebuilt bundle every child worker loads). */
export async function buildBundle(o: {
  workflowsPath: string;
  outFile: string;
  /** The product's bundles carry the failure converter (encrypted failure messages). */
  withFailureConverter: boolean;
  /** zod shared by every run (workers/bundle.ts); off only to measure what sharing it saves. */
  withSharedModules?: boolean;
}): Promise<string> {
  const code = await bundleWorkflows(o.workflowsPath, {
    withFailureConverter: o.withFailureConverter,
    ...(o.withSharedModules !== undefined && { withSharedModules: o.withSharedModules }),
  });
  mkdirSync(path.dirname(o.outFile), { recursive: true });
  writeFileSync(o.outFile, code);
  return o.outFile;
}

export const PRODUCT_WORKFLOWS = path.resolve(__dirname, '../workflows/index.ts');
