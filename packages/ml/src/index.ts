export * from './types';
export { CaptionerInputError, CaptionerConfigError, CaptionerDisposedError, type CaptionerInputErrorCode } from './errors';
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
export { createCaptioner, listCaptionModels, DEFAULT_MODEL } from './captioner';
export { Encoder } from './encoder';
export { Decoder, type DecoderState } from './decoder';
export { keywordHashtags, createKeywordHashtagger, type KeywordHashtagOptions } from './hashtags/keywords';
export type { HashtagContext, HashtagGenerator } from './hashtags/types';
export { authorHashtags, mergeHashtags } from './hashtags/author';
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
export {
  createTranslator,
  translateCaption,
  disposeSharedTranslator,
  listTranslationModels,
  splitSentences,
  TranslationInputError,
  DEFAULT_TRANSLATION_MODEL,
  type Translator,
  type Translation,
  type TranslateOptions,
  type TranslatorOptions,
  type TranslationInputErrorCode,
} from './translation/translator';
export { sacreBleu, tokenize13a, type SacreBleuResult } from './metrics/sacrebleu';
