#!/usr/bin/env node
/**
 * Speed of the shipped captioner on this machine: `npm run bench -w @pixtale/ml`.
 * For onnxruntime-node with 1 and 2 intra-op threads: warm-up, then single-image latency
 * (file → caption, encode + decode as shipped) p50/p95 over ~30 real dev images, batch-8 throughput,
 * and peak RSS, with the previous release's decoding (beam 3, no consensus) measured in the same run. Prints one JSON object. Options: --images N, --threads 1,2, --beam N, --model NAME.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCaptioner } from '../captioner';
import { defaultDatasetsDir, invocationDir } from '../env';
import { defaultThreads } from '../onnx';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function benchImages(n: number): string[] {
  const flickr = path.join(defaultDatasetsDir(), 'flickr8k');
  const split = path.join(flickr, 'splits', 'dev.txt');
  if (!fs.existsSync(split)) throw new Error(`Bench images not found at "${flickr}" (set PIXTALE_DATASETS_DIR)`);
  const names = fs
    .readFileSync(split, 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
  return names.slice(0, n).map((name) => path.join(flickr, 'images', name));
}

let peakRssMb = 0;
const sampleRss = () => {
  peakRssMb = Math.max(peakRssMb, process.memoryUsage.rss() / 2 ** 20);
};

async function benchRuntime(
  images: string[],
  threads: number,
  beam: number | undefined,
  model: string | undefined,
  consensusNeighbours?: number,
) {
  const loadStart = performance.now();
  const captioner = await createCaptioner({ threads, model, hashtags: false, consensusNeighbours });
  const beamSize = beam ?? captioner.generation.beamSize;
  const loadMs = performance.now() - loadStart;
  const sampler = setInterval(sampleRss, 20);
  try {
    for (const img of images.slice(0, 3)) await captioner.caption(img, { beamSize });
    const single: number[] = [];
    const cpu: number[] = [];
    const encode: number[] = [];
    const decode: number[] = [];
    const preprocess: number[] = [];
    for (const img of images) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await captioner.caption(img, { beamSize });
      single.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      encode.push(r.timings.encodeMs);
      decode.push(r.timings.decodeMs);
      preprocess.push(r.timings.preprocessMs);
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const batchSize = 8;
    const batchImages = images.slice(0, Math.max(batchSize, Math.floor(images.length / batchSize) * batchSize));
    const bc0 = process.cpuUsage();
    const b0 = performance.now();
    for (let i = 0; i < batchImages.length; i += batchSize)
      await captioner.captionBatch(batchImages.slice(i, i + batchSize), { beamSize });
    const batchSecs = (performance.now() - b0) / 1000;
    const bc = process.cpuUsage(bc0);
    const batchCpuSecs = (bc.user + bc.system) / 1e6;
    sampleRss();
    return {
      beam: beamSize,
      consensusNeighbours: captioner.generation.consensusNeighbours,
      runtime: 'onnxruntime-node',
      threads,
      loadMs: Math.round(loadMs),
      single: {
        images: images.length,
        p50Ms: round1(percentile(sorted(single), 50)),
        p95Ms: round1(percentile(sorted(single), 95)),
        meanMs: round1(single.reduce((a, b) => a + b, 0) / single.length),
        // CPU time this process used per caption (all threads): the cost without waiting for the CPU.
        p50CpuMs: round1(percentile(sorted(cpu), 50)),
        p50PreprocessMs: round1(percentile(sorted(preprocess), 50)),
        p50EncodeMs: round1(percentile(sorted(encode), 50)),
        p50DecodeMs: round1(percentile(sorted(decode), 50)),
      },
      batch: {
        batchSize,
        images: batchImages.length,
        imagesPerSecond: round1(batchImages.length / batchSecs),
        cpuMsPerImage: round1((batchCpuSecs * 1000) / batchImages.length),
      },
    };
  } finally {
    clearInterval(sampler);
    await captioner.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  process.chdir(invocationDir());
  const { values } = parseArgs({
    args: argv,
    options: {
      images: { type: 'string', default: '30' },
      threads: { type: 'string', default: '1,2' },
      beam: { type: 'string' },
      model: { type: 'string' },
    },
  });
  const images = benchImages(Number(values.images));
  // Unset: the beam the model ships with (config.json "generation").
  const beamSize = values.beam === undefined ? undefined : Number(values.beam);
  const loadBefore = os.loadavg().map(round1);
  const results = [];
  for (const t of values.threads.split(',').map(Number)) {
    results.push(await benchRuntime(images, t, beamSize, values.model));
  }
  const fastest = [...results].sort((a, b) => a.single.p50Ms - b.single.p50Ms)[0];
  // The previous release's decoding (beam 3, no consensus re-ranking), same run and machine.
  const reference = await benchRuntime(images, Math.max(...values.threads.split(',').map(Number)), 3, values.model, 0);
  sampleRss();
  const out = {
    node: process.version,
    cpus: defaultThreads(),
    // Other work on the machine (e.g. model training) inflates wall times; the CPU-time columns do not.
    loadAverageBefore: loadBefore,
    loadAverageAfter: os.loadavg().map(round1),
    beam: beamSize ?? results[0]?.beam,
    results,
    reference,
    fastest: fastest ? { runtime: fastest.runtime, threads: fastest.threads, p50Ms: fastest.single.p50Ms } : null,
    peakRssMb: Math.round(Math.max(peakRssMb, process.resourceUsage().maxRSS / 1024)),
    notes: 'tfjs-wasm not compared (optional; not installed); tfjs-node does not install here.',
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`${err.name}: ${err.message}\n`);
    process.exitCode = 1;
  });
}
