import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { Decoder, type DecoderState } from './decoder';
import { beamSearch, type Hypothesis } from './decoding/beam-search';
import { NeighbourConsensus } from './decoding/consensus';
import { EnsembleDecoder } from './decoding/ensemble';
import { idsToWords, wordsToSentence } from './decoding/detokenize';
import { Encoder } from './encoder';
import { defaultModelsDir } from './env';
import { CaptionerConfigError, CaptionerDisposedError } from './errors';
import { mergeHashtags } from './hashtags/author';
import { defaultHashtagger, meanRegions } from './hashtags/model';
import type { HashtagGenerator } from './hashtags/types';
import { DEFAULT_MODEL } from './model-availability';
import { generationConfigSchema, type GenerationConfig } from './model-config';
import { Mutex } from './mutex';
import { defaultThreads } from './onnx';
import { preprocess, type PreprocessedImage } from './preprocess';
import type {
  CaptionOptions,
  CaptionOutcome,
  CaptionResult,
  Captioner,
  CaptionerOptions,
  ImageInput,
  WordAttention,
} from './types';

export { DEFAULT_MODEL };

/** Used only for keys a model's config.json "generation" lacks (exports older than those settings). */
const FALLBACK_GENERATION: Required<GenerationConfig> = {
  beamSize: 3,
  alternatives: 3,
  lengthPenalty: 0.7,
  noRepeatNgramSize: 3,
  consensusNeighbours: 0,
  consensusModelWeight: 0,
  ensemble: [],
};

/** The settings a captioner decodes with: the caller's, else the model's config.json, else the fallback. */
export function generationSettings(
  model: GenerationConfig | undefined,
  overrides: GenerationConfig = {},
): Required<GenerationConfig> {
  const out = { ...FALLBACK_GENERATION };
  for (const source of [model ?? {}, overrides]) {
    for (const [key, value] of Object.entries(source)) {
      if (value !== undefined) Object.assign(out, { [key]: value });
    }
  }
  return { ...out, ensemble: [...out.ensemble] };
}

const hashtagGeneratorSchema = z.custom<HashtagGenerator>(
  (v) => typeof v === 'object' && v !== null && typeof (v as HashtagGenerator).generate === 'function',
  'must be an object with a generate(context) method, or false',
);

const optionsSchema = z
  .object({
    modelsDir: z.string().min(1).optional(),
    model: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'must be a model folder name like "captioner-att-lstm" or "att-lstm"')
      .optional(),
    threads: z.number().int().min(1).max(64).optional(),
    maxPixels: z.number().int().positive().optional(),
    hashtags: z.union([z.literal(false), hashtagGeneratorSchema]).optional(),
    lengthPenalty: z.number().min(0).max(5).optional(),
    noRepeatNgramSize: z.number().int().min(0).max(10).optional(),
    consensusNeighbours: z.number().int().min(0).max(500).optional(),
    consensusModelWeight: z.number().min(0).max(100).optional(),
    ensemble: generationConfigSchema.shape.ensemble,
  })
  .strict();

