#!/usr/bin/env node
/**
 * Captions a split's images and scores them against the human captions.
 *   npm run -s eval:captions -- --images DIR --captions FILE.tsv --split FILE.txt [--beam N] [--model NAME] [--limit N]
 * captions.tsv: image<TAB>index<TAB>caption. Prints one JSON object: BLEU-1..4, ROUGE-L, CIDEr-D,
 * count, msPerImage. --predictions FILE also writes image<TAB>caption lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createCaptioner } from '../captioner';
import { invocationDir } from '../env';
import { scoreCaptions, tokenizeCaption, type CaptionPair } from '../metrics';
import { positiveInt, ProgressBar, tolerateClosedStdout, UsageError } from './shared';

const USAGE = `Usage: npm run -s eval:captions -- --images DIR --captions FILE.tsv --split FILE.txt [--beam N] [--model NAME] [--limit N] [--batch N] [--threads N] [--models-dir DIR] [--predictions FILE] [--consensus-k N] [--consensus-weight W] [--ensemble NAME,NAME | --ensemble '']`;

/** image name → its reference captions, in index order. */
export function readCaptionsTsv(file: string): Map<string, string[]> {
  const rows = new Map<string, { index: number; caption: string }[]>();
  const text = fs.readFileSync(file, 'utf8');
  text.split(/\r?\n/).forEach((line, n) => {
    if (!line.trim()) return;
    const [image, index, ...rest] = line.split('\t');
    const caption = rest.join('\t');
    if (!image || index === undefined || !caption) throw new UsageError(`${file}:${n + 1}: expected image<TAB>index<TAB>caption`);
    const list = rows.get(image) ?? [];
    list.push({ index: Number(index), caption });
    rows.set(image, list);
  });
  return new Map([...rows].map(([image, list]) => [image, list.sort((a, b) => a.index - b.index).map((r) => r.caption)]));
}

