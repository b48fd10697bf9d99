import { sacreBleu, tokenize13a } from './sacrebleu';

// Expected values computed with the reference implementation: python sacrebleu 2.x, corpus_bleu(h, r).
describe('sacreBLEU', () => {
  it('tokenizes like 13a', () => {
    expect(tokenize13a('A dog runs on the beach.')).toBe('A dog runs on the beach .');
    expect(tokenize13a('Ein Hund (braun) läuft am Strand, 3.5 km-weit!')).toBe(
      'Ein Hund ( braun ) läuft am Strand , 3.5 km-weit !',
    );
    expect(tokenize13a('It\'s 10,000-ish &amp; "quoted" -- x/y')).toBe('It\'s 10,000 - ish & " quoted " -- x / y');
    expect(tokenize13a('Zwei Männer, die auf dem Dach arbeiten.')).toBe('Zwei Männer , die auf dem Dach arbeiten .');
  });

  const cases: { h: string[]; r: string[][]; score: number; bp: number; precisions: number[]; sys: number; ref: number }[] = [
    {
      h: ['The cat is on the mat.'],
      r: [['The cat is on the mat.']],
      score: 100,
      bp: 1,
      precisions: [100, 100, 100, 100],
      sys: 7,
      ref: 7,
    },
    {
      h: ['the the the the the the the'],
      r: [['The cat is on the mat.']],
      score: 6.567274736060395,
      bp: 1,
      precisions: [14.285714285714286, 8.333333333333334, 5.0, 3.125],
      sys: 7,
      ref: 7,
    },
    {
      h: ['A dog runs on the beach.', 'Two men are working on a roof.'],
      r: [['A dog is running on the beach.', 'Two men working on the roof.']],
      score: 30.542871776819798,
      bp: 1,
      precisions: [80.0, 53.84615384615385, 18.181818181818183, 11.11111111111111],
      sys: 15,
      ref: 15,
    },
    {
      h: ['Ein Hund läuft am Strand.', 'Zwei Männer arbeiten auf einem Dach.'],
      r: [
        ['Ein Hund rennt am Strand entlang.', 'Zwei Männer arbeiten auf dem Dach.'],
        ['Ein Hund läuft über den Strand.', 'Zwei Arbeiter auf einem Dach.'],
      ],
      score: 57.07020380965786,
      bp: 0.925961078642316,
      precisions: [100.0, 90.9090909090909, 55.55555555555556, 28.571428571428573],
      sys: 13,
      ref: 14,
    },
    {
      h: ['short'],
      r: [['this is a much longer reference sentence']],
      score: 0,
      bp: 0.0024787521766663585,
      precisions: [0, 0, 0, 0],
      sys: 1,
      ref: 7,
    },
    { h: [''], r: [['something']], score: 0, bp: 0, precisions: [0, 0, 0, 0], sys: 0, ref: 1 },
  ];

  it.each(cases.map((c, i) => [i, c] as const))('matches python sacrebleu on case %i', (_i, c) => {
    const got = sacreBleu(c.h, c.r);
    expect(got.score).toBeCloseTo(c.score, 9);
    expect(got.bp).toBeCloseTo(c.bp, 12);
    got.precisions.forEach((p, k) => expect(p).toBeCloseTo(c.precisions[k]!, 9));
    expect(got.sysLen).toBe(c.sys);
    expect(got.refLen).toBe(c.ref);
  });

  it('rejects mismatched reference streams', () => {
    expect(() => sacreBleu(['a'], [])).toThrow(/at least one reference/);
    expect(() => sacreBleu(['a', 'b'], [['a']])).toThrow(/2 hypotheses/);
  });
});
