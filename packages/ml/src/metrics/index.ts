import { corpusBleu, type TokenizedPair } from './bleu';
import { corpusCiderD } from './cider';
import { corpusRougeL } from './rouge';
import { tokenizeCaption } from './tokenize';

export { corpusBleu, type TokenizedPair } from './bleu';
export { corpusCiderD } from './cider';
export { corpusRougeL, lcsLength, rougeL } from './rouge';
export { tokenizeCaption } from './tokenize';

export interface CaptionPair {
  candidate: string;
  references: string[];
}

export interface CaptionMetrics {
  'BLEU-1': number;
  'BLEU-2': number;
  'BLEU-3': number;
  'BLEU-4': number;
  'ROUGE-L': number;
  'CIDEr-D': number;
  count: number;
}

/** Tokenises (PTB-style) and keeps at most `maxReferences` references per image, as coco-caption. */
export function tokenizePairs(pairs: readonly CaptionPair[], maxReferences = 5): TokenizedPair[] {
  return pairs.map((p) => ({
    candidate: tokenizeCaption(p.candidate),
    references: p.references.slice(0, maxReferences).map(tokenizeCaption),
  }));
}

/** BLEU-1..4 (corpus), ROUGE-L and CIDEr-D over a set of captioned images. */
export function scoreCaptions(pairs: readonly CaptionPair[], maxReferences = 5): CaptionMetrics {
  const tokenized = tokenizePairs(pairs, maxReferences);
  const [b1 = 0, b2 = 0, b3 = 0, b4 = 0] = tokenized.length ? corpusBleu(tokenized, 4) : [];
  return {
    'BLEU-1': b1,
    'BLEU-2': b2,
    'BLEU-3': b3,
    'BLEU-4': b4,
    'ROUGE-L': corpusRougeL(tokenized),
    'CIDEr-D': corpusCiderD(tokenized).score,
    count: pairs.length,
  };
}
