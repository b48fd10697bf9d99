#!/usr/bin/env node
/**
 * Captions images from the command line.
 *   npm run -s caption -- --json PATH...      one JSON object per image and line
 *   npm run -s caption -- photos/             human-readable lines, progress on stderr
 * Options: --beam N and --alternatives N (the model's config.json), --model NAME (captioner-att-lstm), --batch N (8),
 * --threads N (all cores), --models-dir DIR (PIXTALE_MODELS_DIR or the repo's models/), --list FILE (more PATHs,
 * one per line; "-" for standard input: for long lists, which the command line cannot carry).
 * Exit code: 0 all captioned, 1 some image failed, 2 usage or model error.
 */
import { parseArgs } from 'node:util';
import { createCaptioner } from '../captioner';
import { invocationDir } from '../env';
import { CaptionerInputError } from '../errors';
import type { CaptionOutcome } from '../types';
import {
  assertCommandLineFits,
  collectImages,
  positiveInt,
  ProgressBar,
  readPathList,
  tolerateClosedStdout,
  UsageError,
} from './shared';

const USAGE = `Usage: npm run -s caption -- [--json] [--beam N] [--model NAME] [--alternatives N] [--batch N] [--threads N] [--models-dir DIR] [--list FILE] PATH...
PATH is an image file or a directory (walked recursively for .jpg .jpeg .png .webp .gif .tif .tiff .avif);
--list FILE adds the paths in FILE, one per line ("-": standard input).`;

function errorJson(error: Error): { code: string; message: string } {
  return { code: error instanceof CaptionerInputError ? error.code : error.name, message: error.message };
}

async function main(argv: string[]): Promise<number> {
  // `npm run -w` starts us inside packages/ml; relative paths are meant from where the user typed.
  process.chdir(invocationDir());
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      beam: { type: 'string' },
      model: { type: 'string' },
      alternatives: { type: 'string' },
      batch: { type: 'string' },
      threads: { type: 'string' },
      'models-dir': { type: 'string' },
      list: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  assertCommandLineFits();
  if (values.list !== undefined) positionals.push(...readPathList(values.list));
  if (positionals.length === 0) throw new UsageError('no PATH given');
  // Unset: as the model ships (config.json "generation").
  const beamSize = values.beam === undefined ? undefined : positiveInt(values.beam, 'beam', 1);
  const batch = positiveInt(values.batch, 'batch', 8);
  const alternatives =
    values.alternatives === undefined
      ? undefined
      : values.alternatives === '0'
        ? 0
        : positiveInt(values.alternatives, 'alternatives', 1);
  const threads = values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);

  const { images, missing } = collectImages(positionals);
  if (images.length === 0 && missing.length === 0) throw new UsageError(`no images found in ${positionals.join(', ')}`);
  const captioner = await createCaptioner({ model: values.model, modelsDir: values['models-dir'], threads });
  let failed = 0;
  const report = (image: string, outcome: CaptionOutcome): void => {
    if (outcome.ok) {
      const r = outcome.result;
      if (values.json) {
        const line = {
          image,
          caption: r.caption,
          alternatives: r.alternatives,
          hashtags: r.hashtags,
          ms: Math.round(r.timings.totalMs),
        };
        process.stdout.write(`${JSON.stringify(line)}\n`);
      } else {
        const tags = r.hashtags.length ? `  ${r.hashtags.join(' ')}` : '';
        process.stdout.write(`${image}: ${r.caption}${tags}  (${Math.round(r.timings.totalMs)} ms)\n`);
      }
    } else {
      failed++;
      if (values.json) process.stdout.write(`${JSON.stringify({ image, error: errorJson(outcome.error) })}\n`);
      else process.stderr.write(`${image}: error ${errorJson(outcome.error).code}: ${outcome.error.message}\n`);
    }
  };

  try {
    for (const p of missing) {
      report(p, { ok: false, error: new CaptionerInputError('FILE_NOT_FOUND', `Path not found: "${p}"`) });
    }
    const progress = values.json ? undefined : new ProgressBar(images.length);
    for (let i = 0; i < images.length; i += batch) {
      const chunk = images.slice(i, i + batch);
      const outcomes = await captioner.captionBatchSettled(chunk, { beamSize, alternatives });
      if (progress) process.stderr.isTTY && process.stderr.write('\r\x1b[K');
      outcomes.forEach((o, k) => report(chunk[k]!, o));
      progress?.update(Math.min(i + batch, images.length), failed);
    }
    progress?.finish();
  } finally {
    await captioner.dispose();
  }
  if (!values.json && images.length + missing.length > 1) {
    process.stderr.write(`${images.length + missing.length - failed} captioned, ${failed} failed\n`);
  }
  return failed > 0 ? 1 : 0;
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
