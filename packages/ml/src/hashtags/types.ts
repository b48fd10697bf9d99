/** What a hashtag generator sees about one image. */
export interface HashtagContext {
  /** The chosen caption. */
  caption: string;
  /** Other beam hypotheses, best first. */
  alternatives: string[];
  /**
   * The image vector: the encoder's feature regions averaged (length = the encoder's feature
   * size, 480 for encoder-centernet-mobilenetv3-ft). Optional; models that use it fall back to the
   * caption alone without it.
   */
  imageVector?: Float32Array | readonly number[];
}

/**
 * Turns a caption into hashtags. The keyword baseline lives in `keywords.ts`, the trained
 * adversarial model in `model.ts`; both implement this interface and can be passed as
 * `createCaptioner({ hashtags })`.
 */
export interface HashtagGenerator {
  readonly name: string;
  /**
   * The encoder whose averaged regions the generator was trained on (a models/ folder name). A
   * captioner with another encoder gives it no image vector (its vectors mean something else), so
   * it works from the caption alone. Undefined: the generator takes any vector, or none.
   */
  readonly encoder?: string;
  generate(context: HashtagContext): string[] | Promise<string[]>;
  /** Releases model memory, when the generator holds any. */
  dispose?(): Promise<void>;
}
