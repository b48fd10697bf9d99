import { corpusBleu, corpusCiderD, corpusRougeL, lcsLength, rougeL, scoreCaptions, tokenizeCaption } from './index';

const t = (s: string) => s.split(' ');

describe('tokenizeCaption (PTB-ish, as coco-caption before scoring)', () => {
  it('lowercases, splits clitics and removes punctuation', () => {
    expect(tokenizeCaption('A child in a pink dress is climbing up a set of stairs in an entry way .')).toEqual(
      t('a child in a pink dress is climbing up a set of stairs in an entry way'),
    );
    expect(tokenizeCaption('The dog\'s ball, isn\'t it? "Yes" - it is!')).toEqual(t("the dog 's ball is n't it yes it is"));
    expect(tokenizeCaption('A man in a T-shirt (red) ...')).toEqual(t('a man in a t-shirt red'));
    expect(tokenizeCaption('  ')).toEqual([]);
  });
});

describe('corpusBleu (coco-caption definition)', () => {
  it('is 1 for an exact match', () => {
    const s = corpusBleu([{ candidate: t('the cat sat on the mat'), references: [t('the cat sat on the mat')] }]);
    s.forEach((v) => expect(v).toBeCloseTo(1, 6));
  });

  it('clips unigram counts by the reference ("the the the ...")', () => {
    const [b1] = corpusBleu([{ candidate: t('the the the the the the the'), references: [t('the cat is on the mat')] }]);
    expect(b1).toBeCloseTo(2 / 7, 6);
  });

  it('applies the brevity penalty exp(1 - r/c)', () => {
    const [b1, b2] = corpusBleu([{ candidate: t('the cat'), references: [t('the cat sat on the mat')] }]);
    expect(b1).toBeCloseTo(Math.exp(1 - 6 / 2), 6);
    expect(b2).toBeCloseTo(Math.exp(-2), 6);
  });

  it('sums counts over the corpus and picks the closest reference length (ties: shorter)', () => {
    // Pair 1: c=3, reference lengths 4 and 2 are equally close -> r=2. All 1-3-grams match.
    // Pair 2: c=2, r=3. Unigrams match, "a cat" does not.
    // p1 = 5/5, p2 = 2/3, p3 = 1/1, p4 = 0/0 -> tiny/small = 1e-6; c = r = 5: no penalty.
    const s = corpusBleu([
      { candidate: t('a dog runs'), references: [t('a dog runs fast'), t('a dog')] },
      { candidate: t('a cat'), references: [t('a black cat')] },
    ]);
    expect(s[0]).toBeCloseTo(1, 6);
    expect(s[1]).toBeCloseTo(Math.sqrt(2 / 3), 6);
    expect(s[2]).toBeCloseTo(Math.cbrt(2 / 3), 6);
    expect(s[3]).toBeCloseTo(Math.pow((2 / 3) * 1e-6, 1 / 4), 6);
    // Had the longer reference (4) been chosen for pair 1, c=5 < r=7 would add a penalty.
    expect(s[0]).toBeGreaterThan(0.999);
  });

  it('takes the maximum count of an n-gram over references', () => {
    const [b1] = corpusBleu([{ candidate: t('dog dog dog cat'), references: [t('dog dog cat bird'), t('dog cat bird fish')] }]);
    expect(b1).toBeCloseTo(3 / 4, 6);
  });
});

