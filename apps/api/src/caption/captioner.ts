import fs from 'node:fs';
import path from 'node:path';

/**
 * The slice of @pixtale/ml's public API the worker uses (mirrors packages/ml/src/types.ts:
 * `createCaptioner({ modelsDir })` then `captioner.caption(pathOrBuffer, { beamSize, alternatives })`).
 * Declared here so the API builds even while @pixtale/ml is being built.
 */
export interface CaptionerResult {
  caption: string;
  alternatives: { text: string; score: number }[];
  attention: { gridWidth: number; gridHeight: number; words: { word: string; weights: number[] }[] };
  hashtags: string[];
  timings: { preprocessMs: number; encodeMs: number; decodeMs: number; totalMs: number };
}
export interface CaptionerLike {
  readonly modelName: string;
  caption(image: string | Buffer, options?: { beamSize?: number; alternatives?: number; maxLength?: number }): Promise<CaptionerResult>;
  dispose(): Promise<void>;
}
interface MlModule {
  createCaptioner(options: { modelsDir?: string; model?: string; threads?: number }): Promise<CaptionerLike>;
}

export interface CaptionerOptions {
  modelsDir: string;
  model?: string;
  threads?: number;
}

export type CaptionerProvider = () => Promise<CaptionerLike>;

/** Loads @pixtale/ml at run time (a variable specifier keeps the API building without it). */
async function loadMl(): Promise<MlModule> {
  const specifier = '@pixtale/ml';
  const mod = (await import(specifier)) as Partial<MlModule> & { default?: Partial<MlModule> };
  const create = mod.createCaptioner ?? mod.default?.createCaptioner;
  if (typeof create !== 'function') {
    throw new Error('@pixtale/ml does not export createCaptioner yet (build packages/ml: npm run build -w @pixtale/ml)');
  }
  return { createCaptioner: create };
}

/**
 * Lazily creates the captioner once per process and caches the promise. A failed load is
 * not cached, so a later job retries (e.g. once the model files land in models/).
 */
export function lazyCaptioner(opts: CaptionerOptions): CaptionerProvider & { dispose(): Promise<void> } {
  let pending: Promise<CaptionerLike> | null = null;
  const get = () => {
    pending ??= loadMl()
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
    .some((d) => fs.existsSync(path.join(modelsDir, d, 'config.json')) && !d.startsWith('encoder'));
  if (!hasDecoder) return `no caption decoder model in ${modelsDir} yet`;
  return null;
}
