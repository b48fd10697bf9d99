/** Public types of @pixtale/ml: what the API's caption worker and the CLI rely on. */

export type ImageInput = string | Buffer;

export interface CaptionOptions {
  /** Beam width; 1 is greedy decoding. Default: the model's config.json "generation". */
  beamSize?: number;
  /** Maximum words in a caption. */
  maxLength?: number;
  /** How many beam alternatives to return besides the best caption. Default: the model's config.json. */
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
  /**
   * Milliseconds. `encodeMs` and `decodeMs` are the batch's time divided by the images in it;
   * `totalMs` = preprocess + encode + decode; `queueMs` is the wait for the model behind other calls.
   */
  timings: { preprocessMs: number; encodeMs: number; decodeMs: number; totalMs: number; queueMs?: number };
}

export interface CaptionerOptions {
  /** Folder holding the model folders (default: the repo's models/). */
  modelsDir?: string;
  /** Decoder model folder name inside modelsDir (default: the shipped attention model). */
  model?: string;
  /** onnxruntime intra-op threads (default: all cores). */
  threads?: number;
  /** Largest image accepted, in pixels, checked before decoding (default 50 MP). */
  maxPixels?: number;
  /** Hashtag generator (default: the keyword baseline); `false` for none. */
  hashtags?: import('./hashtags/types').HashtagGenerator | false;
  /** Length-normalisation exponent alpha of beam search (default: the model's config.json "generation"). */
  lengthPenalty?: number;
  /** Block repeated n-grams of this size; 0 turns it off (default: the model's config.json "generation"). */
  noRepeatNgramSize?: number;
  /**
   * Consensus re-ranking: how many nearest training images vote for the caption among the beam's
   * candidates; 0 turns it off (default: the model's config.json "generation"; needs the model's
   * neighbours.bin/json).
   */
  consensusNeighbours?: number;
  /** Weight of the decoder's own score beside the neighbours' agreement (default: config.json). */
  consensusModelWeight?: number;
  /** Other captioner folders decoded together with this one, probabilities averaged; [] for the model alone (default: config.json). */
  ensemble?: string[];
}

/** One image's outcome in `captionBatchSettled`: a result, or the error that image alone caused. */
export type CaptionOutcome = { ok: true; result: CaptionResult } | { ok: false; error: Error };

export interface Captioner {
  readonly modelName: string;
  caption(image: ImageInput, options?: CaptionOptions): Promise<CaptionResult>;
  captionBatch(images: ImageInput[], options?: CaptionOptions): Promise<CaptionResult[]>;
  /** Like `captionBatch`, but a bad image fails only its own entry. */
  captionBatchSettled(images: ImageInput[], options?: CaptionOptions): Promise<CaptionOutcome[]>;
  /**
   * Hashtags for a caption someone else wrote (an edit): the caption's own `#tags` as written,
   * then the hashtag model's suggestions from the image and that caption. `[]` without a hashtagger.
   */
  suggestHashtags(image: ImageInput, caption: string): Promise<string[]>;
  dispose(): Promise<void>;
}
