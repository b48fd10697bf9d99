#!/usr/bin/env node
/**
 * BLEU (sacreBLEU definition) of the translation model on Multi30k.
 *   npm run -s eval:translation -- --to de [--split test_2016_flickr] [--beam N (as shipped)] [--length-penalty X] [--limit N]
 * Prints JSON: BLEU, precisions, brevity penalty, lengths, sentences, ms per sentence (p50/mean), the
 * model's confidence at the 1st/2nd/5th/50th percentile (config.json minConfidence is the 2nd on val),
 * and how many sentences the shipped threshold flags, with the BLEU of the rest and of those.
 *   npm run -s eval:translation -- --sentences FILE --to de
 * translates each line of FILE (no references; e.g. social-captions.txt: captions written the way
 * people post, unlike the training data) and prints each translation with its confidence and
 * whether it is flagged (either rule), then how many are.
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

async function sentences(values: { to: string; sentences?: string; model?: string; 'models-dir'?: string; threads?: string }) {
  const lines = fs
    .readFileSync(values.sentences!, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const translator = await openTranslator(values);
  let flagged = 0;
  for (const line of lines) {
    const t = await translator.translate(line, values.to);
    if (t.lowConfidence) flagged++;
    console.log(`${t.confidence?.toFixed(3) ?? 'null'}\t${t.lowConfidence ? 'LOW' : 'ok'}\t${line}\t${t.text}`);
  }
  await translator.dispose();
  console.log(JSON.stringify({ to: values.to, sentences: lines.length, lowConfidence: flagged }));
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
      sentences: { type: 'string' },
    },
  });
  if (values.sentences) return sentences(values);
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
  const confidence: number[] = [];
  const flagged: boolean[] = [];
  for (const s of src) {
    const t = await translator.translate(s, values.to, {
      beamSize: values.beam === undefined ? undefined : Number(values.beam),
      lengthPenalty: values['length-penalty'] === undefined ? undefined : Number(values['length-penalty']),
    });
    hyps.push(t.text);
    ms.push(t.ms);
    confidence.push(t.confidence ?? 0);
    flagged.push(t.lowConfidence);
  }
  await translator.dispose();
  if (values.out) fs.writeFileSync(values.out, `${hyps.join('\n')}\n`);
  const bleu = sacreBleu(hyps, [ref]);
  const sorted = [...ms].sort((a, b) => a - b);
  const byConfidence = [...confidence].sort((a, b) => a - b);
  const at = (p: number) => Number(byConfidence[Math.floor(p * (byConfidence.length - 1))]!.toFixed(3));
  /** BLEU of the flagged sentences (true) or of the rest (false); null when there are none. */
  const bleuOf = (isFlagged: boolean) => {
    const idx = flagged.flatMap((f, i) => (f === isFlagged ? [i] : []));
    return idx.length
      ? Number(
          sacreBleu(
            idx.map((i) => hyps[i]!),
            [idx.map((i) => ref[i]!)],
          ).score.toFixed(2),
        )
      : null;
  };
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
      confidence: { p1: at(0.01), p2: at(0.02), p5: at(0.05), p50: at(0.5) },
      lowConfidence: flagged.filter(Boolean).length,
      BLEUOfConfident: bleuOf(false),
      BLEUOfLowConfidence: bleuOf(true),
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
