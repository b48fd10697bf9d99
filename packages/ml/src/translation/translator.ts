import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { beamSearch, type BeamDecoder, type StepResult } from '../decoding/beam-search';
import { EnsembleDecoder } from '../decoding/ensemble';
import { defaultModelsDir } from '../env';
import { CaptionerConfigError, TranslationInputError } from '../errors';
import { DEFAULT_TRANSLATION_MODEL } from '../model-availability';
import { Mutex } from '../mutex';
import { float32, loadSession, ort } from '../onnx';
import { Bpe, normalise, type BpeModel } from './bpe';
import { copiesEnglishWord, surfaceForm } from './surface';

export { DEFAULT_TRANSLATION_MODEL, TranslationInputError };
export type { TranslationInputErrorCode } from '../errors';

/** `translate-NAME/config.json`. */
const configSchema = z.object({
  source: z.literal('en'),
  /** Target language codes and the id of the `<2xx>` token that selects each. */
  languages: z.record(z.string().regex(/^[a-z]{2}$/), z.number().int().nonnegative()),
  bos: z.number().int().nonnegative(),
  eos: z.number().int().nonnegative(),
  pad: z.number().int().nonnegative(),
  unk: z.number().int().nonnegative(),
  /** Ids below this are special tokens, never part of the text. */
  specials: z.number().int().positive(),
  /** Source BPE tokens per sentence the model was trained with (language token and </s> included). */
  maxSourceTokens: z.number().int().positive(),
  dModel: z.number().int().positive(),
  /** Beam length penalty chosen on the validation split. */
  lengthPenalty: z.number().min(0).max(3).optional(),
  /** Beam width and n-gram blocking the model is decoded with as shipped. */
  beamSize: z.number().int().min(1).max(16).optional(),
  noRepeatNgramSize: z.number().int().min(0).max(10).optional(),
  /**
   * Per target language, the confidence (see Translation.confidence) below which a translation is
   * flagged `lowConfidence`: chosen on the validation split (its 2nd percentile), so about 2% of
   * in-domain (one-sentence) captions are flagged, and far more of the text unlike the training data.
   */
  minConfidence: z.record(z.string().regex(/^[a-z]{2}$/), z.number().max(0)).optional(),
  /**
   * Other translation model folders (siblings in the models folder, same BPE and special tokens)
   * decoded together with this one: each encodes the sentence, the beam ranks tokens by the members'
   * averaged probability (EnsembleDecoder). Off as shipped (see the model card). Members' own
   * `ensemble` lists are not followed; `minConfidence` is this model's and should be chosen again on
   * val for an ensemble (averaging moves the confidence).
   */
  ensemble: z.array(z.string().regex(/^[A-Za-z0-9._-]+$/)).optional(),
});

/** Used only for decoding settings a translation model's config.json lacks. */
const FALLBACK_DECODING = { beamSize: 4, lengthPenalty: 0.6, noRepeatNgramSize: 4 };
type TranslatorConfig = z.infer<typeof configSchema>;

export interface TranslateOptions {
  /** Beam width; 1 is greedy. Default: the model's config.json `beamSize`. */
  beamSize?: number;
  /** Most sentences of a long text that are translated (the rest is dropped, `truncated` is set). Default 8. */
  maxSentences?: number;
  /** Beam score = logprob / length^lengthPenalty; higher favours longer output. Default: the model's
   * `lengthPenalty` in config.json (tuned on the validation split), else 0.6. */
  lengthPenalty?: number;
}

export interface Translation {
  text: string;
  to: string;
  /** True when the input was cut: too many sentences, or a sentence longer than the model's window. */
  truncated: boolean;
  /** Characters the model never saw in training (emoji, other scripts): left out of the translation. */
  unknownCharacters: string[];
  /**
   * How sure the model was: the mean log-probability per token (end of sentence included) of its
   * least sure sentence, at most 0. Null when no sentence needed the model (punctuation only).
   */
  confidence: number | null;
  /**
   * True when the translation is likely wrong because the input is unlike the captions the model
   * was trained on (questions, first-person chat): `confidence` is below the model's threshold for
   * the language (config.json `minConfidence`), or a sentence's translation starts with its first
   * word left in English though that word is hardly ever a name ("Is this a dog?" -> "Is diesem
   * Hund?"), or a sentence's translation was cut at the length limit. One flagged sentence flags the
   * whole text (the threshold flags about 2% of in-domain sentences, so a text of k sentences up to
   * k times as often). Callers decide whether to show it.
   */
  lowConfidence: boolean;
  ms: number;
}

export interface TranslatorOptions {
  modelsDir?: string;
  model?: string;
  threads?: number;
}

