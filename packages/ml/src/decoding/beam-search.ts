/**
 * Batched beam search over any autoregressive `step` function (no ONNX in here).
 *
 * Rows: the decoder state holds one row per live beam, items (images) one after another. Each
 * step feeds the last token of every live beam, gets log-probabilities back, picks the next beams
 * per item, and asks the decoder to `gather` the state rows the survivors descend from.
 *
 * Scores: a finished hypothesis scores `sum(logp) / length^lengthPenalty`, where length counts
 * the generated tokens including `<end>` (so it is never 0). Ties are broken deterministically:
 * higher sum first, then lower parent beam index, then lower token id.
 */

export interface StepResult<S> {
  /** Log-probabilities, `rows` x `vocabSize`, row-major. */
  logprobs: Float32Array;
  /** State after the step, one row per input token. */
  state: S;
  /** Optional attention weights, `rows` x `attentionSize` (what each emitted token looked at). */
  attention?: Float32Array;
}

export interface BeamDecoder<S> {
  readonly vocabSize: number;
  /** Length of one attention row, 0 when the decoder reports none. */
  readonly attentionSize: number;
  step(tokens: Int32Array, state: S): Promise<StepResult<S>> | StepResult<S>;
  /** New state whose row i is row `rows[i]` of `state`. */
  gather(state: S, rows: Int32Array): S;
}

export interface BeamSearchConfig {
  beamSize: number;
  /** Maximum generated words (not counting `<end>`). */
  maxLength: number;
  /** `<end>` is not allowed before this many words. Default 1. */
  minLength?: number;
  /** Exponent alpha of the length normalisation (0 = raw sum). Default 0.7. */
  lengthPenalty?: number;
  /** Forbid repeating any n-gram of this size within a hypothesis (0 = off). Default 3. */
  noRepeatNgramSize?: number;
  /** Forbid a word straight after itself ("a a"). Default true. */
  blockImmediateRepeat?: boolean;
  /**
   * Forbid a phrase of 2..this many words straight after itself ("a dog a dog"), which trigram
   * blocking alone lets through. Default 2 (0 or 1 = off).
   */
  blockAdjacentRepeats?: number;
  bos: number;
  eos: number;
  /** Tokens never emitted (`<unk>`, `<pad>`, `<start>`). */
  bannedTokens?: readonly number[];
  /** How many finished hypotheses to return per item. Default `beamSize`. */
  numReturn?: number;
}

export interface Hypothesis {
  /** Generated word ids, without `<start>` and `<end>`. */
  tokens: number[];
  /** Sum of log-probabilities, `<end>` included when finished. */
  logprob: number;
  /** Length-normalised score used for ranking. */
  score: number;
  /** One attention row per token in `tokens` (empty arrays when the decoder reports none). */
  attention: Float32Array[];
  /** False when the hypothesis was cut at `maxLength` without emitting `<end>`. */
  finished: boolean;
}

interface Beam {
  tokens: number[];
  logprob: number;
  attention: Float32Array[];
}

interface Candidate {
  beam: number;
  token: number;
  total: number;
}

const EMPTY = new Float32Array(0);

function compareCandidates(a: Candidate, b: Candidate): number {
  return b.total - a.total || a.beam - b.beam || a.token - b.token;
}

function compareHypotheses(a: Hypothesis, b: Hypothesis): number {
  if (b.score !== a.score) return b.score - a.score;
  if (b.logprob !== a.logprob) return b.logprob - a.logprob;
  const n = Math.min(a.tokens.length, b.tokens.length);
  for (let i = 0; i < n; i++) if (a.tokens[i] !== b.tokens[i]) return a.tokens[i]! - b.tokens[i]!;
  return a.tokens.length - b.tokens.length;
}

export function normalisedScore(logprob: number, length: number, alpha: number): number {
  return logprob / Math.pow(Math.max(1, length), alpha);
}

