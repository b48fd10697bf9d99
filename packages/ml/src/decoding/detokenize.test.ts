import { detokenize, idsToWords, wordsToSentence } from './detokenize';

const vocab = ['<pad>', '<start>', '<end>', '<unk>', 'a', 'dog', 'runs', 'on', 'the', 'grass', '.', ' ', 'in'];
const special = { pad: 0, bos: 1, eos: 2, unk: 3 };

describe('detokenize', () => {
  it('turns ids into a capitalised sentence without special tokens', () => {
    expect(detokenize([1, 4, 5, 6, 7, 8, 9, 2], vocab, special)).toBe('A dog runs on the grass');
  });

  it('drops <unk>, <pad>, stray punctuation and everything after <end>', () => {
    expect(detokenize([4, 3, 5, 0, 6, 10, 2, 9, 9], vocab, special)).toBe('A dog runs');
    expect(detokenize([4, 5, 10], vocab, special)).toBe('A dog');
    expect(detokenize([4, 11, 5], vocab, special)).toBe('A dog');
  });

  it('handles empty output and out-of-range ids', () => {
    expect(detokenize([2], vocab, special)).toBe('');
    expect(detokenize([], vocab, special)).toBe('');
    expect(detokenize([99, 5], vocab, special)).toBe('Dog');
  });

  it('keeps the position of each word for attention', () => {
    expect(idsToWords([4, 3, 5, 2, 6], vocab, special)).toEqual([
      { word: 'a', index: 0 },
      { word: 'dog', index: 2 },
    ]);
  });

  it('wordsToSentence never leaves a trailing " ." or double spaces', () => {
    expect(wordsToSentence(['a', ' dog ', 'runs', '.'])).toBe('A dog runs');
    expect(wordsToSentence(['two', 'dogs', ',', 'playing'])).toBe('Two dogs, playing');
    const s = wordsToSentence(['a', '', 'dog', '  ', 'in', 'the', 'snow', ' .']);
    expect(s).toBe('A dog in the snow');
    expect(s).not.toMatch(/\s{2}|\s\.$|\.$/);
  });
});
