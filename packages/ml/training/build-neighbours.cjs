// Builds the neighbour index a caption model ships for consensus re-ranking
// (src/decoding/consensus.ts): for every Flickr8k *train* image, its L2-normalised mean-region
// encoder vector (int8 with a float32 scale each) and its human captions. Dev images are never
// in it. Reads the feature cache extract-features.cjs writes (the runtime encoder and preprocessing).
// Usage: node build-neighbours.cjs DATASETS_DIR FEATURE_CACHE_DIR MODEL_DIR
const fs = require('node:fs');
const path = require('node:path');

const [datasetsDir, cacheDir, modelDir] = process.argv.slice(2);
if (!modelDir) throw new Error('usage: node build-neighbours.cjs DATASETS_DIR FEATURE_CACHE_DIR MODEL_DIR');
const flickr = path.join(datasetsDir, 'flickr8k');
const meta = JSON.parse(fs.readFileSync(path.join(cacheDir, 'images.json'), 'utf8'));
const { names, gridHeight, gridWidth, featureDim } = meta;
const regions = gridHeight * gridWidth;
const features = fs.readFileSync(path.join(cacheDir, 'features.f32'));
if (features.length < names.length * regions * featureDim * 4)
  throw new Error(`${cacheDir}: the feature cache is incomplete (re-run extract-features.cjs)`);
const row = new Map(names.map((n, i) => [n, i]));
// The index is only meaningful with the encoder the captioner reads (a base encoder and its
// fine-tuned copy share a feature size): recorded in neighbours.json and checked at load.
const modelConfig = path.join(modelDir, 'config.json');
const readsEncoder = fs.existsSync(modelConfig) ? JSON.parse(fs.readFileSync(modelConfig, 'utf8')).encoder : undefined;
if (meta.encoder && readsEncoder && meta.encoder !== readsEncoder)
  throw new Error(`${cacheDir} holds ${meta.encoder}'s features, but ${modelDir} reads ${readsEncoder}`);
const encoder = meta.encoder ?? readsEncoder;

const train = fs
  .readFileSync(path.join(flickr, 'splits', 'train.txt'), 'utf8')
  .split('\n')
  .map((s) => s.trim())
  .filter(Boolean);
const captions = new Map();
for (const line of fs.readFileSync(path.join(flickr, 'captions.tsv'), 'utf8').split('\n')) {
  const [image, index, text] = line.split('\t');
  if (!text) continue;
  const list = captions.get(image) ?? [];
  list[Number(index)] = text.trim().replace(/\s+\.$/, '.');
  captions.set(image, list);
}

const scales = new Float32Array(train.length);
const components = new Int8Array(train.length * featureDim);
const mean = new Float64Array(featureDim);
train.forEach((name, t) => {
  const i = row.get(name);
  if (i === undefined) throw new Error(`${name} is not in the feature cache`);
  mean.fill(0);
  for (let r = 0; r < regions; r++) {
    const off = (i * regions + r) * featureDim * 4;
    for (let d = 0; d < featureDim; d++) mean[d] += features.readFloatLE(off + d * 4) / regions;
  }
  const norm = Math.sqrt(mean.reduce((s, v) => s + v * v, 0)) || 1;
  let max = 0;
  for (let d = 0; d < featureDim; d++) max = Math.max(max, Math.abs(mean[d] / norm));
  const scale = max / 127 || 1;
  scales[t] = scale;
  for (let d = 0; d < featureDim; d++) components[t * featureDim + d] = Math.round(mean[d] / norm / scale);
});

fs.writeFileSync(
  path.join(modelDir, 'neighbours.bin'),
  Buffer.concat([Buffer.from(scales.buffer), Buffer.from(components.buffer)]),
);
fs.writeFileSync(
  path.join(modelDir, 'neighbours.json'),
  `${JSON.stringify({
    source: 'Flickr8k train split (6,089 images): pooled encoder vectors in neighbours.bin, human captions here',
    encoder,
    featureDim,
    count: train.length,
    captions: train.map((n) => (captions.get(n) ?? []).filter(Boolean)),
  })}\n`,
);
console.log(`${train.length} training images -> ${modelDir}/neighbours.{bin,json}`);
