// Browser suite: starts the built API and the web app's `npm start` launcher once (setup/global-setup.ts), then drives
// Debian's chromium through playwright-core. Build first: `npm run build` from the repo root.
const base = require('@pixtale/jest-config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: __dirname,
  roots: ['<rootDir>'],
  testMatch: ['**/*.e2e.ts'],
  globalSetup: '<rootDir>/setup/global-setup.ts',
  globalTeardown: '<rootDir>/setup/global-teardown.ts',
  testTimeout: 360_000,
};
