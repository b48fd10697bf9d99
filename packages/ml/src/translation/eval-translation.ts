#!/usr/bin/env node
/**
 * BLEU (sacreBLEU definition) of the translation model on Multi30k.
 *   npm run -s eval:translation -- --to de [--split test_2016_flickr] [--beam N (as shipped)] [--length-penalty X] [--limit N]
 * Prints JSON: BLEU, precisions, brevity penalty, lengths, sentences, ms per sentence (p50/mean).
 *   npm run -s eval:translation -- --probe --to de [--probe-file FILE]
 * instead translates the copy probe (copy-probe.json: val captions given names and numbers; needs no
 * datasets; or another file make_copy_probe.py wrote) and prints the share of sentences whose
 * translation keeps every one of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDatasetsDir } from '../env';
import { sacreBleu } from '../metrics/sacrebleu';
import { loadCopyProbe, runCopyProbe } from './copy-probe';
import { createTranslator, type Translator } from './translator';

function openTranslator(values: { model?: string; 'models-dir'?: string; threads?: string }): Promise<Translator> {
  return createTranslator({
    model: values.model,
    modelsDir: values['models-dir'],
    threads: values.threads ? Number(values.threads) : undefined,
  });
}

async function copyProbe(values: {
  to: string;
  'probe-file'?: string;
  limit?: string;
  out?: string;
  model?: string;
  'models-dir'?: string;
  threads?: string;
}) {
  const probe = loadCopyProbe(values['probe-file']).slice(0, values.limit ? Number(values.limit) : undefined);
  const translator = await openTranslator(values);
  const { lines, ...result } = await runCopyProbe(translator, values.to, probe);
  await translator.dispose();
  if (values.out) fs.writeFileSync(values.out, `${lines.join('\n')}\n`);
  console.log(JSON.stringify({ to: values.to, probe: 'copy', ...result }));
  return 0;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      to: { type: 'string', default: 'de' },
      split: { type: 'string', default: 'test_2016_flickr' },
      beam: { type: 'string' },
      'length-penalty': { type: 'string' },
      limit: { type: 'string' },
      model: { type: 'string' },
      'models-dir': { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      probe: { type: 'boolean', default: false },
      'probe-file': { type: 'string' },
    },
  });
  if (values.probe || values['probe-file']) return copyProbe(values);
  const dir = path.join(defaultDatasetsDir(), 'multi30k');
  const read = (lang: string) =>
    fs
      .readFileSync(path.join(dir, `${values.split}.${lang}`), 'utf8')
      .split('\n')
      .filter((_, i, a) => i < a.length - 1 || a[i] !== '');
  let src = read('en');
  let ref = read(values.to);
  if (values.limit) {
    src = src.slice(0, Number(values.limit));
    ref = ref.slice(0, Number(values.limit));
  }
  const translator = await openTranslator(values);
  const hyps: string[] = [];
  const ms: number[] = [];
  for (const s of src) {
    const t = await translator.translate(s, values.to, {
      beamSize: values.beam === undefined ? undefined : Number(values.beam),
      lengthPenalty: values['length-penalty'] === undefined ? undefined : Number(values['length-penalty']),
    });
    hyps.push(t.text);
    ms.push(t.ms);
  }
  await translator.dispose();
  if (values.out) fs.writeFileSync(values.out, `${hyps.join('\n')}\n`);
  const bleu = sacreBleu(hyps, [ref]);
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      to: values.to,
      split: values.split,
      beam: values.beam === undefined ? 'model default' : Number(values.beam),
      lengthPenalty: values['length-penalty'] === undefined ? 'model default' : Number(values['length-penalty']),
      sentences: src.length,
      BLEU: Number(bleu.score.toFixed(2)),
      precisions: bleu.precisions.map((p) => Number(p.toFixed(1))),
      bp: Number(bleu.bp.toFixed(3)),
      sysLen: bleu.sysLen,
      refLen: bleu.refLen,
      msP50: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(1)),
      msMean: Number((ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(1)),
    }),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
