// @ts-check
// The provider contract tests alone (no Temporal, no workflow bundle): `npm run test:contracts`.
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = { ...base, globalSetup: undefined, roots: ['<rootDir>/test/providers'] };
