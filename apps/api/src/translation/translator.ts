import type { Translator } from '@pixtale/ml';
import { loadMl } from '../caption/captioner';

/** The translation model the API loads from PIXTALE_MODELS_DIR (@pixtale/ml's DEFAULT_TRANSLATION_MODEL). */
export const TRANSLATION_MODEL = 'translate-multi30k';

/** What the translation worker needs from @pixtale/ml's public `Translator`, plus the model's name. */
export type TranslatorLike = Pick<Translator, 'languages' | 'translate' | 'dispose'> & { readonly modelName: string };

export type TranslatorProvider = (() => Promise<TranslatorLike>) & {
  /** Why the translator cannot be loaded here (no weights yet...), or null when it can be tried. */
  unavailableReason(): string | null;
  dispose(): Promise<void>;
};

export interface TranslatorOptions {
  modelsDir: string;
  model?: string;
  /** onnxruntime intra-op threads (default 1: translation runs beside captioning). */
  threads?: number;
}

/**
 * Whether the real translator can be loaded: @pixtale/ml is built and its `modelAvailability` finds a
 * complete export of the model. Null when it can; else the reason.
 */
export function translatorUnavailableReason(modelsDir: string, model = TRANSLATION_MODEL): string | null {
  const ml = loadMl();
  return typeof ml === 'string' ? ml : ml.modelAvailability(modelsDir, { translationModel: model }).translation.reason;
}

/**
 * Lazily creates the translator once per process and caches the promise. A failed load is not
 * cached, so a later job tries again (e.g. once the weights land in models/).
 */
export function lazyTranslator(opts: TranslatorOptions): TranslatorProvider {
  const model = opts.model ?? TRANSLATION_MODEL;
  let pending: Promise<TranslatorLike> | null = null;
  const get = () => {
    // Imported on first use: the API starts (and its model-free tests run) without loading onnxruntime.
    pending ??= import('@pixtale/ml')
      .then((ml) => ml.createTranslator({ modelsDir: opts.modelsDir, model, threads: opts.threads ?? 1 }))
      .then((t): TranslatorLike => Object.assign(t, { modelName: model }))
      .catch((e: unknown) => {
        pending = null;
        throw e;
      });
    return pending;
  };
  // Looking at the model's files takes about 0.1 ms, and translationStatus asks for every post whose
  // translations are pending (and shared results for every request): the answer is kept for 5 s.
  let availability = { at: -Infinity, reason: null as string | null };
  return Object.assign(get, {
    unavailableReason: () => {
      const now = Date.now();
      if (now - availability.at > 5000) availability = { at: now, reason: translatorUnavailableReason(opts.modelsDir, model) };
      return availability.reason;
    },
    async dispose() {
      const p = pending;
      pending = null;
      if (p) await (await p.catch(() => null))?.dispose();
    },
  });
}
