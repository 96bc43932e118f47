import { readFileSync } from 'node:fs';
import { WORKFLOW_BUNDLE_PATH } from '../support/paths';

// The workflow bundle global setup built (workers/bundle.ts, as every worker's bundle is built).
// That every run still works with zod shared and frozen is the business of every workflow test:
// each run builds all the request schemas on the shared library and parses with them.
const bundle = readFileSync(WORKFLOW_BUNDLE_PATH, 'utf8');

describe('modules shared by every workflow run (preloadModules)', () => {
  it('are loaded by the bundle before any workflow exists', () => {
    const hook =
      /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(bundle)?.[1] ?? '';
    expect([...hook.matchAll(/\/\*! (\S+) \*\//g)].map((m) => m[1])).toEqual([
      './workflows/shared-modules.ts',
    ]);
  });

  it('put zod in the shared module, where the request schemas find it', () => {
    const shared =
      /^\/\*\*\*\/ "\.\/workflows\/shared-modules\.ts"[\s\S]*?^\/\*\*\*\/ "/m.exec(bundle)?.[0] ?? '';
    const zodId = /__webpack_require__\(\/\*! zod \*\/ "([^"]+)"\)/.exec(shared)?.[1];
    expect(zodId).toMatch(/node_modules\/zod\//);
    const request = /^\/\*\*\*\/ "\.\/common\/request\.ts"[\s\S]*?^\/\*\*\*\/ "/m.exec(bundle)?.[0] ?? '';
    expect(request).toContain(`__webpack_require__(/*! zod */ "${zodId}")`);
  });
});
