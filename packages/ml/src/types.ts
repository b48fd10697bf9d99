/** Public types of @pixtale/ml: what the API's caption worker and the CLI rely on. */

export type ImageInput = string | Buffer;

export interface CaptionOptions {
  /** Beam width; 1 is greedy decoding. */
  beamSize?: number;
  /** Maximum words in a caption. */
  maxLength?: number;
  /** How many beam alternatives to return besides the best caption. */
  alternatives?: number;
}

export interface CaptionAlternative {
  text: string;
  /** Length-normalised log-probability of the sentence (higher is better). */
  score: number;
}

export interface WordAttention {
  word: string;
  /** Attention weights over the encoder grid, row-major, gridHeight x gridWidth, summing to 1. */
  weights: number[];
}

export interface CaptionResult {
  caption: string;
  alternatives: CaptionAlternative[];
  attention: { gridWidth: number; gridHeight: number; words: WordAttention[] };
  hashtags: string[];
  timings: { preprocessMs: number; encodeMs: number; decodeMs: number; totalMs: number };
}

export interface CaptionerOptions {
  /** Folder holding the model folders (default: the repo's models/). */
  modelsDir?: string;
  /** Decoder model folder name inside modelsDir (default: the shipped attention model). */
  model?: string;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
}

export interface Captioner {
  readonly modelName: string;
  caption(image: ImageInput, options?: CaptionOptions): Promise<CaptionResult>;
  captionBatch(images: ImageInput[], options?: CaptionOptions): Promise<CaptionResult[]>;
  dispose(): Promise<void>;
}
