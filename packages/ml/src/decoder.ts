import path from 'node:path';
import type { BeamDecoder, StepResult } from './decoding/beam-search';
import { CaptionerConfigError } from './errors';
import { loadDecoderConfig, loadVocab, type DecoderConfig } from './model-config';
import { float32, loadSession, ort, type SessionOptions } from './onnx';

/** Decoder state: one row per live beam. */
export interface DecoderState {
  rows: number;
  h: Float32Array;
  c: Float32Array;
  features: Float32Array;
  keys: Float32Array;
  /** Shape of one row of `keys` (without the batch axis): [L, A] for attention, [1, E] for the others. */
  keyShape: number[];
}

function gatherRows(src: Float32Array, width: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

/** The caption decoder (`init.onnx` + `step.onnx`), exposed to beam search as a batched step function. */
export class Decoder implements BeamDecoder<DecoderState> {
  readonly vocabSize: number;
  readonly attentionSize: number;

  private constructor(
    readonly dir: string,
    readonly config: DecoderConfig,
    readonly vocab: string[],
    private readonly init: ort.InferenceSession,
    private readonly stepSession: ort.InferenceSession,
    readonly gridSize: number,
    readonly featureDim: number,
  ) {
    this.vocabSize = vocab.length;
    this.attentionSize = gridSize;
  }

  static async load(dir: string, grid: { gridSize: number; featureDim: number }, options: SessionOptions = {}): Promise<Decoder> {
    const config = loadDecoderConfig(dir);
    const vocab = loadVocab(dir);
    for (const [name, id] of Object.entries({ bos: config.bos, eos: config.eos, pad: config.pad, unk: config.unk })) {
      if (id >= vocab.length)
        throw new CaptionerConfigError(`"${dir}/config.json": ${name} id ${id} is outside vocab.json (${vocab.length} tokens)`);
    }
    const init = await loadSession(path.join(dir, 'init.onnx'), { inputs: ['features'], outputs: ['h', 'c', 'keys'] }, options);
    let step: ort.InferenceSession;
    try {
      step = await loadSession(
        path.join(dir, 'step.onnx'),
        { inputs: ['token', 'h', 'c', 'features', 'keys'], outputs: ['logprobs', 'h_out', 'c_out', 'alpha'] },
        options,
      );
    } catch (err) {
      await init.release();
      throw err;
    }
    return new Decoder(dir, config, vocab, init, step, grid.gridSize, grid.featureDim);
  }

  /** Initial state from encoder features [N, L, D]: one row per image. */
  async start(features: Float32Array, images: number): Promise<DecoderState> {
    const L = this.gridSize;
    const D = this.featureDim;
    const out = await this.init.run({ features: new ort.Tensor('float32', features, [images, L, D]) });
    const keys = float32(out.keys, 'keys');
    return {
      rows: images,
      h: float32(out.h, 'h'),
      c: float32(out.c, 'c'),
      features,
      keys,
      keyShape: out.keys!.dims.slice(1).map(Number),
    };
  }

  async step(tokens: Int32Array, state: DecoderState): Promise<StepResult<DecoderState>> {
    const B = tokens.length;
    const H = state.h.length / state.rows;
    const C = state.c.length / state.rows;
    const L = this.gridSize;
    const out = await this.stepSession.run({
      token: new ort.Tensor(
        'int64',
        BigInt64Array.from(tokens, (t) => BigInt(t)),
        [B],
      ),
      h: new ort.Tensor('float32', state.h, [B, H]),
      c: new ort.Tensor('float32', state.c, [B, C]),
      features: new ort.Tensor('float32', state.features, [B, L, this.featureDim]),
      keys: new ort.Tensor('float32', state.keys, [B, ...state.keyShape]),
    });
    const logprobs = float32(out.logprobs, 'logprobs');
    if (logprobs.length !== B * this.vocabSize) {
      throw new CaptionerConfigError(
        `"${this.dir}/step.onnx" returned ${logprobs.length / B} log-probabilities per row; vocab.json has ${this.vocabSize} tokens`,
      );
    }
    return {
      logprobs,
      attention: float32(out.alpha, 'alpha'),
      state: {
        rows: B,
        h: float32(out.h_out, 'h_out'),
        c: float32(out.c_out, 'c_out'),
        features: state.features,
        keys: state.keys,
        keyShape: state.keyShape,
      },
    };
  }

  gather(state: DecoderState, rows: Int32Array): DecoderState {
    const n = state.rows;
    const identity = rows.length === n && rows.every((r, i) => r === i);
    if (identity) return state;
    return {
      rows: rows.length,
      h: gatherRows(state.h, state.h.length / n, rows),
      c: gatherRows(state.c, state.c.length / n, rows),
      features: gatherRows(state.features, state.features.length / n, rows),
      keys: gatherRows(state.keys, state.keys.length / n, rows),
      keyShape: state.keyShape,
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.init.release(), this.stepSession.release()]);
  }
}