/**
 * Token ids that, appended to `tokens`, would repeat an n-gram already there, repeat the last word,
 * or repeat the phrase just before (k = 2..adjacent words: "a dog a" + "dog").
 */
export function blockedTokens(
  tokens: readonly number[],
  ngram: number,
  blockImmediateRepeat: boolean,
  adjacent = 0,
): Set<number> {
  const blocked = new Set<number>();
  const len = tokens.length;
  if (blockImmediateRepeat && len > 0) blocked.add(tokens[len - 1]!);
  for (let k = 2; k <= adjacent && 2 * k <= len + 1; k++) {
    // After appending v the sequence ends with blocks X Y of k words; X === Y iff Y's first k-1
    // words (already there) equal X's first k-1 and v equals X's last word.
    const n = len + 1;
    let same = true;
    for (let i = 0; i < k - 1; i++) {
      if (tokens[n - 2 * k + i] !== tokens[n - k + i]) {
        same = false;
        break;
      }
    }
    if (same) blocked.add(tokens[n - k - 1]!);
  }
  if (ngram >= 1 && len >= ngram - 1) {
    const p = ngram - 1;
    for (let i = 0; i + p < len; i++) {
      let same = true;
      for (let k = 0; k < p; k++) {
        if (tokens[i + k] !== tokens[len - p + k]) {
          same = false;
          break;
        }
      }
      if (same) blocked.add(tokens[i + p]!);
    }
  }
  return blocked;
}

/** The `k` best allowed tokens of one row, sorted by `compareCandidates`. */
function topTokens(
  logprobs: Float32Array,
  offset: number,
  vocabSize: number,
  k: number,
  beam: number,
  base: number,
  isBlocked: (token: number) => boolean,
): Candidate[] {
  const best: Candidate[] = [];
  for (let v = 0; v < vocabSize; v++) {
    const lp = logprobs[offset + v]!;
    if (Number.isNaN(lp) || lp === -Infinity) continue;
    const total = base + lp;
    if (best.length === k && total <= best[k - 1]!.total) continue;
    if (isBlocked(v)) continue;
    const cand = { beam, token: v, total };
    let i = best.length;
    while (i > 0 && compareCandidates(cand, best[i - 1]!) < 0) i--;
    best.splice(i, 0, cand);
    if (best.length > k) best.pop();
  }
  return best;
}

function validate(cfg: BeamSearchConfig): void {
  if (!Number.isInteger(cfg.beamSize) || cfg.beamSize < 1)
    throw new RangeError(`beamSize must be an integer >= 1, got ${cfg.beamSize}`);
  if (!Number.isInteger(cfg.maxLength) || cfg.maxLength < 1)
    throw new RangeError(`maxLength must be an integer >= 1, got ${cfg.maxLength}`);
}

/**
 * Runs beam search for `batchSize` items whose initial decoder state has one row per item.
 * Returns, per item, up to `numReturn` distinct hypotheses, best first.
 */
