export interface SpecialTokens {
  bos: number;
  eos: number;
  pad: number;
  unk: number;
}

export interface DetokenizedWord {
  word: string;
  /** Position of the word's id in the input, to line attention rows up with words. */
  index: number;
}

const PUNCTUATION = /^[.,!?;:]+$/;

/**
 * The words a sequence of ids stands for: stops at `<end>`, drops `<start>`, `<pad>`, `<unk>`,
 * empty and unknown ids, and stray punctuation tokens.
 */
export function idsToWords(ids: readonly number[], vocab: readonly string[], special: SpecialTokens): DetokenizedWord[] {
  const words: DetokenizedWord[] = [];
  for (let index = 0; index < ids.length; index++) {
    const id = ids[index]!;
    if (id === special.eos) break;
    if (id === special.bos || id === special.pad || id === special.unk) continue;
    const word = vocab[id]?.trim();
    if (!word || /^<.*>$/.test(word) || PUNCTUATION.test(word)) continue;
    words.push({ word, index });
  }
  return words;
}

/** Joins words into a clean sentence: single spaces, first letter capitalised, no trailing " .". */
export function wordsToSentence(words: readonly string[]): string {
  const text = words
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,!?;:])/g, '$1')
    .replace(/[\s.,;:]+$/, '')
    .trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** ids → clean sentence, e.g. [1, 4, 5, 6, 2] → "A dog runs". */
export function detokenize(ids: readonly number[], vocab: readonly string[], special: SpecialTokens): string {
  return wordsToSentence(idsToWords(ids, vocab, special).map((w) => w.word));
}
