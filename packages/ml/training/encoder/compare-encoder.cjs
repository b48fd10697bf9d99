// Shared by the encoder checks: runs an exported encoder.onnx on preprocessed pixels and compares
// its features with the reference framework's output for the same input.
const path = require('node:path');
const ort = require('onnxruntime-node');

/** Runs ENCODER_DIR/encoder.onnx on one image (uint8 [size, size, 3]) and diffs it against `expected`. */
async function compareEncoder(encoderDir, pixels, size, expected) {
  const session = await ort.InferenceSession.create(path.join(encoderDir, 'encoder.onnx'), { intraOpNumThreads: 1 });
  const t0 = performance.now();
  const { features } = await session.run({ pixels: new ort.Tensor('uint8', Uint8Array.from(pixels), [1, size, size, 3]) });
  const firstRunMs = Math.round(performance.now() - t0);
  if (features.data.length !== expected.length) throw new Error(`size mismatch ${features.data.length} vs ${expected.length}`);
  let maxAbsDiff = 0;
  let maxAbsValue = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(features.data[i] - expected[i]));
    maxAbsValue = Math.max(maxAbsValue, Math.abs(expected[i]));
  }
  return { dims: features.dims, maxAbsDiff, maxAbsValue, firstRunMs };
}

module.exports = { compareEncoder };
