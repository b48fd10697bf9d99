/**
 * `@pixtale/ml/tools`: the building blocks the CLIs, bench, eval scripts and tests use (pre-processing,
 * beam search, raw encoder/decoder sessions, hashtag models, metrics). Not for the app: it uses the
 * main entry (`@pixtale/ml`).
 */
export { preprocess, DEFAULT_MAX_PIXELS, type PreprocessOptions, type PreprocessedImage } from './preprocess';
export {
  beamSearch,
  blockedTokens,
  normalisedScore,
  type BeamDecoder,
  type BeamSearchConfig,
  type Hypothesis,
  type StepResult,
} from './decoding/beam-search';
export { EnsembleDecoder } from './decoding/ensemble';
export { detokenize, idsToWords, wordsToSentence, type SpecialTokens } from './decoding/detokenize';
export {
  loadVocab,
  loadDecoderConfig,
  loadEncoderConfig,
  loadPreprocessorConfig,
  type DecoderConfig,
  type EncoderConfig,
  type PreprocessorConfig,
} from './model-config';
export * as metrics from './metrics';
export { scoreCaptions, type CaptionMetrics, type CaptionPair } from './metrics';
// The captioner with its encoder and decoder sessions exposed (the main entry's hides them).
export { createCaptioner, listCaptionModels } from './captioner';
export { DEFAULT_MODEL, DEFAULT_TRANSLATION_MODEL } from './model-availability';
export { Encoder } from './encoder';
export { Decoder, type DecoderState } from './decoder';
export { keywordHashtags, createKeywordHashtagger, type KeywordHashtagOptions } from './hashtags/keywords';
export { mergeHashtags } from './hashtags/author';
export { defaultModelsDir, defaultDatasetsDir } from './env';
export {
  createHashtagger,
  defaultHashtagger,
  meanRegions,
  DEFAULT_HASHTAG_MODEL,
  type HashtaggerOptions,
  type ModelHashtagger,
  type RankedTag,
} from './hashtags/model';
export { translateCaption, disposeSharedTranslator, listTranslationModels, splitSentences } from './translation/translator';
export { sacreBleu, tokenize13a, type SacreBleuResult } from './metrics/sacrebleu';
