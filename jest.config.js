// @ts-check
const fs = require('node:fs');
const path = require('node:path');

// got 14 and part of its dependency tree ship as ES modules only, and jest (on Node 20) cannot
// require() them. Find that part of the tree and let swc compile it to CommonJS like our own code.
function esmOnlyDependenciesOf(root) {
  const seen = new Set();
  const esm = [];
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifestPath = path.join(__dirname, 'node_modules', name, 'package.json');
    if (!fs.existsSync(manifestPath)) return;
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    if (manifest.type === 'module') esm.push(name);
    Object.keys(manifest.dependencies ?? {}).forEach(visit);
  };
  visit(root);
  return esm;
}

const transformedPackages = esmOnlyDependenciesOf('got').map((name) => name.replace(/[.]/g, '\\.'));

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${transformedPackages.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Temporal servers and workers start per test file; two cores want at most two at a time.
  maxWorkers: 2,
  testTimeout: 120_000,
  slowTestThreshold: 30,
  verbose: true,
};
