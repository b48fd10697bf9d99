/** What a hashtag generator sees about one image. */
export interface HashtagContext {
  /** The chosen caption. */
  caption: string;
  /** Other beam hypotheses, best first. */
  alternatives: string[];
}

/**
 * Turns a caption into hashtags. The keyword baseline lives in `keywords.ts`; a trained model can
 * implement the same interface and be passed as `createCaptioner({ hashtags })`.
 */
export interface HashtagGenerator {
  readonly name: string;
  generate(context: HashtagContext): string[] | Promise<string[]>;
}
