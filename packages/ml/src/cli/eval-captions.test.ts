import { diversity } from './eval-captions';

test('diversity: distinct captions per image (case-insensitive), words used, the most frequent caption and its share', () => {
  expect(
    diversity(['A dog runs.', 'a dog runs.', 'A man sits on a bench.', 'A dog runs.', 'Two girls play in the water.']),
  ).toEqual({
    distinctCaptions: 3,
    distinctShare: 0.6,
    vocabularyUsed: 13,
    mostFrequent: { caption: 'a dog runs.', share: 0.6 },
  });
  expect(diversity([])).toEqual({
    distinctCaptions: 0,
    distinctShare: 0,
    vocabularyUsed: 0,
    mostFrequent: { caption: '', share: 0 },
  });
});
