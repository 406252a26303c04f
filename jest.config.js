/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is done once by `tsc --noEmit` in `npm test`; swc only strips types, which keeps jest fast.
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  // A ceiling for hangs, not a speed target: tests that drive real processes (serve, dynalite, the containerd lab,
  // fleet simulations) take 20-50 s when two workers share 2 cores with them, and must not fail for that.
  testTimeout: 90000,
  // Two cores on CI: more workers only fight over them.
  maxWorkers: 2,
  // One temporary folder for the whole run, removed at the end: no cdk.out* or shim-fix-* folders left behind.
  globalSetup: '<rootDir>/test/helpers/jest/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/jest/global-teardown.ts',
};
