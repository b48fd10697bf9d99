import { beamSearch, type BeamDecoder } from './beam-search';
import { EnsembleDecoder } from './ensemble';

// Vocabulary: 0 <pad>, 1 <start>, 2 <end>, 3 "dog", 4 "cat", 5 "bird".
const BOS = 1,
  EOS = 2,
  DOG = 3,
  CAT = 4,
  BIRD = 5;
const V = 6;

/** A decoder with one opinion: the first word from `first`, then <end>. State = words so far. */
function opinion(first: Partial<Record<number, number>>): BeamDecoder<number[][]> & { gathered: Int32Array[] } {
  const gathered: Int32Array[] = [];
  return {
    vocabSize: V,
    attentionSize: 0,
    gathered,
    step(tokens, state) {
      const logprobs = new Float32Array(tokens.length * V).fill(-Infinity);
      const next = state.map((words, r) => {
        const history = tokens[r] === BOS ? [] : [...words, tokens[r]!];
        const probs = history.length === 0 ? first : { [EOS]: 1 };
        for (const [tok, p] of Object.entries(probs)) logprobs[r * V + Number(tok)] = Math.log(p!);
        return history;
      });
      return { logprobs, state: next };
    },
    gather(state, rows) {
      gathered.push(rows);
      return Array.from(rows, (r) => state[r]!);
    },
  };
}

const search = { beamSize: 3, maxLength: 4, bos: BOS, eos: EOS, lengthPenalty: 0, numReturn: 3 };

describe('EnsembleDecoder', () => {
  it('gives a lone member, or a member beside itself, its own log-probabilities', async () => {
    const member = opinion({ [DOG]: 0.6, [CAT]: 0.4 });
    for (const ensemble of [new EnsembleDecoder([member]), new EnsembleDecoder([member, member])]) {
      const out = await ensemble.step(
        Int32Array.of(BOS),
        ensemble.members.map(() => [[]]),
      );
      expect(out.logprobs[DOG]).toBeCloseTo(Math.log(0.6), 6);
      expect(out.logprobs[CAT]).toBeCloseTo(Math.log(0.4), 6);
      expect(out.logprobs[BIRD]).toBe(-Infinity);
    }
  });

  it('averages probabilities, weighted, and keeps a token only one member allows', async () => {
    const a = opinion({ [DOG]: 0.9, [CAT]: 0.1 });
    const b = opinion({ [CAT]: 0.5, [BIRD]: 0.5 });
    const equal = await new EnsembleDecoder([a, b]).step(Int32Array.of(BOS), [[[]], [[]]]);
    expect(Array.from(equal.logprobs.slice(DOG, BIRD + 1), Math.exp)).toEqual([
      expect.closeTo(0.45, 6),
      expect.closeTo(0.3, 6),
      expect.closeTo(0.25, 6),
    ]);
    const weighted = await new EnsembleDecoder([a, b], [1, 3]).step(Int32Array.of(BOS), [[[]], [[]]]);
    expect(Math.exp(weighted.logprobs[CAT]!)).toBeCloseTo(0.25 * 0.1 + 0.75 * 0.5, 6);
  });

  it('lets beam search follow what the members agree on, and gathers every member’s rows', async () => {
    // Alone, a prefers "dog" and b prefers "bird"; together "cat", second for both, wins.
    const a = opinion({ [DOG]: 0.5, [CAT]: 0.4, [BIRD]: 0.1 });
    const b = opinion({ [BIRD]: 0.5, [CAT]: 0.4, [DOG]: 0.1 });
    expect((await beamSearch(a, [[]], 1, search))[0]![0]!.tokens).toEqual([DOG]);
    expect((await beamSearch(b, [[]], 1, search))[0]![0]!.tokens).toEqual([BIRD]);
    const both = await beamSearch(new EnsembleDecoder([a, b]), [[[]], [[]]], 1, { ...search, lengthPenalty: 0 });
    // 0.5·0.5 + 0.5·0.1 = 0.3 for dog and bird, 0.4 for cat.
    expect(both[0]!.map((h) => h.tokens)).toEqual([[CAT], [DOG], [BIRD]]);
    expect(a.gathered.length).toBeGreaterThan(0);
    expect(b.gathered).toEqual(a.gathered);
  });

  it('refuses members that cannot be combined', () => {
    const small = { ...opinion({}), vocabSize: V - 1 };
    expect(() => new EnsembleDecoder([])).toThrow(/at least one decoder/);
    expect(() => new EnsembleDecoder([opinion({}), small])).toThrow(/disagree on the vocabulary size: 6 vs 5/);
    expect(() => new EnsembleDecoder([opinion({})], [0])).toThrow(/positive numbers/);
  });
});
