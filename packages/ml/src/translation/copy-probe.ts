/**
 * The copy probe: Multi30k val captions given a name and/or a number in digits
 * (training/translation/make_copy_probe.py), with the tokens a translation must carry over verbatim.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Translator } from './translator';

export interface ProbeSentence {
  text: string;
  /** Names and numbers the translation must contain verbatim. */
  keep: string[];
}

export interface CopyProbeResult {
  sentences: number;
  /** Percent of sentences whose translation keeps every name and number. */
  sentencesKeepingAll: number;
  /** Percent of all names and numbers kept. */
  tokensKept: number;
  /** One line per sentence: kept|LOST, the probe text, the translation. */
  lines: string[];
}

// Resolves from src/ (tests) and dist/ (the CLI) alike: the JSON is not copied into dist.
const COPY_PROBE_FILE = path.join(__dirname, '..', '..', 'src', 'translation', 'copy-probe.json');

export function loadCopyProbe(file = COPY_PROBE_FILE): ProbeSentence[] {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ProbeSentence[];
}

/** Whether `translation` holds `token` as a whole word ("25" is not kept by "250"). */
export function keeps(translation: string, token: string): boolean {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(translation);
}

export async function runCopyProbe(translator: Translator, to: string, probe: ProbeSentence[]): Promise<CopyProbeResult> {
  let kept = 0;
  let tokens = 0;
  let tokensKept = 0;
  const lines: string[] = [];
  for (const { text, keep } of probe) {
    const out = (await translator.translate(text, to)).text;
    const ok = keep.filter((k) => keeps(out, k)).length;
    tokens += keep.length;
    tokensKept += ok;
    if (ok === keep.length) kept++;
    lines.push(`${ok === keep.length ? 'kept' : 'LOST'}\t${text}\t${out}`);
  }
  const percent = (n: number, of: number) => (of === 0 ? 0 : Number(((100 * n) / of).toFixed(1)));
  return {
    sentences: probe.length,
    sentencesKeepingAll: percent(kept, probe.length),
    tokensKept: percent(tokensKept, tokens),
    lines,
  };
}
