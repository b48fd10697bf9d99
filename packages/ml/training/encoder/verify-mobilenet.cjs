// Checks the MobileNet comparison encoder (export_mobilenet.py) against TF.js running the original
// layers model truncated at the same layer (conv_pw_13_relu), on one image preprocessed exactly as
// extract-features.cjs does (sharp: rotate, flatten on white, squash to 224x224 RGB). Prints the max
// abs difference and the full model's top-1 ImageNet class as a sanity check.
// Usage: node verify-mobilenet.cjs TFJS_MODEL_DIR ENCODER_DIR IMAGE
const fs = require('node:fs');
const path = require('node:path');
const tf = require('@tensorflow/tfjs');
const sharp = require('sharp');
const { compareEncoder } = require('./compare-encoder.cjs');

async function main() {
  const [modelDir, encoderDir, image] = process.argv.slice(2);
  if (!image) throw new Error('usage: node verify-mobilenet.cjs TFJS_MODEL_DIR ENCODER_DIR IMAGE');
  await tf.setBackend('cpu');
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  const weightSpecs = manifest.weightsManifest.flatMap((g) => g.weights);
  const buf = Buffer.concat(manifest.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(modelDir, p)))));
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }));
  const truncated = tf.model({ inputs: model.inputs, outputs: model.getLayer('conv_pw_13_relu').output });

  const { size } = JSON.parse(fs.readFileSync(path.join(encoderDir, 'preprocessor_config.json'), 'utf8'));
  const pixels = await sharp(image)
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(size, size, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();

  const x = tf.tensor4d(Float32Array.from(pixels), [1, size, size, 3]).div(127.5).sub(1);
  const expected = await truncated.predict(x).data(); // [1, 7, 7, 768] NHWC == [1, 49, 768] row-major
  const probs = await model.predict(x).data();
  let top = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[top]) top = i;
  const labels = JSON.parse(fs.readFileSync(path.join(modelDir, 'metadata.json'), 'utf8')).labels;

  const { dims, maxAbsDiff, maxAbsValue, firstRunMs } = await compareEncoder(encoderDir, pixels, size, expected);
  console.log(
    JSON.stringify({
      image: path.basename(image),
      dims,
      maxAbsDiff,
      maxAbsValue,
      firstRunMs,
      top1: labels[top],
      top1Prob: probs[top],
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