const captionOptionsSchema = z
  .object({
    beamSize: z.number().int().min(1).max(20).optional(),
    maxLength: z.number().int().min(1).max(100).optional(),
    alternatives: z.number().int().min(0).max(20).optional(),
  })
  .strict();

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new CaptionerConfigError(`Invalid ${what}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function listModels(modelsDir: string, prefix: string): string[] {
  try {
    return fs
      .readdirSync(modelsDir)
      .filter((name) => name.startsWith(prefix) && fs.statSync(path.join(modelsDir, name)).isDirectory())
      .sort();
  } catch {
    return [];
  }
}

/** Models available in `modelsDir` (folders named `captioner-*`). */
export function listCaptionModels(modelsDir = defaultModelsDir()): string[] {
  return listModels(modelsDir, 'captioner-');
}

function resolveModelDir(modelsDir: string, name: string, kind: 'captioner' | 'encoder'): string {
  const candidates = name.startsWith(`${kind}-`) ? [name] : [`${kind}-${name}`, name];
  for (const c of candidates) {
    const dir = path.join(modelsDir, c);
    if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  }
  const available = listModels(modelsDir, `${kind}-`);
  throw new CaptionerConfigError(
    `Model not found at "${shown(path.join(modelsDir, candidates[0]!))}" (set PIXTALE_MODELS_DIR or pass modelsDir/model; ` +
      `available: ${available.length ? available.join(', ') : 'none'})`,
  );
}

function renormalise(row: Float32Array, size: number): number[] {
  if (row.length !== size) return new Array<number>(size).fill(1 / size);
  let sum = 0;
  for (const v of row) sum += v;
  if (!(sum > 0) || !Number.isFinite(sum)) return new Array<number>(size).fill(1 / size);
  return Array.from(row, (v) => v / sum);
}

class OnnxCaptioner implements Captioner {
  private readonly lock = new Mutex();
  private disposed = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    readonly modelName: string,
    readonly encoder: Encoder,
    readonly decoder: Decoder,
    private readonly settings: z.infer<typeof optionsSchema>,
    /** Beam size, alternatives, length penalty and n-gram blocking this captioner decodes with. */
    readonly generation: Required<GenerationConfig>,
    private readonly hashtagger: HashtagGenerator | undefined,
    /** True when createCaptioner loaded the hashtagger (then dispose() releases it). */
    private readonly ownsHashtagger = false,
    /** The model's neighbour index (consensus re-ranking), when it ships one. */
    private readonly consensus: NeighbourConsensus | null = null,
    /** Decoders of the other ensemble members (generation.ensemble), beside `decoder`. */
    private readonly members: readonly Decoder[] = [],
    /** False when the hashtagger was trained on another encoder's vectors: it then gets none. */
    private readonly hashtagsSeeImage = true,
  ) {}

  async caption(image: ImageInput, options?: CaptionOptions): Promise<CaptionResult> {
    const [outcome] = await this.captionBatchSettled([image], options);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.result;
  }

  async captionBatch(images: ImageInput[], options?: CaptionOptions): Promise<CaptionResult[]> {
    const outcomes = await this.captionBatchSettled(images, options);
    return outcomes.map((o) => {
      if (!o.ok) throw o.error;
      return o.result;
    });
  }

  async captionBatchSettled(images: ImageInput[], options?: CaptionOptions): Promise<CaptionOutcome[]> {
    if (this.disposed) throw new CaptionerDisposedError();
    const work = this.settled(images, options);
    this.inflight.add(work);
    try {
      return await work;
    } finally {
      this.inflight.delete(work);
    }
  }

  async suggestHashtags(image: ImageInput, caption: string): Promise<string[]> {
    if (this.disposed) throw new CaptionerDisposedError();
    if (typeof caption !== 'string') throw new CaptionerConfigError('suggestHashtags expects the caption as a string');
    const work = (async () => {
      if (!this.hashtagger || !caption.trim()) return mergeHashtags(caption, []);
      let imageVector: Float32Array | undefined;
      if (this.hashtagsSeeImage) {
        const pre = await preprocess(image, this.encoder.preprocessor, { maxPixels: this.settings.maxPixels });
        const features = await this.lock.run(() => this.encoder.run([pre.pixels]));
        imageVector = meanRegions(features, 0, this.encoder.gridSize, this.encoder.config.featureDim);
      }
      // The model reads words: "#beach at sunset" is "beach at sunset" to it.
      const suggested = await this.hashtagger.generate({ caption: caption.replace(/#/g, ' '), alternatives: [], imageVector });
      return mergeHashtags(caption, suggested);
    })();
    this.inflight.add(work);
    try {
      return await work;
    } finally {
      this.inflight.delete(work);
    }
  }

  private async settled(images: ImageInput[], options?: CaptionOptions): Promise<CaptionOutcome[]> {
    if (!Array.isArray(images)) throw new CaptionerConfigError('captionBatch expects an array of file paths or Buffers');
    const opts = parseOrThrow(
      captionOptionsSchema,
      options,
      'caption options (beamSize 1-20, maxLength 1-100, alternatives 0-20)',
    );
    const beamSize = opts.beamSize ?? this.generation.beamSize;
    const maxLength = opts.maxLength ?? this.decoder.config.maxLength;
    const alternatives = opts.alternatives ?? this.generation.alternatives;

    // Decoding runs on libvips threads, outside the model lock.
    const prepared = await Promise.all(
      images.map(async (img) => {
        const t0 = performance.now();
        try {
          const pre = await preprocess(img, this.encoder.preprocessor, { maxPixels: this.settings.maxPixels });
          return { ok: true as const, pre, ms: performance.now() - t0 };
        } catch (error) {
          return { ok: false as const, error: error as Error };
        }
      }),
    );
    const good = prepared.flatMap((p, i) => (p.ok ? [{ index: i, pre: p.pre, ms: p.ms }] : []));
    const outcomes: CaptionOutcome[] = prepared.map((p) => (p.ok ? (undefined as never) : { ok: false, error: p.error }));
    if (good.length === 0) return outcomes;

    const queued = performance.now();
    const decoded = await this.lock.run(async () => {
      const start = performance.now();
      const hyps = await this.run(
        good.map((g) => g.pre),
        { beamSize, maxLength, numReturn: Math.max(beamSize, alternatives + 1) * 2 },
      );
      return { ...hyps, queueMs: start - queued };
    });

    for (let k = 0; k < good.length; k++) {
      const { index, ms } = good[k]!;
      const encodeMs = decoded.encodeMs / good.length;
      const decodeMs = decoded.decodeMs / good.length;
      const imageVector = meanRegions(decoded.features, k, this.encoder.gridSize, this.encoder.config.featureDim);
      const result = await this.toResult(decoded.hypotheses[k]!, alternatives, imageVector);
      outcomes[index] = {
        ok: true,
        result: {
          ...result,
          timings: { preprocessMs: ms, encodeMs, decodeMs, totalMs: ms + encodeMs + decodeMs, queueMs: decoded.queueMs },
        },
      };
    }
    return outcomes;
  }

  /** Encoder + beam search for already preprocessed images (caller holds the lock). */
  private async run(
    images: PreprocessedImage[],
    cfg: { beamSize: number; maxLength: number; numReturn: number },
  ): Promise<{ hypotheses: Hypothesis[][]; encodeMs: number; decodeMs: number; features: Float32Array }> {
    const t0 = performance.now();
    const features = await this.encoder.run(images.map((i) => i.pixels));
    const t1 = performance.now();
    const { bos, eos, pad, unk } = this.decoder.config;
    // A lone decoder is an ensemble of one (its log-probabilities pass through unchanged).
    const decoders = [this.decoder, ...this.members];
    const states: DecoderState[] = [];
    for (const d of decoders) states.push(await d.start(features, images.length));
    const hypotheses = await beamSearch(new EnsembleDecoder(decoders), states, images.length, {
      beamSize: cfg.beamSize,
      maxLength: cfg.maxLength,
      numReturn: cfg.numReturn,
      bos,
      eos,
      bannedTokens: [pad, unk],
      lengthPenalty: this.generation.lengthPenalty,
      noRepeatNgramSize: this.generation.noRepeatNgramSize,
      blockImmediateRepeat: true,
    });
    return { hypotheses, encodeMs: t1 - t0, decodeMs: performance.now() - t1, features };
  }

  private async toResult(
    hyps: Hypothesis[],
    alternatives: number,
    imageVector?: Float32Array,
  ): Promise<Omit<CaptionResult, 'timings'>> {
    const { vocab, config } = this.decoder;
    const { gridWidth, gridHeight } = this.encoder.config;
    const gridSize = gridWidth * gridHeight;
    let texts: { text: string; score: number; hyp: Hypothesis }[] = [];
    const seen = new Set<string>();
    for (const hyp of hyps) {
      const text = wordsToSentence(idsToWords(hyp.tokens, vocab, config).map((w) => w.word));
      if (!text || seen.has(text.toLowerCase())) continue;
      seen.add(text.toLowerCase());
      texts.push({ text, score: hyp.score, hyp });
    }
    const { consensusNeighbours, consensusModelWeight } = this.generation;
    if (this.consensus && imageVector && consensusNeighbours > 0) {
      texts = this.consensus.rerank(texts, imageVector, { neighbours: consensusNeighbours, modelWeight: consensusModelWeight });
    }
    const best = texts[0];
    const words: WordAttention[] = best
      ? idsToWords(best.hyp.tokens, vocab, config).map(({ word, index }) => ({
          word,
          weights: renormalise(best.hyp.attention[index] ?? new Float32Array(0), gridSize),
        }))
      : [];
    const alts = texts.slice(1, 1 + alternatives).map(({ text, score }) => ({ text, score }));
    const caption = best?.text ?? '';
    const hashtags =
      this.hashtagger && caption
        ? await this.hashtagger.generate({
            caption,
            alternatives: alts.map((a) => a.text),
            imageVector: this.hashtagsSeeImage ? imageVector : undefined,
          })
        : [];
    return { caption, alternatives: alts, attention: { gridWidth, gridHeight, words }, hashtags };
  }

  /** Refuses new calls at once, lets calls already started finish, then releases the ONNX sessions. */
  async dispose(): Promise<void> {
    if (this.disposed) return this.released;
    this.disposed = true;
    this.released = (async () => {
      await Promise.allSettled([...this.inflight]);
      await this.lock.run(() =>
        Promise.all([
          this.encoder.dispose(),
          this.decoder.dispose(),
          ...this.members.map((m) => m.dispose()),
          this.ownsHashtagger ? this.hashtagger?.dispose?.() : undefined,
        ]),
      );
    })();
    return this.released;
  }

  private released: Promise<void> = Promise.resolve();
}

/**
 * Loads the encoder and a caption decoder once and returns a captioner.
 * `createCaptioner({ model: 'captioner-gru' })`; defaults from PIXTALE_MODELS_DIR or the repo's models/.
 */
export async function createCaptioner(
  options: CaptionerOptions = {},
): Promise<Captioner & { encoder: Encoder; decoder: Decoder; generation: Required<GenerationConfig> }> {
  const settings = parseOrThrow(
    optionsSchema,
    options,
    'captioner options (modelsDir: string, model: folder name, threads: 1-64, maxPixels, hashtags, lengthPenalty, noRepeatNgramSize, consensusNeighbours, consensusModelWeight, ensemble: up to 4 folder names)',
  );
  const modelsDir = path.resolve(settings.modelsDir ?? defaultModelsDir());
  if (!fs.existsSync(modelsDir)) {
    throw new CaptionerConfigError(`Models folder not found at "${shown(modelsDir)}" (set PIXTALE_MODELS_DIR or pass modelsDir)`);
  }
  const decoderDir = resolveModelDir(modelsDir, settings.model ?? DEFAULT_MODEL, 'captioner');
  const decoderConfigPath = path.join(decoderDir, 'config.json');
  const encoderName = (JSON.parse(fs.readFileSync(decoderConfigPath, 'utf8')) as { encoder?: unknown }).encoder;
  if (typeof encoderName !== 'string') throw new CaptionerConfigError(`"${decoderConfigPath}" does not name its encoder`);
  const encoderDir = resolveModelDir(modelsDir, encoderName, 'encoder');
  const threads = settings.threads ?? defaultThreads();
  const encoder = await Encoder.load(encoderDir, { threads });
  let decoder: Decoder;
  try {
    decoder = await Decoder.load(decoderDir, { gridSize: encoder.gridSize, featureDim: encoder.config.featureDim }, { threads });
  } catch (err) {
    await encoder.dispose();
    throw err;
  }
  // The trained hashtag model when models/hashtags-gan exists, else the keyword baseline.
  const owned = settings.hashtags === undefined;
  let hashtagger: HashtagGenerator | undefined;
  try {
    hashtagger =
      settings.hashtags === false ? undefined : (settings.hashtags ?? (await defaultHashtagger({ modelsDir, threads: 1 })));
  } catch (err) {
    await Promise.all([encoder.dispose(), decoder.dispose()]);
    throw err;
  }
  const generation = generationSettings(decoder.config.generation, {
    lengthPenalty: settings.lengthPenalty,
    noRepeatNgramSize: settings.noRepeatNgramSize,
    consensusNeighbours: settings.consensusNeighbours,
    consensusModelWeight: settings.consensusModelWeight,
    ensemble: settings.ensemble,
  });
  let consensus: NeighbourConsensus | null = null;
  const members: Decoder[] = [];
  try {
    for (const name of generation.ensemble) {
      const dir = resolveModelDir(modelsDir, name, 'captioner');
      const member = await Decoder.load(dir, { gridSize: encoder.gridSize, featureDim: encoder.config.featureDim }, { threads });
      members.push(member);
      const { bos, eos, pad, unk } = member.config;
      const sameTokens =
        [bos, eos, pad, unk].join() === [decoder.config.bos, decoder.config.eos, decoder.config.pad, decoder.config.unk].join();
      if (
        resolveModelDir(modelsDir, member.config.encoder, 'encoder') !== encoderDir ||
        member.vocab.join('\n') !== decoder.vocab.join('\n') ||
        !sameTokens
      ) {
        throw new CaptionerConfigError(
          `Ensemble member "${shown(dir)}" cannot join "${shown(decoderDir)}": an ensemble needs the same encoder, vocab.json ` +
            `and special tokens (${member.config.encoder}, ${member.vocab.length} words vs ${decoder.config.encoder}, ${decoder.vocab.length} words)`,
        );
      }
    }
    consensus =
      generation.consensusNeighbours > 0 ? NeighbourConsensus.load(decoderDir, encoder.config.featureDim, encoderName) : null;
    if (generation.consensusNeighbours > 0 && !consensus) {
      throw new CaptionerConfigError(
        `"${shown(decoderDir)}" asks for consensus re-ranking (consensusNeighbours ${generation.consensusNeighbours}) but has no ` +
          `neighbours.json/neighbours.bin (build them with training/build-neighbours.cjs, or pass consensusNeighbours: 0)`,
      );
    }
  } catch (err) {
    await Promise.all([
      encoder.dispose(),
      decoder.dispose(),
      ...members.map((m) => m.dispose()),
      owned ? hashtagger?.dispose?.() : undefined,
    ]);
    throw err;
  }
  return new OnnxCaptioner(
    path.basename(decoderDir),
    encoder,
    decoder,
    settings,
    generation,
    hashtagger,
    owned,
    consensus,
    members,
    hashtagger?.encoder === undefined || hashtagger.encoder === encoderName,
  );
}
