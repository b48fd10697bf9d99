#!/usr/bin/env node
/**
 * Translates English captions from the command line.
 *   npm run -s translate -- --to de "A dog runs on the beach."
 *   echo "A dog runs on the beach." | npm run -s translate -- --to fr
 * Options: --to LANG (de, fr, cs), --beam N (the model's config.json), --json, --models-dir DIR, --model NAME.
 * Each TEXT argument (or each stdin line when none is given) is translated on its own line.
 * Exit code: 0 all translated, 1 some text was rejected (empty), 2 usage or model error.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CaptionerConfigError } from '../errors';
import { createTranslator, TranslationInputError } from './translator';

const USAGE = `Usage: npm run -s translate -- --to LANG [--beam N] [--json] [--model NAME] [--models-dir DIR] [TEXT...]
Translates English TEXT (or stdin lines) into LANG, one of the model's languages (de, fr, cs).`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        beam: { type: 'string' },
        json: { type: 'boolean', default: false },
        model: { type: 'string' },
        'models-dir': { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.to) {
    console.error(`--to LANG is required\n${USAGE}`);
    return 2;
  }
  const beamSize = values.beam === undefined ? undefined : Number(values.beam);
  if (beamSize !== undefined && (!Number.isInteger(beamSize) || beamSize < 1 || beamSize > 16)) {
    console.error(`--beam must be an integer 1-16, got "${values.beam}"`);
    return 2;
  }
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  const texts = positionals.length
    ? positionals
    : fs
        .readFileSync(0, 'utf8')
        .split('\n')
        .filter((l) => l.trim());
  if (texts.length === 0) {
    console.error(`no TEXT given\n${USAGE}`);
    return 2;
  }
  const translator = await createTranslator({ modelsDir: values['models-dir'], model: values.model, threads });
  let failed = 0;
  try {
    for (const text of texts) {
      try {
        const t = await translator.translate(text, values.to, { beamSize });
        if (values.json) process.stdout.write(`${JSON.stringify({ source: text, ...t, ms: Math.round(t.ms) })}\n`);
        else process.stdout.write(`${t.text}\n`);
        if (!values.json && t.truncated) process.stderr.write('warning: the text was too long and was truncated\n');
        if (!values.json && t.lowConfidence)
          process.stderr.write('warning: low confidence: the text is unlike the captions the model learnt from\n');
      } catch (err) {
        if (!(err instanceof TranslationInputError)) throw err;
        if (err.code === 'UNSUPPORTED_LANGUAGE') {
          console.error(err.message);
          return 2;
        }
        failed++;
        if (values.json)
          process.stdout.write(`${JSON.stringify({ source: text, error: { code: err.code, message: err.message } })}\n`);
        else process.stderr.write(`error ${err.code}: ${err.message}\n`);
      }
    }
  } finally {
    await translator.dispose();
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(
      err instanceof CaptionerConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err),
    );
    process.exit(2);
  },
);
