import type { TokenizedPair } from './bleu';

export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** ROUGE-L of one candidate as coco-caption: max precision and max recall over references, F with beta. */
export function rougeL(candidate: readonly string[], references: readonly string[][], beta = 1.2): number {
  if (candidate.length === 0) return 0;
  let precMax = 0;
  let recMax = 0;
  for (const ref of references) {
    const lcs = lcsLength(ref, candidate);
    precMax = Math.max(precMax, lcs / candidate.length);
    if (ref.length > 0) recMax = Math.max(recMax, lcs / ref.length);
  }
  if (precMax === 0 || recMax === 0) return 0;
  const b2 = beta * beta;
  return ((1 + b2) * precMax * recMax) / (recMax + b2 * precMax);
}

/** Corpus ROUGE-L: the mean over candidates. */
export function corpusRougeL(pairs: readonly TokenizedPair[], beta = 1.2): number {
  if (pairs.length === 0) return 0;
  return pairs.reduce((sum, p) => sum + rougeL(p.candidate, p.references, beta), 0) / pairs.length;
}