export interface Translator {
  readonly languages: readonly string[];
  translate(text: string, to: string, options?: TranslateOptions): Promise<Translation>;
  dispose(): Promise<void>;
}

interface State {
  /** Tokens fed so far, one array per row (all the same length). */
  prefixes: number[][];
  /** Which sentence each row decodes. */
  item: number[];
}

const optionsSchema = z
  .object({
    beamSize: z.number().int().min(1).max(16).optional(),
    maxSentences: z.number().int().min(1).max(64).optional(),
    lengthPenalty: z.number().min(0).max(3).optional(),
  })
  .strict();

const MAX_INPUT_CHARS = 5000;

/** Splits text into sentences at . ! ? followed by whitespace and an upper-case letter or digit. */
export function splitSentences(text: string): string[] {
  return normalise(text)
    .split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(])/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** One model's two graphs (the translator itself, or a member of its ensemble). */
interface Member {
  dModel: number;
  encoder: ort.InferenceSession;
  decoder: ort.InferenceSession;
}

class OnnxTranslator implements Translator {
  readonly languages: readonly string[];
  private readonly lock = new Mutex();
  private disposed = false;

  constructor(
    readonly dir: string,
    readonly config: TranslatorConfig,
    readonly bpe: Bpe,
    /** This model first, then its ensemble's members. */
    private readonly members: readonly Member[],
  ) {
    this.languages = Object.keys(config.languages).sort();
  }

  private checkLanguage(to: unknown): string {
    const code = typeof to === 'string' ? to.trim().toLowerCase() : '';
    if (!(code in this.config.languages)) {
      throw new TranslationInputError(
        'UNSUPPORTED_LANGUAGE',
        `Unsupported language ${JSON.stringify(to)}: supported are ${this.languages.join(', ')} (English source)`,
      );
    }
    return code;
  }

  async translate(text: string, to: string, options?: TranslateOptions): Promise<Translation> {
    if (this.disposed) throw new CaptionerConfigError('Translator has been disposed; create a new one with createTranslator()');
    const parsed = optionsSchema.safeParse(options ?? {});
    if (!parsed.success)
      throw new CaptionerConfigError(
        `Invalid translate options (beamSize 1-16, maxSentences 1-64, lengthPenalty 0-3): ${z.prettifyError(parsed.error)}`,
      );
    const lang = this.checkLanguage(to);
    if (typeof text !== 'string') throw new TranslationInputError('NOT_TEXT', `Expected text to translate, got ${typeof text}`);
    const t0 = performance.now();
    // Control characters are dropped; everything else goes to BPE (unknown characters become <unk>).
    let clean = normalise(text.replace(/[\p{Cc}\p{Cf}]/gu, ' '));
    if (!clean) throw new TranslationInputError('EMPTY_TEXT', 'Nothing to translate: the text is empty');
    let truncated = false;
    if (clean.length > MAX_INPUT_CHARS) {
      clean = clean.slice(0, MAX_INPUT_CHARS);
      truncated = true;
    }
    // Characters the model never saw (emoji, other scripts) would reach it as <unk>, which it
    // answers with invented words ("A dog 🐶 runs." came out as "a dog shakes itself"): report
    // them and translate the text without them.
    const unknown = new Set<string>();
    for (const ch of clean) if (!/\s/u.test(ch) && !this.bpe.index.has(ch)) unknown.add(ch);
    if (unknown.size > 0) {
      clean = normalise([...clean].map((ch) => (unknown.has(ch) ? ' ' : ch)).join(''));
      if (!clean)
        throw new TranslationInputError(
          'EMPTY_TEXT',
          `Nothing to translate: no character of the text is one the model knows (${[...unknown].join('')})`,
        );
    }
    const maxSentences = parsed.data.maxSentences ?? 8;
    let sentences = splitSentences(clean);
    if (sentences.length > maxSentences) {
      sentences = sentences.slice(0, maxSentences);
      truncated = true;
    }

    const budget = this.config.maxSourceTokens - 2;
    const forms = sentences.map(surfaceForm);
    const modelInputs = forms.flatMap((f) => (f.modelInput === null ? [] : [f.modelInput]));
    const sources = modelInputs.map((s) => {
      let ids = this.bpe.encode(s);
      if (ids.length > budget) {
        ids = ids.slice(0, budget);
        truncated = true;
      }
      return [this.config.languages[lang]!, ...ids, this.config.eos];
    });
    const beamSize = parsed.data.beamSize ?? this.config.beamSize ?? FALLBACK_DECODING.beamSize;
    const lengthPenalty = parsed.data.lengthPenalty ?? this.config.lengthPenalty ?? FALLBACK_DECODING.lengthPenalty;
    const outputs = sources.length ? await this.lock.run(() => this.run(sources, beamSize, lengthPenalty)) : [];
    let next = 0;
    let copied = false;
    const parts = forms.map((f) => {
      if (f.modelInput === null) return f.restore('');
      const out = outputs[next++]!;
      copied ||= copiesEnglishWord(f.modelInput, out.text) || !out.finished;
      return f.restore(out.text);
    });
    const confidence = outputs.length ? Math.min(...outputs.map((o) => o.confidence)) : null;
    const threshold = this.config.minConfidence?.[lang];
    return {
      text: parts.join(' '),
      to: lang,
      truncated,
      unknownCharacters: [...unknown],
      confidence,
      lowConfidence: copied || (confidence !== null && threshold !== undefined && confidence < threshold),
      ms: performance.now() - t0,
    };
  }

