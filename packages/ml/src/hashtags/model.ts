import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defaultModelsDir } from '../env';
import { CaptionerConfigError } from '../errors';
import { Mutex } from '../mutex';
import { float32, loadSession, ort } from '../onnx';
import { blocklistSchema, shippedBlocklist } from './blocklist';
import { createKeywordHashtagger, lemmaKey } from './keywords';
import type { HashtagContext, HashtagGenerator } from './types';

export const DEFAULT_HASHTAG_MODEL = 'hashtags-gan';

/** `hashtags-NAME/config.json`. */
const configSchema = z.object({
  architecture: z.string(),
  encoder: z.string(),
  imageDim: z.number().int().positive(),
  wordPattern: z.string(),
  /** Tags scoring at least this are returned (between minTags and maxTags of them). */
  threshold: z.number().min(0).max(1),
  minTags: z.number().int().min(1),
  maxTags: z.number().int().min(1),
  /** Words never suggested (the shipped list when a model's config lacks one). */
  blocklist: blocklistSchema.optional(),
});
const vocabSchema = z.object({ tags: z.array(z.string()).min(1), words: z.array(z.string()).min(1) });

export interface HashtaggerOptions {
  modelsDir?: string;
  /** Model folder name (default "hashtags-gan"). */
  model?: string;
  threads?: number;
  /** Fewest tags returned (default from config.json, 3). */
  min?: number;
  /** Most tags returned (default from config.json, 10). */
  max?: number;
  /** Score a tag needs beyond the first `min` (default from config.json). */
  threshold?: number;
  /** Extra words never to tag. */
  blocklist?: Iterable<string>;
}

export interface RankedTag {
  tag: string;
  score: number;
}

export interface ModelHashtagger extends HashtagGenerator {
  /** All tags the model knows, best first, after the blocklist and near-duplicate folding. */
  rank(context: HashtagContext, limit?: number): Promise<RankedTag[]>;
  dispose(): Promise<void>;
}

/** Mean of one image's feature regions: `features` is [images, regions, dim] row-major. */
export function meanRegions(features: Float32Array, image: number, regions: number, dim: number): Float32Array {
  const out = new Float32Array(dim);
  const base = image * regions * dim;
  for (let r = 0; r < regions; r++) {
    const off = base + r * dim;
    for (let d = 0; d < dim; d++) out[d]! += features[off + d]!;
  }
  for (let d = 0; d < dim; d++) out[d]! /= regions;
  return out;
}

class OnnxHashtagger implements ModelHashtagger {
  readonly name: string;
  readonly encoder: string;
  private readonly wordIndex: Map<string, number>;
  private readonly wordRe: RegExp;
  private readonly blocked: Set<string>;
  private readonly lock = new Mutex();
  private disposed = false;

  constructor(
    model: string,
    private readonly config: z.infer<typeof configSchema>,
    private readonly tags: string[],
    words: string[],
    private readonly session: ort.InferenceSession,
    private readonly limits: { min: number; max: number; threshold: number },
    blocklist: Iterable<string>,
  ) {
    this.name = model;
    this.encoder = config.encoder;
    this.wordIndex = new Map(words.map((w, i) => [w, i]));
    this.wordRe = new RegExp(config.wordPattern, 'g');
    this.blocked = new Set([...(config.blocklist ?? shippedBlocklist()), ...blocklist]);
  }

  private async scores(context: HashtagContext): Promise<Float32Array> {
    if (this.disposed) throw new CaptionerConfigError('Hashtagger has been disposed; create a new one with createHashtagger()');
    const dim = this.config.imageDim;
    const image = new Float32Array(dim);
    const vec = context.imageVector;
    if (vec && vec.length > 0) {
      if (vec.length !== dim) {
        throw new CaptionerConfigError(
          `imageVector has ${vec.length} values; ${this.name} expects ${dim} (the ${this.config.encoder} feature size)`,
        );
      }
      for (let i = 0; i < dim; i++) {
        const v = Number(vec[i]);
        image[i] = Number.isFinite(v) ? v : 0;
      }
    }
    const words = new Float32Array(this.wordIndex.size);
    for (const w of String(context.caption ?? '')
      .toLowerCase()
      .match(this.wordRe) ?? []) {
      const i = this.wordIndex.get(w);
      if (i !== undefined) words[i] = 1;
    }
    const out = await this.lock.run(() =>
      this.session.run({
        image: new ort.Tensor('float32', image, [1, dim]),
        words: new ort.Tensor('float32', words, [1, words.length]),
      }),
    );
    return float32(out.scores, 'scores');
  }

