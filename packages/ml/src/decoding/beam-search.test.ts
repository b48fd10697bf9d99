import { beamSearch, blockedTokens, normalisedScore, type BeamDecoder, type BeamSearchConfig } from './beam-search';

// Vocabulary of the toy decoders: 0 <pad>, 1 <start>, 2 <end>, 3 <unk>, then words.
const PAD = 0,
  BOS = 1,
  EOS = 2,
  UNK = 3,
  A = 4,
  DOG = 5,
  RUNS = 6,
  CAT = 7,
  SITS = 8,
  GRASS = 9;
const V = 10;

interface Row {
  item: number;
  history: number[];
}

/**
 * A hand-made decoder: `next(history, item)` gives probabilities for the next token after the
 * words generated so far. State rows carry the history, so `gather` is checked for real.
 */
function toyDecoder(
  next: (history: number[], item: number) => Partial<Record<number, number>>,
): BeamDecoder<Row[]> & { calls: number[] } {
  const calls: number[] = [];
  return {
    vocabSize: V,
    attentionSize: 2,
    calls,
    step(tokens, state) {
      calls.push(tokens.length);
      const logprobs = new Float32Array(tokens.length * V).fill(-Infinity);
      const attention = new Float32Array(tokens.length * 2);
      const rows = state.map((row, r) => {
        const history = tokens[r] === BOS ? [] : [...row.history, tokens[r]!];
        const probs = next(history, row.item);
        for (const [tok, p] of Object.entries(probs)) logprobs[r * V + Number(tok)] = Math.log(p!);
        attention[r * 2] = history.length % 2;
        attention[r * 2 + 1] = 1 - (history.length % 2);
        return { item: row.item, history };
      });
      return { logprobs, state: rows, attention };
    },
    gather(state, rows) {
      return Array.from(rows, (r) => state[r]!);
    },
  };
}

const base: Omit<BeamSearchConfig, 'beamSize'> = {
  maxLength: 12,
  bos: BOS,
  eos: EOS,
  bannedTokens: [PAD, UNK],
  lengthPenalty: 0,
};

function init(items: number): Row[] {
  return Array.from({ length: items }, (_, item) => ({ item, history: [] }));
}

/** Tokens as words, for readable expectations. */
const WORDS = ['<pad>', '<start>', '<end>', '<unk>', 'a', 'dog', 'runs', 'cat', 'sits', 'grass'];
const text = (tokens: number[]) => tokens.map((t) => WORDS[t]).join(' ');

// A model that loves to loop: "a dog a dog a dog ..." unless stopped.
const looping = (h: number[]) => {
  const last = h[h.length - 1];
  if (last === undefined) return { [A]: 0.9, [CAT]: 0.1 };
  if (last === A) return { [DOG]: 0.9, [A]: 0.05, [EOS]: 0.05 };
  if (last === DOG) return { [A]: 0.6, [DOG]: 0.2, [RUNS]: 0.12, [EOS]: 0.08 };
  if (last === RUNS) return { [EOS]: 0.8, [A]: 0.2 };
  return { [EOS]: 0.5, [SITS]: 0.5 };
};

describe('blockedTokens', () => {
  it('bans the token that would complete a repeated trigram and the last word', () => {
    // "a dog runs a dog" -> appending "runs" would repeat "a dog runs"; "dog" repeats itself.
    expect([...blockedTokens([A, DOG, RUNS, A, DOG], 3, true)].sort()).toEqual([DOG, RUNS].sort());
    expect([...blockedTokens([A, DOG, RUNS, A, DOG], 3, false)]).toEqual([RUNS]);
    expect([...blockedTokens([A, DOG], 3, false)]).toEqual([]);
    // Bigram blocking: after "dog", "a" is banned because "dog a" appeared.
    expect([...blockedTokens([DOG, A, CAT, DOG], 2, false)]).toEqual([A]);
    expect([...blockedTokens([], 3, true)]).toEqual([]);
  });

  it('bans the word that would repeat the phrase just before ("a dog a" + "dog")', () => {
    expect([...blockedTokens([A, DOG, A], 0, false, 2)]).toEqual([DOG]);
    expect([...blockedTokens([CAT, A, DOG, RUNS, A, DOG], 0, false, 3)]).toEqual([RUNS]);
    expect([...blockedTokens([CAT, A, DOG, RUNS, A, DOG], 0, false, 2)]).toEqual([]);
    expect([...blockedTokens([A, DOG, A], 0, false, 0)]).toEqual([]);
    expect([...blockedTokens([A], 0, false, 2)]).toEqual([]);
  });
});

describe('normalisedScore', () => {
  it('divides by length^alpha', () => {
    expect(normalisedScore(-2, 4, 0)).toBe(-2);
    expect(normalisedScore(-2, 4, 1)).toBe(-0.5);
    expect(normalisedScore(-2, 4, 0.5)).toBe(-1);
    expect(normalisedScore(-2, 0, 1)).toBe(-2);
  });
});

