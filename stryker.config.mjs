// @ts-check
// Mutation testing of the code that decides outcomes: `npm run mutation` (docs/mutation.md).
// Workflows are not mutated: their bundle runs in Temporal's isolated sandbox, where Stryker cannot
// switch mutants on, and the time-skipping and replay tests cover them instead.
//
// Two scopes, run one after the other by `npm run mutation` (MUTATION_SCOPE picks one):
// - core: common/, activities/http/ and free-text.ts, against the unit tests. Module-
//   level code (zod schemas) yields "static" mutants that must run every test; with the unit tests
//   alone that is two seconds, with the provider contract tests it would be fifteen.
// - providers: the provider modules, against their contract tests (in-process HTTP simulators).

const scopes = {
  core: {
    mutate: [
      'activities/http/**/*.ts',
      'activities/providers/free-text.ts',
      'common/**/*.ts',
      // Constants for Temporal registration and result types: nothing there decides an outcome.
      '!common/search-attributes.ts',
      '!common/task-queue.ts',
      '!common/result.ts',
    ],
    roots: ['<rootDir>/test/unit', '<rootDir>/test/contract'],
    ignoreStatic: false,
    // The activity-context and provider wire tests concern the providers' scope only.
    ignoreTests: ['/activity-context\\.test\\.ts$', '/test/unit/providers/'],
  },
  providers: {
    // types.ts holds types and the list of confirmation levels only.
    mutate: [
      'activities/providers/**/*.ts',
      '!activities/providers/types.ts',
      '!activities/providers/free-text.ts',
    ],
    roots: ['<rootDir>/test/providers', '<rootDir>/test/unit'],
    // Of the unit tests, those of test/unit/providers/ and the activity context concern these modules.
    ignoreTests: ['/test/unit/(?!activity-context\\.test\\.ts$)[^/]+$'],
    // Module-level code (wire schemas, reason tables, level texts) yields static mutants, each of
    // which must run every contract test (about 20 s): half the run for a tenth of the mutants. They
    // are reported as Ignored; test/unit/providers/ checks those tables and schemas directly.
    ignoreStatic: true,
  },
};

const scope = process.env.MUTATION_SCOPE ?? 'core';
const chosen = scopes[/** @type {keyof typeof scopes} */ (scope)];
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
