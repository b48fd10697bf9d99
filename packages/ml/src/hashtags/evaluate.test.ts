import { hashtagMetrics, referenceSet } from './evaluate';

describe('hashtag metrics', () => {
  it('builds reference sets from concepts at least two captions mention', () => {
    const ref = referenceSet([
      { caption: 'a', concepts: ['dog', 'beach'] },
      { caption: 'b', concepts: ['dog', 'run'] },
      { caption: 'c', concepts: ['dog', 'run', 'ball'] },
      { caption: 'd', concepts: ['sand', 'sand'] },
    ]);
    expect([...ref].sort()).toEqual(['dog', 'run']);
  });

  it('scores precision@5, recall@5 and diversity, folding near-duplicates', () => {
    const m = hashtagMetrics(
      [['#dog', '#running', '#beach', '#black', '#pets', '#summer'], ['#man', '#bike'], ['#cat']],
      [new Set(['dog', 'run', 'ball']), new Set(['man', 'bicycle']), new Set()],
    );
    // image 1: dog + running~run hit (2/5, 2/3); image 2: man (1/5, 1/2); image 3 has no reference
    expect(m.images).toBe(2);
    expect(m.precisionAtK).toBeCloseTo((2 / 5 + 1 / 5) / 2, 12);
    expect(m.recallAtK).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12);
    expect(m.distinct).toBe(8);
    expect(m.distinctRatio).toBeCloseTo(8 / 8, 12);
  });

  it('counts a duplicate hit once', () => {
    const m = hashtagMetrics([['#dog', '#dogs']], [new Set(['dog'])]);
    expect(m.precisionAtK).toBeCloseTo(1 / 5, 12);
    expect(m.recallAtK).toBe(1);
  });
});
