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
 * Whether the real captioner can be tried here: @pixtale/ml is built and its `modelAvailability`
 * finds the caption model's files. Tests and the bench use it to say *why* they skip; it never fakes a caption.
 */
export function captionerUnavailableReason(modelsDir: string, model?: string): string | null {
  const ml = loadMl();
  return typeof ml === 'string' ? ml : ml.modelAvailability(modelsDir, { captionModel: model }).caption.reason;
}

/**
 * @pixtale/ml's main entry, or why it cannot be loaded. Cheap: that entry loads onnxruntime only
 * when a captioner or translator is created.
 */
export function loadMl(): typeof import('@pixtale/ml') | string {
  try {
    require.resolve('@pixtale/ml');
  } catch {
    return '@pixtale/ml is not built (npm run build -w @pixtale/ml)';
  }
  // Synchronous on purpose: callers ask per request/test, and ml may legitimately be unbuilt.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@pixtale/ml') as typeof import('@pixtale/ml');
}
