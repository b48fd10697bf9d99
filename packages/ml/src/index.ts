export * from './types';
export { CaptionerInputError, CaptionerConfigError, CaptionerDisposedError, type CaptionerInputErrorCode } from './errors';
export { preprocess, DEFAULT_MAX_PIXELS, type PreprocessOptions, type PreprocessedImage } from './preprocess';
export { beamSearch, blockedTokens, normalisedScore, type BeamDecoder, type BeamSearchConfig, type Hypothesis, type StepResult } from './decoding/beam-search';
export { detokenize, idsToWords, wordsToSentence, type SpecialTokens } from './decoding/detokenize';
export { loadVocab, loadDecoderConfig, loadEncoderConfig, loadPreprocessorConfig, type DecoderConfig, type EncoderConfig, type PreprocessorConfig } from './model-config';
export * as metrics from './metrics';
export { scoreCaptions, type CaptionMetrics, type CaptionPair } from './metrics';