describe('ROUGE-L (coco-caption definition, beta 1.2)', () => {
  it('computes the longest common subsequence', () => {
    expect(lcsLength(t('a dog runs on grass'), t('a dog is running on the grass'))).toBe(4);
    expect(lcsLength([], t('a'))).toBe(0);
  });

  it('uses max precision and max recall over references', () => {
    // LCS with ref 1 = 4 (a dog on grass): P = 4/5, R = 4/7. Ref 2: LCS 1: P = 1/5, R = 1/2.
    // Pmax = 0.8, Rmax = 4/7: F = (1 + 1.44) P R / (R + 1.44 P) = 0.647220...
    const score = rougeL(t('a dog runs on grass'), [t('a dog is running on the grass'), t('a cat')]);
    const p = 0.8,
      r = 4 / 7;
    expect(score).toBeCloseTo((2.44 * p * r) / (r + 1.44 * p), 10);
    expect(score).toBeCloseTo(0.64722, 4);
  });

  it('is 1 for an exact match, 0 for no overlap, and averaged over the corpus', () => {
    expect(rougeL(t('a b c'), [t('a b c')])).toBeCloseTo(1, 10);
    expect(rougeL(t('x y'), [t('a b c')])).toBe(0);
    expect(
      corpusRougeL([
        { candidate: t('a b c'), references: [t('a b c')] },
        { candidate: t('x y'), references: [t('a b c')] },
      ]),
    ).toBeCloseTo(0.5, 10);
  });
});

describe('CIDEr-D (coco-caption definition: sigma 6, clipping, x10)', () => {
  it('scores two exact matches 5 (n-grams of size 3 and 4 are absent, so half of the 4 orders)', () => {
    // df("a") = 2 = N, so "a" weighs log(2) - log(2) = 0; "dog", "cat" and the bigrams weigh log 2.
    // Per order n=1,2 the cosine is 1, n=3,4 are 0: mean 0.5, x10 = 5.
    const { score, perImage } = corpusCiderD([
      { candidate: t('a dog'), references: [t('a dog')] },
      { candidate: t('a cat'), references: [t('a cat')] },
    ]);
    expect(perImage[0]).toBeCloseTo(5, 10);
    expect(score).toBeCloseTo(5, 10);
  });

  it('clips repeated words and penalises the length difference', () => {
    // "a dog dog" vs "a dog": unigrams hyp {dog: 2 log2}, ref {dog: log2}: min(2,1) log2 * log2 / (2 log2 * log2) = 0.5.
    // Bigrams hyp {"a dog": log2, "dog dog": log2} vs ref {"a dog": log2}: 1/sqrt(2).
    // Length 3 vs 2: exp(-1 / 72). Score = (0.5 + 0.7071) / 4 * exp(-1/72) * 10 = 2.97616.
    const { perImage, score } = corpusCiderD([
      { candidate: t('a dog dog'), references: [t('a dog')] },
      { candidate: t('a cat'), references: [t('a cat')] },
    ]);
    const expected = ((0.5 + Math.SQRT1_2) / 4) * Math.exp(-1 / 72) * 10;
    expect(perImage[0]).toBeCloseTo(expected, 10);
    expect(perImage[0]).toBeCloseTo(2.97616, 4);
    expect(score).toBeCloseTo((expected + 5) / 2, 10);
  });

  it('averages over references and gives 0 to a single-image set (idf is 0)', () => {
    const { perImage } = corpusCiderD([
      { candidate: t('a dog'), references: [t('a dog'), t('a bird')] },
      { candidate: t('a cat'), references: [t('a cat'), t('a cat')] },
    ]);
    // Image 1: ref "a dog" gives 5, ref "a bird" shares only "a" (weight 0) -> 0: mean 2.5.
    expect(perImage[0]).toBeCloseTo(2.5, 10);
    expect(perImage[1]).toBeCloseTo(5, 10);
    expect(corpusCiderD([{ candidate: t('a dog'), references: [t('a dog')] }]).score).toBe(0);
  });
});

describe('scoreCaptions', () => {
  it('tokenises raw captions, keeps at most 5 references and reports every metric', () => {
    const m = scoreCaptions([
      { candidate: 'A dog runs.', references: ['a dog runs .', 'A dog is running', 'x', 'y', 'z', 'a dog runs'] },
      { candidate: 'A cat', references: ['A cat .'] },
    ]);
    expect(m.count).toBe(2);
    expect(m['BLEU-1']).toBeCloseTo(1, 6);
    expect(m['ROUGE-L']).toBeCloseTo(1, 6);
    expect(Object.keys(m).sort()).toEqual(['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'CIDEr-D', 'ROUGE-L', 'count']);
    expect(scoreCaptions([]).count).toBe(0);
  });
});
