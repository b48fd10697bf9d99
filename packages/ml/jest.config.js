module.exports = {
  ...require('@pixtale/jest-config'),
  // onnxruntime-node needs the host realm's typed arrays; see jest.environment.js.
  testEnvironment: '<rootDir>/jest.environment.js',
};
