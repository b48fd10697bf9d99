import type { TokenizedPair } from './bleu';
import { ngramCounts, ngramOrder } from './ngrams';

/** A caption as CIDEr-D compares it: TF-IDF weights per n-gram order, their norms, its length. */
export interface CiderVector {
  weights: Map<string, number>[];
  norms: number[];
  length: number;
}

/**
 * CIDEr-D as coco-caption's CiderD scorer, with the document frequencies of a given corpus (each
 * document: one image's references): TF-IDF n-gram vectors (n = 1..4), candidate weights clipped
 * by the reference's, Gaussian length penalty (sigma 6), averaged over n and references, times 10.
 */
export class CiderDScorer {
  private readonly df = new Map<string, number>();
  private readonly logDocuments: number;

  constructor(
    documents: readonly (readonly (readonly string[])[])[],
    private readonly n = 4,
    private readonly sigma = 6,
  ) {
    for (const refs of documents) {
      const seen = new Set<string>();
      for (const ref of refs) for (const key of ngramCounts(ref, n).keys()) seen.add(key);
      for (const key of seen) this.df.set(key, (this.df.get(key) ?? 0) + 1);
    }
    this.logDocuments = Math.log(Math.max(1, documents.length));
  }

  vector(tokens: readonly string[]): CiderVector {
    const { n } = this;
    const weights = Array.from({ length: n }, () => new Map<string, number>());
    const norms = new Array<number>(n).fill(0);
    let length = 0;
    for (const [key, tf] of ngramCounts(tokens, n)) {
      const k = ngramOrder(key) - 1;
      const w = tf * (this.logDocuments - Math.log(Math.max(1, this.df.get(key) ?? 0)));
      weights[k]!.set(key, w);
      norms[k]! += w * w;
      if (k === 0) length += tf;
    }
    return { weights, norms: norms.map(Math.sqrt), length };
  }

  /** The candidate's CIDEr-D against these references (0 when there are none). */
  score(candidate: CiderVector, references: readonly CiderVector[]): number {
    if (references.length === 0) return 0;
    let total = 0;
    for (const ref of references) {
      const delta = candidate.length - ref.length;
      const penalty = Math.exp(-(delta * delta) / (2 * this.sigma * this.sigma));
      candidate.weights.forEach((hw, k) => {
        const rw = ref.weights[k]!;
        let val = 0;
        for (const [key, h] of hw) {
          const r = rw.get(key) ?? 0;
          val += Math.min(h, r) * r;
        }
        if (candidate.norms[k] !== 0 && ref.norms[k] !== 0) val /= candidate.norms[k]! * ref.norms[k]!;
        total += val * penalty;
      });
    }
    return (total / this.n / references.length) * 10;
  }
}

/**
 * Corpus CIDEr-D as coco-caption computes it: document frequency from the references of the
 * evaluated set; mean over images.
 */
export function corpusCiderD(
  pairs: readonly TokenizedPair[],
  opts: { n?: number; sigma?: number } = {},
): { score: number; perImage: number[] } {
  if (pairs.length === 0) return { score: 0, perImage: [] };
  const scorer = new CiderDScorer(
    pairs.map((p) => p.references),
    opts.n ?? 4,
    opts.sigma ?? 6,
  );
  const perImage = pairs.map((p) =>
    scorer.score(
      scorer.vector(p.candidate),
      p.references.map((r) => scorer.vector(r)),
    ),
  );
  return { score: perImage.reduce((a, b) => a + b, 0) / perImage.length, perImage };
}
