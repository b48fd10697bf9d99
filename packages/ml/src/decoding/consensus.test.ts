import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptionerConfigError } from '../errors';
import { NeighbourConsensus } from './consensus';

/** Writes a neighbour index as training/build-neighbours.cjs does (scale, then int8 components). */
function writeIndex(dir: string, vectors: number[][], captions: string[][], encoder?: string) {
  const dim = vectors[0]!.length;
  const scales = new Float32Array(vectors.length);
  const components = new Int8Array(vectors.length * dim);
  vectors.forEach((v, i) => {
    const norm = Math.hypot(...v);
    const max = Math.max(...v.map((x) => Math.abs(x / norm)));
    scales[i] = max / 127;
    v.forEach((x, d) => (components[i * dim + d] = Math.round(x / norm / scales[i]!)));
  });
  fs.writeFileSync(path.join(dir, 'neighbours.bin'), Buffer.concat([Buffer.from(scales.buffer), Buffer.from(components.buffer)]));
  fs.writeFileSync(
    path.join(dir, 'neighbours.json'),
    JSON.stringify({ encoder, featureDim: dim, count: vectors.length, captions }),
  );
}

const CAPTIONS = [
  ['A brown dog runs on the beach.', 'A dog running along the sand by the sea.'],
  ['A girl climbs the wooden stairs.', 'A little girl climbing up steps.'],
  ['A man rides a bike down a hill.', 'A cyclist on a mountain trail.'],
  ['A dog plays in the snow.', 'A black dog jumps in the snow.'],
];
const VECTORS = [
  [1, 0, 0, 0.1],
  [0, 1, 0, 0.1],
  [0, 0, 1, 0.1],
  [0.9, 0, 0.1, 0.3],
];

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-neighbours-'));
  writeIndex(dir, VECTORS, CAPTIONS);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('no index beside the model: null', () => {
  expect(NeighbourConsensus.load(os.tmpdir(), 4)).toBeNull();
});

test('nearest: the most similar training images by cosine, closest first, whatever the query length', () => {
  const index = NeighbourConsensus.load(dir, 4)!;
  expect(index.nearest(Float32Array.from([0.1, 2, 0, 0.2]), 2)).toEqual([1, 3]);
  expect(index.nearest(Float32Array.from([10, 0, 0.5, 1]), 2)).toEqual([0, 3]);
  expect(index.nearest(Float32Array.from([0, 0, 1, 0]), 10)).toHaveLength(4);
});

test("rerank: the candidate the neighbours agree with wins over the decoder's safer first choice", () => {
  const index = NeighbourConsensus.load(dir, 4)!;
  const candidates = [
    { text: 'A man is sitting on a bench.', score: -0.5 },
    { text: 'A girl is climbing the wooden stairs.', score: -0.9 },
    { text: 'A dog runs on the beach.', score: -1.0 },
  ];
  const girl = Float32Array.from([0, 1, 0, 0.1]);
  const ranked = index.rerank(candidates, girl, { neighbours: 1, modelWeight: 0 });
  expect(ranked[0]!.text).toBe('A girl is climbing the wooden stairs.');
  expect(ranked.find((c) => c.text.startsWith('A man'))!.consensus).toBe(0); // no word in common with hers
  expect(ranked[0]!.consensus).toBeGreaterThan(ranked[1]!.consensus);
  // Enough weight on the decoder's score keeps its order; k = 0 turns voting off.
  expect(index.rerank(candidates, girl, { neighbours: 1, modelWeight: 100 }).map((c) => c.text)[0]).toBe(candidates[0]!.text);
  expect(index.rerank(candidates, girl, { neighbours: 0, modelWeight: 0 }).map((c) => c.text)).toEqual(
    candidates.map((c) => c.text),
  );
});

test('an index for another encoder, or a truncated file, is refused with what to do', () => {
  expect(() => NeighbourConsensus.load(dir, 8)).toThrow(CaptionerConfigError);
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-neighbours-'));
  writeIndex(broken, VECTORS, CAPTIONS);
  fs.truncateSync(path.join(broken, 'neighbours.bin'), 20);
  expect(() => NeighbourConsensus.load(broken, 4)).toThrow(/rebuild it/);
  fs.rmSync(broken, { recursive: true, force: true });
});

test("an index built from another encoder's vectors of the same size is refused", () => {
  const tuned = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-neighbours-'));
  writeIndex(tuned, VECTORS, CAPTIONS, 'encoder-tuned');
  expect(NeighbourConsensus.load(tuned, 4, 'encoder-tuned')).not.toBeNull();
  expect(() => NeighbourConsensus.load(tuned, 4, 'encoder-base')).toThrow(/holds encoder-tuned's vectors/);
  fs.rmSync(tuned, { recursive: true, force: true });
});
