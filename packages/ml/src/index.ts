/**
 * `@pixtale/ml`: what the app calls. Loading this entry is cheap (no onnxruntime, no sharp): the
 * runtime is loaded by the first `createCaptioner`/`createTranslator`. Building blocks for the CLIs,
 * bench and eval scripts are in `@pixtale/ml/tools`.
 */
import type { Captioner, CaptionerOptions } from './types';
import type { Translator, TranslatorOptions } from './translation/translator';

export type * from './types';
export type { HashtagContext, HashtagGenerator } from './hashtags/types';
export type { Translator, Translation, TranslateOptions, TranslatorOptions } from './translation/translator';
export {
  CaptionerInputError,
  CaptionerConfigError,
  CaptionerDisposedError,
  TranslationInputError,
  type CaptionerInputErrorCode,
  type TranslationInputErrorCode,
} from './errors';
export {
  modelAvailability,
  DEFAULT_MODEL,
  DEFAULT_TRANSLATION_MODEL,
  type ModelAvailability,
  type ModelAvailabilityOptions,
  type ModelStatus,
} from './model-availability';
export { authorHashtags } from './hashtags/author';

/**
 * Loads the encoder and a caption decoder once and returns a captioner:
 * `createCaptioner({ modelsDir, model: 'captioner-att-lstm' })`. Defaults from PIXTALE_MODELS_DIR or the repo's models/.
 */
export async function createCaptioner(options?: CaptionerOptions): Promise<Captioner> {
  return (await import('./captioner')).createCaptioner(options);
}

/** Loads the English → de/fr/cs caption translator once: `const t = await createTranslator(); await t.translate(text, 'de')`. */
export async function createTranslator(options?: TranslatorOptions): Promise<Translator> {
  return (await import('./translation/translator')).createTranslator(options);
}
