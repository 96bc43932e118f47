// @ts-check
// Mutation testing of the code that decides outcomes: `npm run mutation` (docs/mutation.md).
// Workflows are not mutated: their bundle runs in Temporal's isolated sandbox, where Stryker cannot
// switch mutants on, and the time-skipping and replay tests cover them instead.
//
// Five scopes, run one after the other by `npm run mutation` (MUTATION_SCOPE picks one):
// - core: common/, activities/http/, free-text.ts and activity-context.ts, against the unit tests.
//   Module-level code (zod schemas) yields "static" mutants that must run every test; with the unit
//   tests alone that is two seconds, with the provider contract tests it would be fifteen.
// - keliweb, payway, rebilly, billing-care: each provider's modules, against its contract tests.

/** @typedef {{ mutate: string[], roots: string[], ignoreTests: string[], ignoreStatic: boolean }} Scope */

/** @type {Record<string, Scope>} */
const scopes = {
  core: {
    mutate: [
      'activities/http/**/*.ts',
      'activities/providers/free-text.ts',
      'activities/providers/activity-context.ts',
      'common/**/*.ts',
      // Constants for Temporal registration and result types: nothing there decides an outcome.
      '!common/search-attributes.ts',
      '!common/task-queue.ts',
      '!common/result.ts',
    ],
    roots: ['<rootDir>/test/unit', '<rootDir>/test/contract'],
    ignoreStatic: false,
    // The provider wire tests concern the provider scopes only.
    ignoreTests: ['/test/unit/providers/'],
  },
};

// One scope per provider: each module against its own contract tests (in-process HTTP simulators)
// and the wire tests. Run one at a time they fit a session; each keeps its own incremental file.
for (const provider of ['keliweb', 'payway', 'rebilly', 'billing-care']) {
  /** @type {Scope} */
  scopes[provider] = {
    mutate: [
      `activities/providers/${provider}.ts`,
      `activities/providers/${provider}-*.ts`,
      // The receipt builders all four share: mutated once, with the provider that uses both.
      ...(provider === 'payway' ? ['activities/providers/receipts.ts'] : []),
    ],
    roots: ['<rootDir>/test/providers', '<rootDir>/test/unit/providers'],
    ignoreTests: [`/test/providers/(?!${provider}\\.contract\\.test\\.ts$)[^/]+$`],
    // Module-level code (wire schemas, reason tables, level texts) yields static mutants, each of
    // which must run every contract test of the provider: half the run for a tenth of the mutants.
    // They are reported as Ignored; test/unit/providers/ checks those tables and schemas directly.
    ignoreStatic: true,
  };
}

const scope = process.env.MUTATION_SCOPE ?? 'core';
const chosen = scopes[scope];
if (!chosen) throw new Error(`MUTATION_SCOPE must be one of ${Object.keys(scopes).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.mutation.config.js',
    enableFindRelatedTests: false,
    config: { roots: chosen.roots, testPathIgnorePatterns: ['/node_modules/', ...chosen.ignoreTests] },
  },
  // Each mutant runs only the tests that executed its code.
  coverageAnalysis: 'perTest',
  mutate: chosen.mutate,
  ignoreStatic: chosen.ignoreStatic,
  // Not copied into the sandbox: large or irrelevant to the tests above.
  ignorePatterns: ['.temporal', 'dist', 'coverage', 'test-output', 'reports', 'docs', 'schema/*.png'],
  // Two cores, shared with other test runs.
  concurrency: 2,
  // Beyond the usual run time of a mutant's tests; a mutant that hangs a test counts as detected.
  timeoutMS: 8_000,
  reporters: ['html', 'clear-text', 'progress', 'json'],
  htmlReporter: { fileName: `reports/mutation/${scope}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${scope}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  // `npm run mutation -- --incremental` reuses the last run's results for unchanged code and tests.
  incrementalFile: `reports/mutation/${scope}/stryker-incremental.json`,
  cleanTempDir: 'always',
};
