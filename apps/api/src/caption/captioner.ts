import fs from 'node:fs';
import path from 'node:path';

import type { Captioner } from '@pixtale/ml';

/** What the worker and caption edits need from @pixtale/ml's public `Captioner`. */
export type CaptionerLike = Pick<Captioner, 'modelName' | 'caption' | 'suggestHashtags' | 'dispose'>;

export interface CaptionerOptions {
  modelsDir: string;
  model?: string;
  threads?: number;
}

export type CaptionerProvider = () => Promise<CaptionerLike>;

/**
 * Lazily creates the captioner once per process and caches the promise. A failed load is
 * not cached, so a later job retries (e.g. once the model files land in models/).
 */
export function lazyCaptioner(opts: CaptionerOptions): CaptionerProvider & { dispose(): Promise<void> } {
  let pending: Promise<CaptionerLike> | null = null;
  const get = () => {
    // Imported on first use: the API starts (and its model-free tests run) without loading onnxruntime.
    pending ??= import('@pixtale/ml')
      .then((ml) => ml.createCaptioner({ modelsDir: opts.modelsDir, model: opts.model, threads: opts.threads }))
      .catch((e: unknown) => {
        pending = null;
        throw e;
      });
    return pending;
  };
  return Object.assign(get, {
    async dispose() {
      const p = pending;
      pending = null;
      if (p) await (await p.catch(() => null))?.dispose();
    },
  });
}

/**
 * Whether the real captioner can be tried here: @pixtale/ml is built and the models folder
 * has files. Tests and the bench use it to say *why* they skip; it never fakes a caption.
 */
export function captionerUnavailableReason(modelsDir: string): string | null {
  try {
    require.resolve('@pixtale/ml');
  } catch {
    return '@pixtale/ml is not built (npm run build -w @pixtale/ml)';
  }
  if (!fs.existsSync(modelsDir) || fs.readdirSync(modelsDir).filter((f) => !f.startsWith('.')).length === 0) {
    return `no trained model in ${modelsDir} (set PIXTALE_MODELS_DIR)`;
  }
  const hasDecoder = fs
    .readdirSync(modelsDir)
    .some((d) => d.startsWith('captioner-') && fs.existsSync(path.join(modelsDir, d, 'config.json')));
  if (!hasDecoder) return `no trained caption model (models/captioner-*) in ${modelsDir} yet`;
  return null;
}
