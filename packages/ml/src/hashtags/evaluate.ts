import { lemmaKey } from './keywords';

/** Concepts per caption of one image (training/hashtags/build-references.cjs output). */
export interface CaptionConcepts {
  caption: string;
  concepts: string[];
}

/** Concepts mentioned by at least `minVotes` of the captions: an image's reference hashtag set. */
export function referenceSet(captions: readonly CaptionConcepts[], minVotes = 2): Set<string> {
  const votes = new Map<string, number>();
  for (const c of captions) for (const w of new Set(c.concepts)) votes.set(w, (votes.get(w) ?? 0) + 1);
  return new Set([...votes].filter(([, v]) => v >= minVotes).map(([w]) => w));
}

export interface HashtagMetrics {
  /** Mean over images with a non-empty reference set of hits in the first k / k. */
  precisionAtK: number;
  /** Mean of hits in the first k / reference size. */
  recallAtK: number;
  /** Distinct hashtags among all first-k lists of the split. */
  distinct: number;
  /** distinct / all first-k tags emitted. */
  distinctRatio: number;
  images: number;
  k: number;
}

/**
 * Precision@k, recall@k and diversity. A predicted tag hits when its near-duplicate key
 * (`lemmaKey`: plural and -ing/-ed folded) equals a reference's, so "#running" and "run" match
 * for every system alike; each reference counts once.
 */
export function hashtagMetrics(predictions: readonly string[][], references: readonly Set<string>[], k = 5): HashtagMetrics {
  let p = 0;
  let r = 0;
  let n = 0;
  let emitted = 0;
  const distinct = new Set<string>();
  predictions.forEach((pred, i) => {
    const top = pred.slice(0, k).map((t) => t.replace(/^#/, ''));
    top.forEach((t) => distinct.add(t));
    emitted += top.length;
    const ref = references[i]!;
    if (ref.size === 0) return;
    const refKeys = new Set([...ref].map(lemmaKey));
    const hits = new Set(top.map(lemmaKey).filter((key) => refKeys.has(key))).size;
    p += hits / k;
    r += hits / refKeys.size;
    n++;
  });
  return {
    precisionAtK: n ? p / n : 0,
    recallAtK: n ? r / n : 0,
    distinct: distinct.size,
    distinctRatio: emitted ? distinct.size / emitted : 0,
    images: n,
    k,
  };
}
