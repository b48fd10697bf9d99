// Dumps nsfwjs@4's InceptionV3 up to a `mixedN` block (default `mixed5`, the last ImageNet-frozen
// one) as a Keras layer list + dequantised float32 weights, for export_encoder.py to turn into ONNX.
// Layers after mixed5 were fine-tuned by nsfwjs (ImageNet start, NSFW classes); dumping them needs
// --allow-fine-tuned, and layers.json lists which ones they are.
// Usage: node dump-nsfwjs-inception.cjs OUT_DIR [--until mixedN] [--allow-fine-tuned]
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const outDir = args[0];
if (!outDir || outDir.startsWith('--'))
  throw new Error('usage: node dump-nsfwjs-inception.cjs OUT_DIR [--until mixedN] [--allow-fine-tuned]');
const until = args.includes('--until') ? args[args.indexOf('--until') + 1] : 'mixed5';
const allowFineTuned = args.includes('--allow-fine-tuned');
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
const last = layers.findIndex((l) => l.name === until);
if (last < 0) throw new Error(`no layer named ${until}`);
const kept = layers.slice(0, last + 1);
const fineTuned = kept.filter((l) => l.config.trainable === true).map((l) => l.name);
if (fineTuned.length > 0 && !allowFineTuned)
  throw new Error(`${fineTuned.length} kept layers were fine-tuned by nsfwjs (first: ${fineTuned[0]}); pass --allow-fine-tuned`);
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
fs.writeFileSync(
  path.join(outDir, 'layers.json'),
  JSON.stringify({ output: until, fineTuned, layers: kept, weights: index }, null, 1),
);
console.log(
  `kept ${kept.length} layers up to ${until} (${fineTuned.length} fine-tuned by nsfwjs), ${Object.keys(index).length} tensors, ${(outOffset / 4 / 1e6).toFixed(2)}M parameters`,
);
