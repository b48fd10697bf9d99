// Checks the CenterNet backbone encoder (export_centernet.py) against TF.js running the original
// graph model to the same tensor (tower_0/extern1/hard_swish/mul_1, then the same 2x2 average), on
// one image preprocessed as extract-features.cjs does (sharp: rotate, flatten on white, squash to
// 512x512 RGB). Also prints the detector's top detections as a sanity check of the input format.
// Usage: node check-centernet.cjs CENTERNET_JSON ENCODER_DIR IMAGE
const fs = require('node:fs');
const path = require('node:path');
const tf = require('@tensorflow/tfjs');
const sharp = require('sharp');
const { compareEncoder } = require('./compare-encoder.cjs');

async function main() {
  const [modelJson, encoderDir, image] = process.argv.slice(2);
  if (!image) throw new Error('usage: node check-centernet.cjs CENTERNET_JSON ENCODER_DIR IMAGE');
  await tf.setBackend('cpu');
  const manifest = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
  const weightSpecs = manifest.weightsManifest.flatMap((g) => g.weights);
  const buf = Buffer.concat(
    manifest.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(path.dirname(modelJson), p)))),
  );
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }));

  const { size } = JSON.parse(fs.readFileSync(path.join(encoderDir, 'preprocessor_config.json'), 'utf8'));
  const pixels = await sharp(image)
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(size, size, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
  const x = tf.tensor4d(Float32Array.from(pixels), [1, size, size, 3]);
  const [grid, detections] = model.execute(x, ['tower_0/extern1/hard_swish/mul_1', 'tower_0/detections']);
  const expected = await tf.avgPool(grid, 2, 2, 'valid').data(); // [1, 8, 8, 480] NHWC == [1, 64, 480]
  const dets = (await detections.array())[0].slice(0, 3).map((d) => d.map((v) => Number(v.toFixed(2))));

  const { dims, maxAbsDiff, maxAbsValue, firstRunMs } = await compareEncoder(encoderDir, pixels, size, expected);
  console.log(JSON.stringify({ image: path.basename(image), dims, maxAbsDiff, maxAbsValue, firstRunMs, topDetections: dets }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
