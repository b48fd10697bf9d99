// Dumps the ImageNet-frozen part of nsfwjs@4's InceptionV3 (every layer up to `mixed5`)
// as a Keras layer list + dequantised float32 weights, for export-encoder.py to turn into ONNX.
// Usage: node dump-nsfwjs-inception.cjs OUT_DIR
const fs = require('node:fs');
const path = require('node:path');

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: node dump-nsfwjs-inception.cjs OUT_DIR');
// The package's `exports` hide package.json, so locate it from its CommonJS entry (dist/cjs/index.js).
const entry = require.resolve('nsfwjs', { paths: [path.join(__dirname, '..', '..')] });
const modelDir = path.join(path.dirname(entry), '..', 'models', 'inception_v3');

const modelJson = require(path.join(modelDir, 'model.min.js'));
const shards = modelJson.weightsManifest[0].paths.map((p) => {
  const base64 = require(path.join(modelDir, `${p}.min.js`));
  return Buffer.from(typeof base64 === 'string' ? base64 : base64.default, 'base64');
});
const data = Buffer.concat(shards);

const layers = modelJson.modelTopology.model_config.config.layers;
const lastFrozen = layers.findIndex((l) => l.name === 'mixed5');
const kept = layers.slice(0, lastFrozen + 1);
if (kept.some((l) => l.config.trainable === true)) throw new Error('a kept layer was fine-tuned; expected ImageNet-frozen layers only');
const keptNames = new Set(kept.map((l) => l.name));

const index = {};
const chunks = [];
let offset = 0;
let outOffset = 0;
for (const spec of modelJson.weightsManifest[0].weights) {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization;
  const bytesPer = q ? (q.dtype === 'uint8' ? 1 : 2) : 4;
  const raw = data.subarray(offset, offset + count * bytesPer);
  offset += count * bytesPer;
  const layerName = spec.name.split('/')[0];
  if (!keptNames.has(layerName)) continue;
  const values = new Float32Array(count);
  if (!q) values.set(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)));
  else if (q.dtype === 'uint8') for (let i = 0; i < count; i++) values[i] = q.min + q.scale * raw[i];
  else throw new Error(`unsupported quantisation ${q.dtype}`);
  index[spec.name] = { shape: spec.shape, offset: outOffset };
  chunks.push(Buffer.from(values.buffer));
  outOffset += count * 4;
}
if (offset !== data.length) throw new Error(`weights size mismatch: read ${offset} of ${data.length}`);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'weights.bin'), Buffer.concat(chunks));
fs.writeFileSync(path.join(outDir, 'layers.json'), JSON.stringify({ layers: kept, weights: index }, null, 1));
console.log(`kept ${kept.length} layers, ${Object.keys(index).length} tensors, ${(outOffset / 4 / 1e6).toFixed(2)}M parameters`);
