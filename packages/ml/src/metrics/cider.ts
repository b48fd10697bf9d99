import type { TokenizedPair } from './bleu';
import { ngramCounts, ngramOrder } from './ngrams';

interface Vec {
  weights: Map<string, number>[];
  norms: number[];
  length: number;
}

/**
 * Corpus CIDEr-D as coco-caption's CiderD scorer: TF-IDF n-gram vectors (n = 1..4), document
 * frequency from the references of the evaluated set, candidate weights clipped by the reference's,
 * Gaussian length penalty (sigma 6), averaged over n and references, times 10; mean over images.
 */
export function corpusCiderD(
  pairs: readonly TokenizedPair[],
  opts: { n?: number; sigma?: number } = {},
): { score: number; perImage: number[] } {
  const n = opts.n ?? 4;
  const sigma = opts.sigma ?? 6;
  if (pairs.length === 0) return { score: 0, perImage: [] };

  const refCounts = pairs.map((p) => p.references.map((r) => ngramCounts(r, n)));
  const df = new Map<string, number>();
  for (const refs of refCounts) {
    const seen = new Set<string>();
    for (const counts of refs) for (const key of counts.keys()) seen.add(key);
    for (const key of seen) df.set(key, (df.get(key) ?? 0) + 1);
  }
  const refLen = Math.log(pairs.length);

  const toVec = (counts: Map<string, number>): Vec => {
    const weights = Array.from({ length: n }, () => new Map<string, number>());
    const norms = new Array<number>(n).fill(0);
    let length = 0;
    for (const [key, tf] of counts) {
      const k = ngramOrder(key) - 1;
      const w = tf * (refLen - Math.log(Math.max(1, df.get(key) ?? 0)));
      weights[k]!.set(key, w);
      norms[k]! += w * w;
      if (k === 0) length += tf;
    }
    return { weights, norms: norms.map(Math.sqrt), length };
  };

  const sim = (hyp: Vec, ref: Vec): number[] => {
    const delta = hyp.length - ref.length;
    const penalty = Math.exp(-(delta * delta) / (2 * sigma * sigma));
    return hyp.weights.map((hw, k) => {
      const rw = ref.weights[k]!;
      let val = 0;
      for (const [key, h] of hw) {
        const r = rw.get(key) ?? 0;
        val += Math.min(h, r) * r;
      }
      if (hyp.norms[k] !== 0 && ref.norms[k] !== 0) val /= hyp.norms[k]! * ref.norms[k]!;
      return val * penalty;
    });
  };

  const perImage = pairs.map((p, i) => {
    const hyp = toVec(ngramCounts(p.candidate, n));
    const total = new Array<number>(n).fill(0);
    for (const counts of refCounts[i]!) sim(hyp, toVec(counts)).forEach((v, k) => (total[k]! += v));
    const mean = total.reduce((a, b) => a + b, 0) / n;
    return (mean / refCounts[i]!.length) * 10;
  });
  return { score: perImage.reduce((a, b) => a + b, 0) / perImage.length, perImage };
}