describe('beamSearch', () => {
  it('greedy (beam 1) follows the argmax path and stops at <end>', async () => {
    const dec = toyDecoder(looping);
    const [hyps] = await beamSearch(dec, init(1), 1, {
      ...base,
      beamSize: 1,
      noRepeatNgramSize: 0,
      blockImmediateRepeat: false,
      blockAdjacentRepeats: 0,
      maxLength: 6,
    });
    // Unblocked, the argmax path loops "a dog a dog ..." until maxLength forces <end>.
    expect(text(hyps![0]!.tokens)).toBe('a dog a dog a dog');
    expect(dec.calls.every((rows) => rows === 1)).toBe(true);
  });

  it('blocks "a dog a dog" by default', async () => {
    const [hyps] = await beamSearch(toyDecoder(looping), init(1), 1, { ...base, beamSize: 1 });
    // After "a dog a", "dog" is banned (adjacent repeat) and so is "a" (immediate repeat): <end>.
    expect(text(hyps![0]!.tokens)).toBe('a dog a');
  });

  it('blocks repeated trigrams and immediate repeats', async () => {
    const [hyps] = await beamSearch(toyDecoder(looping), init(1), 1, { ...base, beamSize: 1, blockAdjacentRepeats: 0 });
    const best = hyps![0]!;
    // "a dog a dog" is allowed (its trigrams "a dog a", "dog a dog" differ); then "a" would repeat
    // "a dog a" and "dog" would repeat itself, so the best allowed word is "runs", then <end>.
    expect(text(best.tokens)).toBe('a dog a dog runs');
    for (let i = 0; i + 3 <= best.tokens.length; i++) {
      for (let j = i + 1; j + 3 <= best.tokens.length; j++) {
        expect(best.tokens.slice(i, i + 3)).not.toEqual(best.tokens.slice(j, j + 3));
      }
    }
    for (let i = 1; i < best.tokens.length; i++) expect(best.tokens[i]).not.toBe(best.tokens[i - 1]);
  });

  it('with bigram blocking, "a dog" appears once', async () => {
    const [hyps] = await beamSearch(toyDecoder(looping), init(1), 1, { ...base, beamSize: 3, noRepeatNgramSize: 2 });
    for (const h of hyps!) expect(text(h.tokens).split('a dog').length).toBeLessThanOrEqual(2);
    // "a dog runs <end>" = .9*.9*.12*.8 = .078 beats "a dog <end>" = .9*.9*.08 = .065 (alpha 0);
    // "a dog a dog ..." is blocked by the bigram rule.
    expect(text(hyps![0]!.tokens)).toBe('a dog runs');
  });

  it('never emits <unk>, <pad> or <start>, even when they are the most likely', async () => {
    const next = (h: number[]) =>
      h.length < 2 ? { [UNK]: 0.7, [PAD]: 0.1, [BOS]: 0.1, [CAT]: 0.05, [DOG]: 0.05 } : { [UNK]: 0.9, [EOS]: 0.1 };
    const [hyps] = await beamSearch(toyDecoder(next), init(1), 1, { ...base, beamSize: 3, numReturn: 5 });
    expect(hyps!.length).toBeGreaterThan(0);
    for (const h of hyps!) for (const t of h.tokens) expect([UNK, PAD, BOS]).not.toContain(t);
  });

  it('respects minLength', async () => {
    const next = (h: number[]) => (h.length === 0 ? { [CAT]: 1 } : { [EOS]: 0.9, [SITS]: 0.05, [GRASS]: 0.05 });
    const [short] = await beamSearch(toyDecoder(next), init(1), 1, { ...base, beamSize: 2 });
    expect(text(short![0]!.tokens)).toBe('cat');
    const [long] = await beamSearch(toyDecoder(next), init(1), 1, { ...base, beamSize: 2, minLength: 3 });
    expect(long![0]!.tokens.length).toBeGreaterThanOrEqual(3);
  });

  // "cat <end>"              p = .25   -> alpha 0: -1.386  alpha 1: -0.693 (length 2)
  // "a dog <end>"            p = .2    ->          -1.609           -0.536 (length 3)
  // "a dog runs <end>"       p = .18   ->          -1.715           -0.429 (length 4)
  // "a dog runs grass <end>" p = .072  ->          -2.631           -0.526 (length 5)
  const lengthModel = (h: number[]) => {
    const key = text(h);
    if (key === '') return { [CAT]: 0.5, [A]: 0.5 };
    if (key === 'cat') return { [EOS]: 0.5, [SITS]: 0.5 };
    if (key === 'cat sits') return { [EOS]: 0.1, [GRASS]: 0.2 };
    if (key === 'cat sits grass') return { [EOS]: 0.5 };
    if (key === 'a') return { [DOG]: 1 };
    if (key === 'a dog') return { [RUNS]: 0.6, [EOS]: 0.4 };
    return { [EOS]: 0.6, [GRASS]: 0.4 };
  };

  it('length normalisation: alpha 0 prefers the short caption, alpha 1 the longer one', async () => {
    const [raw] = await beamSearch(toyDecoder(lengthModel), init(1), 1, { ...base, beamSize: 3, lengthPenalty: 0 });
    expect(text(raw![0]!.tokens)).toBe('cat');
    expect(raw![0]!.score).toBeCloseTo(2 * Math.log(0.5), 5);
    const [norm] = await beamSearch(toyDecoder(lengthModel), init(1), 1, { ...base, beamSize: 3, lengthPenalty: 1 });
    expect(text(norm![0]!.tokens)).toBe('a dog runs');
    expect(norm![0]!.score).toBeCloseTo((Math.log(0.5) + 2 * Math.log(0.6)) / 4, 5);
    expect(norm![0]!.logprob).toBeCloseTo(Math.log(0.5) + 2 * Math.log(0.6), 5);
  });

  it('returns distinct hypotheses sorted by score, each finished', async () => {
    const [hyps] = await beamSearch(toyDecoder(lengthModel), init(1), 1, {
      ...base,
      beamSize: 3,
      lengthPenalty: 0.7,
      numReturn: 4,
    });
    expect(hyps!.length).toBeGreaterThanOrEqual(3);
    const keys = hyps!.map((h) => text(h.tokens));
    expect(new Set(keys).size).toBe(keys.length);
    for (let i = 1; i < hyps!.length; i++) expect(hyps![i - 1]!.score).toBeGreaterThanOrEqual(hyps![i]!.score);
    for (const h of hyps!) {
      expect(h.finished).toBe(true);
      expect(h.score).toBeCloseTo(normalisedScore(h.logprob, h.tokens.length + 1, 0.7), 6);
    }
  });

  it('breaks exact ties by the lower token id, deterministically', async () => {
    const next = (h: number[]) => (h.length === 0 ? { [GRASS]: 0.25, [CAT]: 0.25, [DOG]: 0.25, [A]: 0.25 } : { [EOS]: 1 });
    const cfg = { ...base, beamSize: 2, numReturn: 4 };
    const [first] = await beamSearch(toyDecoder(next), init(1), 1, cfg);
    expect(first!.map((h) => text(h.tokens))).toEqual(['a', 'dog']);
    const [again] = await beamSearch(toyDecoder(next), init(1), 1, cfg);
    expect(again).toEqual(first);
  });

  it('records one attention row per word', async () => {
    const [hyps] = await beamSearch(toyDecoder(lengthModel), init(1), 1, { ...base, beamSize: 3, lengthPenalty: 1 });
    const best = hyps![0]!;
    expect(best.attention).toHaveLength(best.tokens.length);
    // The toy attention alternates with the history length at the step that emitted the word.
    expect(Array.from(best.attention[0]!)).toEqual([0, 1]);
    expect(Array.from(best.attention[1]!)).toEqual([1, 0]);
  });

  it('batches items: same results as one at a time, rows = live beams of all items', async () => {
    const perItem = (h: number[], item: number) => (item === 0 ? looping(h) : lengthModel(h));
    const cfg = { ...base, beamSize: 3, lengthPenalty: 0.7, numReturn: 3 };
    const dec = toyDecoder(perItem);
    const batched = await beamSearch(dec, init(2), 2, cfg);
    expect(dec.calls[0]).toBe(2);
    expect(Math.max(...dec.calls)).toBeLessThanOrEqual(6);
    const alone0 = await beamSearch(
      toyDecoder((h) => perItem(h, 0)),
      init(1),
      1,
      cfg,
    );
    const alone1 = await beamSearch(
      toyDecoder((h) => perItem(h, 1)),
      init(1),
      1,
      cfg,
    );
    expect(batched[0]!.map((h) => text(h.tokens))).toEqual(alone0[0]!.map((h) => text(h.tokens)));
    expect(batched[1]!.map((h) => text(h.tokens))).toEqual(alone1[0]!.map((h) => text(h.tokens)));
  });

  it('stops at maxLength and validates its config', async () => {
    const forever = () => ({ [A]: 0.3, [DOG]: 0.3, [CAT]: 0.2, [RUNS]: 0.1, [SITS]: 0.05, [GRASS]: 0.05 });
    const [hyps] = await beamSearch(toyDecoder(forever), init(1), 1, {
      ...base,
      beamSize: 2,
      maxLength: 5,
      noRepeatNgramSize: 0,
    });
    expect(hyps![0]!.tokens.length).toBe(5);
    expect(hyps![0]!.finished).toBe(false);
    await expect(beamSearch(toyDecoder(forever), init(1), 1, { ...base, beamSize: 0 })).rejects.toThrow(/beamSize/);
  });
});
