const base = require('@pixtale/jest-config');

// jose ships ESM only; let swc turn it into CommonJS for jest like our own sources.
module.exports = {
  ...base,
  // Lists every test, so skipped ones show their reason (e.g. no model yet, no MONGODB_URI).
  verbose: true,
  testEnvironment: require.resolve('@pixtale/jest-config/onnx-environment'),
  transform: { ...base.transform, '^.+\\.js$': base.transform['^.+\\.tsx?$'] },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