  async rank(context: HashtagContext, limit = Infinity): Promise<RankedTag[]> {
    const scores = await this.scores(context);
    const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
    const out: RankedTag[] = [];
    const keys = new Set<string>();
    for (const i of order) {
      if (out.length >= limit) break;
      const tag = this.tags[i]!;
      if (!/^[a-z0-9]+$/.test(tag) || this.blocked.has(tag)) continue;
      const key = lemmaKey(tag);
      if (keys.has(key) || this.blocked.has(key)) continue;
      keys.add(key);
      out.push({ tag, score: scores[i]! });
    }
    return out;
  }

  /** 3-10 `#tags`: every tag scoring at least the threshold, topped up to the minimum with the best others. */
  async generate(context: HashtagContext): Promise<string[]> {
    const { min, max, threshold } = this.limits;
    if (!String(context.caption ?? '').trim() && !(context.imageVector && context.imageVector.length)) return [];
    const ranked = await this.rank(context, max);
    return ranked.filter((t, i) => i < min || t.score >= threshold).map((t) => `#${t.tag}`);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.lock.run(() => this.session.release());
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CaptionerConfigError(`Cannot read "${file}" (re-export the hashtag model or set PIXTALE_MODELS_DIR)`, {
      cause: err,
    });
  }
}

/** Loads the adversarially trained hashtag model (models/hashtags-gan). */
export async function createHashtagger(options: HashtaggerOptions = {}): Promise<ModelHashtagger> {
  const modelsDir = path.resolve(options.modelsDir ?? defaultModelsDir());
  const model = options.model ?? DEFAULT_HASHTAG_MODEL;
  const dir = path.join(modelsDir, model);
  if (!/^[A-Za-z0-9._-]+$/.test(model) || !fs.existsSync(path.join(dir, 'config.json'))) {
    throw new CaptionerConfigError(
      `Hashtag model not found at "${dir}" (set PIXTALE_MODELS_DIR or pass modelsDir/model, or use createKeywordHashtagger())`,
    );
  }
  const config = configSchema.safeParse(readJson(path.join(dir, 'config.json')));
  if (!config.success) throw new CaptionerConfigError(`"${dir}/config.json" is invalid: ${z.prettifyError(config.error)}`);
  const vocab = vocabSchema.safeParse(readJson(path.join(dir, 'vocab.json')));
  if (!vocab.success) throw new CaptionerConfigError(`"${dir}/vocab.json" is invalid: ${z.prettifyError(vocab.error)}`);
  const min = options.min ?? config.data.minTags;
  const max = options.max ?? config.data.maxTags;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max >= min && max <= 30)) {
    throw new CaptionerConfigError(`Invalid hashtag limits min=${min} max=${max} (need integers 1 <= min <= max <= 30)`);
  }
  const threshold = options.threshold ?? config.data.threshold;
  const session = await loadSession(
    path.join(dir, 'model.onnx'),
    { inputs: ['image', 'words'], outputs: ['scores'] },
    { threads: options.threads ?? 1 },
  );
  return new OnnxHashtagger(
    model,
    config.data,
    vocab.data.tags,
    vocab.data.words,
    session,
    { min, max, threshold },
    options.blocklist ?? [],
  );
}

/** The trained model when `modelsDir/hashtags-gan` exists, else the keyword baseline. */
export async function defaultHashtagger(
  options: Pick<HashtaggerOptions, 'modelsDir' | 'threads'> = {},
): Promise<HashtagGenerator> {
  const modelsDir = path.resolve(options.modelsDir ?? defaultModelsDir());
  if (fs.existsSync(path.join(modelsDir, DEFAULT_HASHTAG_MODEL, 'config.json'))) return createHashtagger(options);
  return createKeywordHashtagger();
}
