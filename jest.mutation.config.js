// @ts-check
// The tests Stryker runs for each mutant (`npm run mutation`): the pure unit tests, the provider
// contract tests (in-process HTTP simulators) and the JSON Schema check. No globalSetup: it starts
// Temporal and bundles workflow code, which mutants cannot reach anyway (docs/mutation.md).
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  globalSetup: undefined,
  roots: ['<rootDir>/test/unit', '<rootDir>/test/providers', '<rootDir>/test/contract'],
  // Stryker runs one jest at a time per worker; a second jest worker would only compete for the cores.
  maxWorkers: 1,
  testTimeout: 30_000,
  verbose: false,
};