export function readSplit(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * How varied the captions are: distinct captions per image, the words they use, and the most
 * frequent caption with its share (a decoder that falls back to safe sentences shows here first).
 */
export function diversity(captions: readonly string[]) {
  const counts = new Map<string, number>();
  for (const c of captions) counts.set(c.toLowerCase(), (counts.get(c.toLowerCase()) ?? 0) + 1);
  const [top, topCount] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  return {
    distinctCaptions: counts.size,
    distinctShare: captions.length ? Math.round((counts.size / captions.length) * 1000) / 1000 : 0,
    vocabularyUsed: new Set(captions.flatMap((c) => tokenizeCaption(c))).size,
    mostFrequent: { caption: top, share: captions.length ? Math.round((topCount / captions.length) * 1000) / 1000 : 0 },
  };
}

async function main(argv: string[]): Promise<number> {
  // `npm run -w` starts us inside packages/ml; relative paths are meant from where the user typed.
  process.chdir(invocationDir());
  const { values } = parseArgs({
    args: argv,
    options: {
      images: { type: 'string' },
      captions: { type: 'string' },
      split: { type: 'string' },
      beam: { type: 'string' },
      model: { type: 'string' },
      limit: { type: 'string' },
      batch: { type: 'string' },
      threads: { type: 'string' },
      'models-dir': { type: 'string' },
      predictions: { type: 'string' },
      'consensus-k': { type: 'string' },
      'consensus-weight': { type: 'string' },
      ensemble: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  for (const name of ['images', 'captions', 'split'] as const) {
    if (!values[name]) throw new UsageError(`--${name} is required`);
    if (!fs.existsSync(values[name])) throw new UsageError(`--${name} "${values[name]}" does not exist`);
  }
  const beamOption = values.beam === undefined ? undefined : positiveInt(values.beam, 'beam', 1);
  const batch = positiveInt(values.batch, 'batch', 8);
  const threads = values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);
  const references = readCaptionsTsv(values.captions!);
  let names = readSplit(values.split!);
  if (values.limit) names = names.slice(0, positiveInt(values.limit, 'limit', names.length));
  const unknown = names.filter((n) => !references.has(n));
  if (unknown.length)
    throw new UsageError(`${unknown.length} split images have no captions in ${values.captions} (e.g. ${unknown[0]})`);

  const consensusK = values['consensus-k'] === undefined ? undefined : Number(values['consensus-k']);
  if (consensusK !== undefined && !(Number.isInteger(consensusK) && consensusK >= 0))
    throw new UsageError('--consensus-k must be a whole number >= 0 (0: off)');
  const consensusWeight = values['consensus-weight'] === undefined ? undefined : Number(values['consensus-weight']);
  if (consensusWeight !== undefined && !(consensusWeight >= 0)) throw new UsageError('--consensus-weight must be a number >= 0');
  const captioner = await createCaptioner({
    model: values.model,
    modelsDir: values['models-dir'],
    threads,
    hashtags: false,
    // Unset: as the model ships (config.json "generation").
    consensusNeighbours: consensusK,
    consensusModelWeight: consensusWeight,
    ensemble: values.ensemble === undefined ? undefined : values.ensemble.split(',').filter(Boolean),
  });
  // Unset: the beam the model ships with (config.json "generation"), i.e. what users get.
  const beamSize = beamOption ?? captioner.generation.beamSize;
  const pairs: CaptionPair[] = [];
  const predictions: string[] = [];
  const failures: { image: string; error: string }[] = [];
  const progress = new ProgressBar(names.length);
  const started = performance.now();
  try {
    for (let i = 0; i < names.length; i += batch) {
      const chunk = names.slice(i, i + batch);
      const outcomes = await captioner.captionBatchSettled(
        chunk.map((n) => path.join(values.images!, n)),
        // The shipped number of alternatives too: it sets how many candidates the beam keeps,
        // which consensus re-ranking chooses from, so the score is what users get.
        { beamSize },
      );
      outcomes.forEach((o, k) => {
        const image = chunk[k]!;
        if (o.ok) {
          pairs.push({ candidate: o.result.caption, references: references.get(image)! });
          predictions.push(`${image}\t${o.result.caption}`);
        } else {
          failures.push({ image, error: o.error.message });
        }
      });
      progress.update(Math.min(i + batch, names.length), failures.length);
    }
  } finally {
    progress.finish();
    await captioner.dispose();
  }
  const elapsed = performance.now() - started;
  if (values.predictions) fs.writeFileSync(values.predictions, `${predictions.join('\n')}\n`);
  const metrics = scoreCaptions(pairs);
  const round = (x: number) => Math.round(x * 10000) / 10000;
  const out = {
    model: captioner.modelName,
    beam: beamSize,
    'BLEU-1': round(metrics['BLEU-1']),
    'BLEU-2': round(metrics['BLEU-2']),
    'BLEU-3': round(metrics['BLEU-3']),
    'BLEU-4': round(metrics['BLEU-4']),
    'ROUGE-L': round(metrics['ROUGE-L']),
    'CIDEr-D': round(metrics['CIDEr-D']),
    count: metrics.count,
    consensus: {
      neighbours: captioner.generation.consensusNeighbours,
      modelWeight: captioner.generation.consensusModelWeight,
    },
    ensemble: captioner.generation.ensemble,
    ...diversity(pairs.map((p) => p.candidate)),
    failed: failures.length,
    msPerImage: Math.round((elapsed / Math.max(1, names.length)) * 10) / 10,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  for (const f of failures.slice(0, 10)) process.stderr.write(`${f.image}: ${f.error}\n`);
  return failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
  tolerateClosedStdout();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      const usage = err instanceof UsageError || String((err as NodeJS.ErrnoException).code ?? '').startsWith('ERR_PARSE_ARGS');
      process.stderr.write(`${usage ? `${err.message}\n${USAGE}` : `${err.name}: ${err.message}`}\n`);
      process.exitCode = 2;
    },
  );
}

export { main };
