#!/usr/bin/env node
/**
 * Which runtime should run the encoder (the captioner's dominant cost)? Times the same network —
 * nsfwjs's InceptionV3 up to `mixed5`, the layers models/encoder-inception-v3-mixed5 was exported
 * from — on one real 299x299 image in onnxruntime-node (the shipped path), TF.js with the WASM
 * backend, and TF.js's pure-JS CPU backend. tfjs-node cannot be installed here (its install script
 * downloads libtensorflow); it is tried and reported as unavailable when missing.
 * `npm run bench:runtimes -w @pixtale/ml` (after `npm run build`); --runs N (default 10).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Encoder } from '../encoder';
import { defaultModelsDir, defaultDatasetsDir } from '../env';
import { preprocess } from '../preprocess';
import { percentile } from './bench';

const ENCODER = 'encoder-inception-v3-mixed5';

/** nsfwjs's InceptionV3 as a TF.js layers model truncated at mixed5, read from the package's bundled files. */
async function loadNsfwjsMixed5(): Promise<tf.LayersModel> {
  const entry = require.resolve('nsfwjs');
  const dir = path.join(path.dirname(entry), '..', 'models', 'inception_v3');
  const json = require(path.join(dir, 'model.min.js'));
  const shards = json.weightsManifest[0].paths.map((p: string) => {
    const b64 = require(path.join(dir, `${p}.min.js`));
    return Buffer.from(typeof b64 === 'string' ? b64 : b64.default, 'base64');
  });
  const data = Buffer.concat(shards);
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const full = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }),
  );
  return tf.model({ inputs: full.inputs, outputs: full.getLayer('mixed5').output });
}

async function timeRuns(runs: number, fn: () => Promise<void>): Promise<{ warmupMs: number; p50Ms: number; minMs: number }> {
  let t = performance.now();
  await fn();
  const warmupMs = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { warmupMs: Math.round(warmupMs), p50Ms: Math.round(percentile(times, 50)), minMs: Math.round(times[0]!) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
  const runs = Number(values.runs);
  const image = path.join(defaultDatasetsDir(), 'flickr8k', 'images', '1022454332_6af2c1449a.jpg');
  if (!fs.existsSync(image)) throw new Error(`bench image not found: ${image} (set PIXTALE_DATASETS_DIR)`);
  const encoder = await Encoder.load(path.join(defaultModelsDir(), ENCODER));
  const { pixels } = await preprocess(image, encoder.preprocessor);
  const results: Record<string, unknown> = {};

  results['onnxruntime-node'] = await timeRuns(runs, async () => {
    await encoder.run([pixels]);
  });
  await encoder.dispose();

  // The same layers in TF.js; input normalised to [-1, 1] as in encoder.onnx.
  setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));
  await tf.setBackend('wasm');
  await tf.ready();
  const model = await loadNsfwjsMixed5();
  const input = () => tf.tidy(() => tf.tensor4d(pixels, [1, 299, 299, 3], 'int32').toFloat().div(127.5).sub(1));
  const tfjsRun = async () => {
    const x = input();
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    tf.dispose([x, y]);
  };
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    await tf.ready();
    // Pure-JS CPU takes about a minute an image: fewer runs.
    results[`tfjs-${backend}`] = await timeRuns(backend === 'cpu' ? 1 : runs, tfjsRun);
  }
  try {
    require.resolve('@tensorflow/tfjs-node');
    results['tfjs-node'] = 'installed: not benchmarked by this script yet';
  } catch {
    results['tfjs-node'] = 'not installable here (its install script downloads libtensorflow)';
  }
  console.log(JSON.stringify({ network: 'InceptionV3 to mixed5, 1 image 299x299', runs, results }, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
