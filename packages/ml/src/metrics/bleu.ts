import { ngramCounts, ngramOrder } from './ngrams';

/** One candidate and its references, already tokenised. */
export interface TokenizedPair {
  candidate: string[];
  references: string[][];
}

const TINY = 1e-15;
const SMALL = 1e-9;

/**
 * Corpus BLEU-1..n as coco-caption's bleu_scorer computes it: clipped n-gram matches summed over
 * the corpus, effective reference length = per sentence the closest reference length (ties go to
 * the shorter), brevity penalty exp(1 - r/c) when c < r, and the same tiny/small smoothing.
 */
export function corpusBleu(pairs: readonly TokenizedPair[], n = 4): number[] {
  const correct = new Array<number>(n).fill(0);
  const guess = new Array<number>(n).fill(0);
  let testLen = 0;
  let refLen = 0;
  for (const { candidate, references } of pairs) {
    if (references.length === 0) throw new Error('BLEU needs at least one reference per candidate');
    const maxRef = new Map<string, number>();
    for (const ref of references) {
      for (const [key, count] of ngramCounts(ref, n)) maxRef.set(key, Math.max(maxRef.get(key) ?? 0, count));
    }
    const c = candidate.length;
    let best = references[0]!.length;
    for (const ref of references) {
      const l = ref.length;
      const d = Math.abs(l - c);
      const bd = Math.abs(best - c);
      if (d < bd || (d === bd && l < best)) best = l;
    }
    testLen += c;
    refLen += best;
    for (let k = 0; k < n; k++) guess[k]! += Math.max(0, c - k);
    for (const [key, count] of ngramCounts(candidate, n)) {
      correct[ngramOrder(key) - 1]! += Math.min(count, maxRef.get(key) ?? 0);
    }
  }
  const scores: number[] = [];
  let product = 1;
  for (let k = 0; k < n; k++) {
    product *= (correct[k]! + TINY) / (guess[k]! + SMALL);
    scores.push(Math.pow(product, 1 / (k + 1)));
  }
  const ratio = (testLen + TINY) / (refLen + SMALL);
  if (ratio < 1) {
    const bp = Math.exp(1 - 1 / ratio);
    return scores.map((s) => s * bp);
  }
  return scores;
}
