import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflows } from '../workers/bundle';
import { PREBUILT_WORKFLOW_BUNDLE } from '../workers/prebuilt-bundle';

// The last step of `npm run build`, run as compiled JavaScript (node dist/scripts/...): bundles the
// compiled workflows with bundleWorkflows, the function the tests' and the bench's bundles come
// from (failure converter and workflow interceptors included), so the worker that loads it starts
// without webpack. Then stamps the build: bin/run-entry runs dist/ only while no source is newer
// than the stamp. The stamp is the marker the build script touched before tsc read anything, so
// a source saved while the build ran counts as newer than the build.

const BUILD_STARTED = path.resolve(__dirname, '../.build-started');
export const BUILD_STAMP = path.resolve(__dirname, '../.build-stamp');

async function main(): Promise<void> {
  if (!__filename.endsWith('.js')) throw new Error('run the compiled script (npm run build), not the source');
  const started = Date.now();
  const code = await bundleWorkflows(require.resolve('../workflows'));
  writeFileSync(PREBUILT_WORKFLOW_BUNDLE, code);
  renameSync(BUILD_STARTED, BUILD_STAMP); // keeps the marker's time: when the build began
  const kb = Math.round(Buffer.byteLength(code) / 1024);
  console.log(
    `wrote ${path.relative(process.cwd(), PREBUILT_WORKFLOW_BUNDLE)} (${kb} KiB) in ${Date.now() - started} ms`,
  );
}

main().catch((err: unknown) => {
  console.error(`workflow bundle failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
