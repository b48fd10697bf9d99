// Caches encoder features for every Flickr8k image (train + dev) so training never runs the CNN.
// Uses the committed encoder.onnx through onnxruntime-node with the runtime's preprocessing
// (sharp: auto-rotate, flatten alpha on white, reduce to sourceLongSide when larger, squash to
// the encoder's size, RGB); the training check
// (features.test in packages/ml) compares these against @pixtale/ml's own encoder output.
// Resumable: re-running continues after the last complete image.
// Usage: node extract-features.cjs DATASETS_DIR ENCODER_DIR OUT_DIR
const fs = require('node:fs');
const path = require('node:path');
const ort = require('onnxruntime-node');
const { preprocess } = require('../dist/preprocess'); // npm run build -w @pixtale/ml first

async function main() {
  const [datasetsDir, encoderDir, outDir] = process.argv.slice(2);
  if (!outDir) throw new Error('usage: node extract-features.cjs DATASETS_DIR ENCODER_DIR OUT_DIR');
  const flickr = path.join(datasetsDir, 'flickr8k');
  const names = ['train', 'dev'].flatMap((split) =>
    fs
      .readFileSync(path.join(flickr, 'splits', `${split}.txt`), 'utf8')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const { gridHeight, gridWidth, featureDim } = JSON.parse(fs.readFileSync(path.join(encoderDir, 'config.json'), 'utf8'));
  const { size, sourceLongSide } = JSON.parse(fs.readFileSync(path.join(encoderDir, 'preprocessor_config.json'), 'utf8'));
  const perImage = gridHeight * gridWidth * featureDim * 4;

  fs.mkdirSync(outDir, { recursive: true });
  const metaPath = path.join(outDir, 'images.json');
  if (fs.existsSync(metaPath)) {
    const old = JSON.parse(fs.readFileSync(metaPath, 'utf8'));
    if (old.gridHeight !== gridHeight || old.featureDim !== featureDim || old.names.length !== names.length) {
      console.log(`keeping the existing cache in ${outDir} (made by another encoder version; delete it to re-extract)`);
      return;
    }
  }
  fs.writeFileSync(
    path.join(outDir, 'images.json'),
    JSON.stringify({
      encoder: path.basename(path.resolve(encoderDir)),
      names,
      gridHeight,
      gridWidth,
      featureDim,
      dtype: 'float32',
    }),
  );
  const binPath = path.join(outDir, 'features.f32');
  const done = fs.existsSync(binPath) ? Math.floor(fs.statSync(binPath).size / perImage) : 0;
  if (done > 0) fs.truncateSync(binPath, done * perImage);
  const out = fs.openSync(binPath, 'a');

  const session = await ort.InferenceSession.create(path.join(encoderDir, 'encoder.onnx'), {
    intraOpNumThreads: Number(process.env.THREADS || 2),
  });
  const batchSize = 8;
  const started = Date.now();
  for (let i = done; i < names.length; i += batchSize) {
    const batch = names.slice(i, i + batchSize);
    const pixels = await Promise.all(
      // The runtime's own preprocessing (src/preprocess.ts), so training sees what users' photos become.
      batch.map(async (name) => (await preprocess(path.join(flickr, 'images', name), { size, sourceLongSide })).pixels),
    );
    const input = new ort.Tensor('uint8', Uint8Array.from(Buffer.concat(pixels.map((p) => Buffer.from(p)))), [
      batch.length,
      size,
      size,
      3,
    ]);
    const { features } = await session.run({ pixels: input });
    fs.writeSync(out, Buffer.from(features.data.buffer, features.data.byteOffset, features.data.byteLength));
    const n = i + batch.length;
    if (n % 200 < batchSize) {
      const rate = (n - done) / ((Date.now() - started) / 1000);
      console.log(`${n}/${names.length} images, ${rate.toFixed(1)} img/s`);
    }
  }
  fs.closeSync(out);
  console.log('done');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