export async function beamSearch<S>(
  decoder: BeamDecoder<S>,
  initialState: S,
  batchSize: number,
  cfg: BeamSearchConfig,
): Promise<Hypothesis[][]> {
  validate(cfg);
  const beamSize = cfg.beamSize;
  const minLength = cfg.minLength ?? 1;
  const alpha = cfg.lengthPenalty ?? 0.7;
  const ngram = cfg.noRepeatNgramSize ?? 3;
  const blockRepeat = cfg.blockImmediateRepeat ?? true;
  const adjacent = cfg.blockAdjacentRepeats ?? 2;
  const numReturn = cfg.numReturn ?? beamSize;
  const banned = new Set(cfg.bannedTokens ?? []);
  banned.add(cfg.bos);
  const { vocabSize, attentionSize } = decoder;
  const perBeam = 2 * beamSize;

  const live: Beam[][] = Array.from({ length: batchSize }, () => [{ tokens: [], logprob: 0, attention: [] }]);
  const finished: Hypothesis[][] = Array.from({ length: batchSize }, () => []);
  const done: boolean[] = new Array<boolean>(batchSize).fill(false);
  let state = initialState;

  for (let t = 0; t < cfg.maxLength + 1; t++) {
    const rows = live.reduce((n, beams) => n + beams.length, 0);
    if (rows === 0) break;
    const tokens = new Int32Array(rows);
    let r = 0;
    for (const beams of live)
      for (const beam of beams) tokens[r++] = beam.tokens.length ? beam.tokens[beam.tokens.length - 1]! : cfg.bos;

    const out = await decoder.step(tokens, state);
    if (out.logprobs.length !== rows * vocabSize) {
      throw new Error(`step returned ${out.logprobs.length} log-probabilities for ${rows} rows x ${vocabSize} tokens`);
    }
    const mustEnd = t === cfg.maxLength;
    const parents: number[] = [];
    let rowBase = 0;
    for (let item = 0; item < batchSize; item++) {
      const beams = live[item]!;
      const itemRow = rowBase;
      rowBase += beams.length;
      if (beams.length === 0) continue;
      if (mustEnd) {
        // At maxLength every live beam ends here, with <end>'s log-probability when it has one.
        beams.forEach((beam, b) => {
          const lp = out.logprobs[(itemRow + b) * vocabSize + cfg.eos]!;
          const ends = Number.isFinite(lp);
          const total = beam.logprob + (ends ? lp : 0);
          finished[item]!.push({
            ...beam,
            logprob: total,
            score: normalisedScore(total, beam.tokens.length + (ends ? 1 : 0), alpha),
            finished: ends,
          });
        });
        live[item] = [];
        continue;
      }
      const candidates: Candidate[] = [];
      beams.forEach((beam, b) => {
        const len = beam.tokens.length;
        const repeats = blockedTokens(beam.tokens, ngram, blockRepeat, adjacent);
        const isBlocked = (v: number): boolean => (v === cfg.eos ? len < minLength : banned.has(v) || repeats.has(v));
        candidates.push(...topTokens(out.logprobs, (itemRow + b) * vocabSize, vocabSize, perBeam, b, beam.logprob, isBlocked));
      });
      candidates.sort(compareCandidates);

      const next: Beam[] = [];
      for (let rank = 0; rank < candidates.length && next.length < beamSize; rank++) {
        const cand = candidates[rank]!;
        const parent = beams[cand.beam]!;
        const row = itemRow + cand.beam;
        const att =
          out.attention && attentionSize > 0 ? out.attention.slice(row * attentionSize, (row + 1) * attentionSize) : EMPTY;
        if (cand.token === cfg.eos) {
          if (rank >= beamSize) continue;
          finished[item]!.push({
            tokens: parent.tokens,
            logprob: cand.total,
            score: normalisedScore(cand.total, parent.tokens.length + 1, alpha),
            attention: parent.attention,
            finished: true,
          });
          continue;
        }
        next.push({ tokens: [...parent.tokens, cand.token], logprob: cand.total, attention: [...parent.attention, att] });
        parents.push(row);
      }

      // Stop this item when enough hypotheses are finished and no live beam, ended now, would beat them.
      const fin = finished[item]!.sort(compareHypotheses);
      const best = next[0];
      if (
        fin.length >= beamSize &&
        (!best || normalisedScore(best.logprob, best.tokens.length, alpha) <= fin[beamSize - 1]!.score)
      ) {
        done[item] = true;
      }
      if (next.length === 0) done[item] = true;
      if (done[item]) {
        parents.splice(parents.length - next.length, next.length);
        live[item] = [];
      } else {
        live[item] = next;
      }
    }
    if (parents.length === 0) break;
    state = decoder.gather(out.state, Int32Array.from(parents));
  }

  return finished.map((fin) => {
    fin.sort(compareHypotheses);
    const seen = new Set<string>();
    const unique: Hypothesis[] = [];
    for (const hyp of fin) {
      const key = hyp.tokens.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      unique.push(hyp);
      if (unique.length === numReturn) break;
    }
    return unique;
  });
}
