module.exports = {
  ...require('@pixtale/jest-config'),
  // onnxruntime-node needs the host realm's typed arrays; see tooling/jest/onnx-environment.js.
  testEnvironment: require.resolve('@pixtale/jest-config/onnx-environment'),
};
