/** Shared helpers for tests that need the real models and the Flickr8k images. */
import fs from 'node:fs';
import path from 'node:path';
import { defaultDatasetsDir, defaultModelsDir } from '../env';

export const modelsDir = defaultModelsDir();
export const flickrDir = path.join(defaultDatasetsDir(), 'flickr8k');
export const flickrImagesDir = path.join(flickrDir, 'images');
export const datasetsAvailable = fs.existsSync(flickrImagesDir);

/** First `n` dev-split images (sorted by name), as absolute paths. */
export function devImages(n: number): string[] {
  const names = fs
    .readFileSync(path.join(flickrDir, 'splits', 'dev.txt'), 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
  return names.slice(0, n).map((name) => path.join(flickrImagesDir, name));
}

/** `describe` when the datasets are there; otherwise a skipped block whose title says why. */
export function describeWithDatasets(name: string, fn: () => void): void {
  if (datasetsAvailable) {
    describe(name, fn);
  } else {
    describe.skip(`${name} [skipped: Flickr8k images not found at "${flickrImagesDir}"; set PIXTALE_DATASETS_DIR]`, fn);
  }
}

/** Fails loudly (not a skip) when a committed model folder is missing. */
export function requireModel(folder: string): string {
  const dir = path.join(modelsDir, folder);
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    throw new Error(`Model "${folder}" is missing at "${dir}": it must be committed to models/ (or set PIXTALE_MODELS_DIR)`);
  }
  return dir;
}