  private async run(
    sources: number[][],
    beamSize: number,
    lengthPenalty: number,
  ): Promise<{ text: string; confidence: number; finished: boolean }[]> {
    const n = sources.length;
    const S = Math.max(...sources.map((s) => s.length));
    const src = new BigInt64Array(n * S).fill(BigInt(this.config.pad));
    sources.forEach((s, i) => s.forEach((t, j) => (src[i * S + j] = BigInt(t))));
    const { bos, eos, pad, unk } = this.config;
    const vocabSize = this.bpe.model.vocab.length;
    const decoders: BeamDecoder<State>[] = [];
    for (const member of this.members) {
      const enc = await member.encoder.run({ src: new ort.Tensor('int64', src, [n, S]) });
      decoders.push(memberDecoder(member, float32(enc.memory, 'memory'), src, S, vocabSize));
    }
    const start = (): State => ({ prefixes: sources.map(() => []), item: sources.map((_, i) => i) });
    // One member is passed straight through; several are averaged.
    const decoder = new EnsembleDecoder(decoders);
    const hyps = await beamSearch(decoder, decoders.map(start), n, {
      beamSize,
      // a translation is rarely more than 1.5x the source; cap for safety
      maxLength: Math.min(Math.ceil(S * 1.6) + 10, 2 * this.config.maxSourceTokens),
      bos,
      eos,
      bannedTokens: [pad, unk, ...Object.values(this.config.languages)],
      lengthPenalty,
      noRepeatNgramSize: this.config.noRepeatNgramSize ?? FALLBACK_DECODING.noRepeatNgramSize,
      blockImmediateRepeat: false,
      blockAdjacentRepeats: 0,
      numReturn: 1,
    });
    return hyps.map((h) => {
      const best = h[0];
      return {
        text: this.bpe.decode(best?.tokens ?? []),
        confidence: best ? best.logprob / (best.tokens.length + 1) : -Infinity,
        finished: best?.finished ?? false,
      };
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.lock.run(() => Promise.all(this.members.flatMap((m) => [m.encoder.release(), m.decoder.release()])));
  }
}

/** A member's decoder over its encoder's memory for the batch (`S` source tokens a row). */
function memberDecoder(
  member: Member,
  memory: Float32Array,
  src: BigInt64Array,
  S: number,
  vocabSize: number,
): BeamDecoder<State> {
  const D = member.dModel;
  return {
    vocabSize,
    attentionSize: 0,
    async step(tokens: Int32Array, state: State): Promise<StepResult<State>> {
      const rows = tokens.length;
      const prefixes = state.prefixes.map((p, r) => [...p, tokens[r]!]);
      const T = prefixes[0]!.length;
      const prefix = new BigInt64Array(rows * T);
      prefixes.forEach((p, r) => p.forEach((t, j) => (prefix[r * T + j] = BigInt(t))));
      const mem = new Float32Array(rows * S * D);
      const srcRows = new BigInt64Array(rows * S);
      state.item.forEach((it, r) => {
        mem.set(memory.subarray(it * S * D, (it + 1) * S * D), r * S * D);
        srcRows.set(src.subarray(it * S, (it + 1) * S), r * S);
      });
      const out = await member.decoder.run({
        prefix: new ort.Tensor('int64', prefix, [rows, T]),
        memory: new ort.Tensor('float32', mem, [rows, S, D]),
        src: new ort.Tensor('int64', srcRows, [rows, S]),
      });
      return { logprobs: float32(out.logprobs, 'logprobs'), state: { prefixes, item: state.item } };
    },
    gather(state: State, rows: Int32Array): State {
      return { prefixes: Array.from(rows, (r) => state.prefixes[r]!), item: Array.from(rows, (r) => state.item[r]!) };
    },
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CaptionerConfigError(`Cannot read "${file}" (re-export the translation model or set PIXTALE_MODELS_DIR)`, {
      cause: err,
    });
  }
}

/** Translation model folders (`translate-*`) in `modelsDir`. */
export function listTranslationModels(modelsDir = defaultModelsDir()): string[] {
  try {
    return fs
      .readdirSync(modelsDir, { withFileTypes: true })
      .filter(
        (d) => d.isDirectory() && d.name.startsWith('translate-') && fs.existsSync(path.join(modelsDir, d.name, 'config.json')),
      )
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

/** Loads the English → de/fr/cs caption translator once: `const t = await createTranslator(); await t.translate(text, 'de')`. */
export async function createTranslator(options: TranslatorOptions = {}): Promise<Translator> {
  const modelsDir = path.resolve(options.modelsDir ?? defaultModelsDir());
  const name = options.model ?? DEFAULT_TRANSLATION_MODEL;
  const dir = path.join(modelsDir, name);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !fs.existsSync(path.join(dir, 'config.json'))) {
    const available = listTranslationModels(modelsDir);
    throw new CaptionerConfigError(
      `Translation model not found at "${dir}" (set PIXTALE_MODELS_DIR or pass modelsDir/model; available: ${available.length ? available.join(', ') : 'none'})`,
    );
  }
  const parsed = configSchema.safeParse(readJson(path.join(dir, 'config.json')));
  if (!parsed.success) throw new CaptionerConfigError(`"${dir}/config.json" is invalid: ${z.prettifyError(parsed.error)}`);
  const bpeModel = readJson(path.join(dir, 'bpe.json')) as BpeModel;
  if (!Array.isArray(bpeModel?.vocab) || !Array.isArray(bpeModel?.merges)) {
    throw new CaptionerConfigError(`"${dir}/bpe.json" must have "vocab" and "merges" arrays`);
  }
  const bpe = new Bpe(bpeModel, parsed.data.specials);
  const threads = options.threads ?? 1;
  // What an ensemble member must share with this model (languages compared in any key order).
  const canonical = (v: unknown) =>
    JSON.stringify(v && typeof v === 'object' ? Object.entries(v).sort(([a], [b]) => a.localeCompare(b)) : v);
  const shared = ['languages', 'bos', 'eos', 'pad', 'unk', 'specials', 'maxSourceTokens'] as const;
  const bpeOf = (d: string) =>
    fs.existsSync(path.join(d, 'bpe.json')) ? fs.readFileSync(path.join(d, 'bpe.json'), 'utf8') : null;
  const ownBpe = parsed.data.ensemble?.length ? bpeOf(dir) : null;
  const members: Member[] = [];
  try {
    members.push(await loadMember(dir, parsed.data.dModel, threads));
    for (const name of parsed.data.ensemble ?? []) {
      const other = path.join(modelsDir, name);
      const config = configSchema.safeParse(readJson(path.join(other, 'config.json')));
      if (!config.success) throw new CaptionerConfigError(`"${other}/config.json" is invalid: ${z.prettifyError(config.error)}`);
      const differs = shared.filter((k) => canonical(config.data[k]) !== canonical(parsed.data[k]));
      if (differs.length || bpeOf(other) !== ownBpe)
        throw new CaptionerConfigError(
          `Ensemble member "${name}" does not share ${differs.length ? differs.join(', ') : 'bpe.json'} with "${path.basename(dir)}"`,
        );
      members.push(await loadMember(other, config.data.dModel, threads));
    }
  } catch (err) {
    await Promise.all(members.flatMap((m) => [m.encoder.release(), m.decoder.release()]));
    throw err;
  }
  return new OnnxTranslator(dir, parsed.data, bpe, members);
}

async function loadMember(dir: string, dModel: number, threads: number): Promise<Member> {
  const encoder = await loadSession(path.join(dir, 'encoder.onnx'), { inputs: ['src'], outputs: ['memory'] }, { threads });
  try {
    const decoder = await loadSession(
      path.join(dir, 'decoder.onnx'),
      { inputs: ['prefix', 'memory', 'src'], outputs: ['logprobs'] },
      { threads },
    );
    return { dModel, encoder, decoder };
  } catch (err) {
    await encoder.release();
    throw err;
  }
}

let shared: Promise<Translator> | undefined;

/**
 * Translates a caption with the default model, loaded once per process:
 * `await translateCaption('A dog runs on the beach.', 'de')`.
 */
export async function translateCaption(text: string, to: string, options?: TranslateOptions): Promise<Translation> {
  shared ??= createTranslator().catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return (await shared).translate(text, to, options);
}

/** Releases the model `translateCaption` loaded (for tests and clean shutdown). */
export async function disposeSharedTranslator(): Promise<void> {
  const t = shared;
  shared = undefined;
  if (t) await (await t).dispose();
}
