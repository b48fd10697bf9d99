import path from 'node:path';
import { z } from 'zod';

/** The only place @pixtale/ml reads process.env. Parsed lazily so tests can set variables first. */
const envSchema = z.object({
  PIXTALE_MODELS_DIR: z.string().min(1).optional(),
  PIXTALE_DATASETS_DIR: z.string().min(1).optional(),
  /** Set by npm to the directory `npm run` was called from (scripts themselves run in the package). */
  INIT_CWD: z.string().min(1).optional(),
});

export type MlEnv = z.infer<typeof envSchema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): MlEnv {
  return envSchema.parse({
    PIXTALE_MODELS_DIR: source.PIXTALE_MODELS_DIR || undefined,
    PIXTALE_DATASETS_DIR: source.PIXTALE_DATASETS_DIR || undefined,
    INIT_CWD: source.INIT_CWD || undefined,
  });
}

/** Repo root, found from this file's location (src/ or dist/ inside packages/ml). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Folder holding `encoder-*` and `captioner-*` model folders. */
export function defaultModelsDir(env: MlEnv = readEnv()): string {
  return path.resolve(env.PIXTALE_MODELS_DIR ?? path.join(repoRoot, 'models'));
}

/** Folder holding shared datasets (`flickr8k/`); default `../shared/datasets` from the repo root. */
export function defaultDatasetsDir(env: MlEnv = readEnv()): string {
  return path.resolve(repoRoot, env.PIXTALE_DATASETS_DIR ?? path.join('..', 'shared', 'datasets'));
}

/** Where the user ran the command: npm's INIT_CWD when started through `npm run`, else the cwd. */
export function invocationDir(env: MlEnv = readEnv()): string {
  return env.INIT_CWD ?? process.cwd();
}
