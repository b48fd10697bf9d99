import type { BeamDecoder, StepResult } from './beam-search';

/**
 * Several decoders searched as one: every step feeds each member the same tokens and the beam
 * ranks tokens by the members' averaged probability, computed in log space as fairseq's
 * `EnsembleModel` does (log Σ w·p). A token one member rules out (-∞) stays possible when another
 * allows it. Members must share the vocabulary; attention (for the caption's heat map) is the
 * first member's.
 */
export class EnsembleDecoder<S> implements BeamDecoder<S[]> {
  readonly vocabSize: number;
  readonly attentionSize: number;
  private readonly logWeights: number[];

  constructor(
    readonly members: readonly BeamDecoder<S>[],
    weights: readonly number[] = members.map(() => 1),
  ) {
    if (members.length === 0) throw new RangeError('an ensemble needs at least one decoder');
    if (weights.length !== members.length || weights.some((w) => !(w > 0) || !Number.isFinite(w)))
      throw new RangeError(`ensemble weights must be ${members.length} positive numbers, got [${weights.join(', ')}]`);
    const sizes = new Set(members.map((m) => m.vocabSize));
    if (sizes.size !== 1) throw new RangeError(`ensemble members disagree on the vocabulary size: ${[...sizes].join(' vs ')}`);
    this.vocabSize = members[0]!.vocabSize;
    this.attentionSize = members[0]!.attentionSize;
    const total = weights.reduce((a, b) => a + b, 0);
    this.logWeights = weights.map((w) => Math.log(w / total));
  }

  async step(tokens: Int32Array, states: S[]): Promise<StepResult<S[]>> {
    // One after another: each member's session already uses every thread it was given.
    const outs: StepResult<S>[] = [];
    for (let m = 0; m < this.members.length; m++) outs.push(await this.members[m]!.step(tokens, states[m]!));
    if (outs.length === 1) return { ...outs[0]!, state: [outs[0]!.state] };
    const n = outs[0]!.logprobs.length;
    const logprobs = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let m = 0; m < outs.length; m++) max = Math.max(max, outs[m]!.logprobs[i]! + this.logWeights[m]!);
      if (max === -Infinity) {
        logprobs[i] = -Infinity;
        continue;
      }
      let sum = 0;
      for (let m = 0; m < outs.length; m++) sum += Math.exp(outs[m]!.logprobs[i]! + this.logWeights[m]! - max);
      logprobs[i] = max + Math.log(sum);
    }
    return { logprobs, state: outs.map((o) => o.state), attention: outs[0]!.attention };
  }

  gather(states: S[], rows: Int32Array): S[] {
    return states.map((state, m) => this.members[m]!.gather(state, rows));
  }
}
