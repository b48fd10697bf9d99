import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCaptioner, DEFAULT_MODEL, generationSettings } from './captioner';
import { CaptionerConfigError, CaptionerDisposedError, CaptionerInputError } from './errors';
import type { HashtagGenerator } from './hashtags/types';
import type { Captioner, CaptionResult } from './types';
import { describeWithDatasets, devImages, modelsDir, requireModel } from './testing/fixtures';
import { hugePngHeader, solid, twoColourImage } from './testing/images';

type Loaded = Awaited<ReturnType<typeof createCaptioner>>;

// Each decoding step is an onnxruntime call; on a CPU shared with training every call can wait
// for a time slice, so give the model tests room beyond jest's default.
jest.setTimeout(300_000);

function checkResult(r: CaptionResult): void {
  expect(r.caption.length).toBeGreaterThan(0);
  expect(r.caption).toMatch(/^[A-Z0-9]/);
  expect(r.caption).not.toMatch(/<unk>|<end>|<start>|<pad>|\s\.$|\s{2}/);
  expect(r.attention.gridWidth * r.attention.gridHeight).toBeGreaterThan(0);
  expect(r.attention.words.map((w) => w.word).join(' ')).toBe(r.caption.toLowerCase());
  for (const w of r.attention.words) {
    expect(w.weights).toHaveLength(r.attention.gridWidth * r.attention.gridHeight);
    expect(w.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  }
  const texts = [r.caption, ...r.alternatives.map((a) => a.text)].map((t) => t.toLowerCase());
  expect(new Set(texts).size).toBe(texts.length);
  for (const a of r.alternatives) {
    expect(a.text).not.toMatch(/<unk>|\s\.$/);
    expect(Number.isFinite(a.score)).toBe(true);
  }
  for (const tag of r.hashtags) expect(tag).toMatch(/^#[a-z0-9]+$/);
  expect(r.timings.totalMs).toBeGreaterThan(0);
}

/** Strips timings so results can be compared for equality. */
const content = (r: CaptionResult) => ({ ...r, timings: undefined });

describe('createCaptioner: model files and options', () => {
  it(`the shipped model ${DEFAULT_MODEL} is committed`, () => {
    const dir = requireModel(DEFAULT_MODEL);
    for (const f of ['config.json', 'vocab.json', 'init.onnx', 'step.onnx']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
  });

  it('a model that asks for the vote without its neighbour index is refused with the fix', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-models-'));
    try {
      fs.cpSync(modelsDir, copy, { recursive: true });
      fs.rmSync(path.join(copy, DEFAULT_MODEL, 'neighbours.json'));
      await expect(createCaptioner({ modelsDir: copy, threads: 1, hashtags: false })).rejects.toThrow(
        /consensusNeighbours 15\) but has no neighbours.json.*build-neighbours.cjs/,
      );
      const plain = await createCaptioner({ modelsDir: copy, threads: 1, hashtags: false, consensusNeighbours: 0 });
      await plain.dispose();
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('refuses an ensemble member with another vocabulary, naming both', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-models-'));
    try {
      fs.cpSync(modelsDir, copy, { recursive: true });
      const other = path.join(copy, 'captioner-other-words');
      fs.cpSync(path.join(copy, DEFAULT_MODEL), other, { recursive: true });
      const vocab = JSON.parse(fs.readFileSync(path.join(other, 'vocab.json'), 'utf8')) as string[];
      fs.writeFileSync(path.join(other, 'vocab.json'), JSON.stringify([...vocab.slice(0, -1), 'zebu']));
      await expect(createCaptioner({ modelsDir: copy, threads: 1, hashtags: false, ensemble: ['other-words'] })).rejects.toThrow(
        /Ensemble member ".*captioner-other-words" cannot join .*same encoder, vocab.json and special tokens/,
      );
      await expect(createCaptioner({ modelsDir: copy, threads: 1, hashtags: false, ensemble: ['nope'] })).rejects.toThrow(
        /Model not found at ".*captioner-nope"/,
      );
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('names the missing model and the fix', async () => {
    await expect(createCaptioner({ model: 'captioner-nope', threads: 1 })).rejects.toThrow(
      /Model not found at ".*captioner-nope" \(set PIXTALE_MODELS_DIR.*available: .*captioner-att-lstm/,
    );
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-models-'));
    try {
      await expect(createCaptioner({ modelsDir: empty })).rejects.toThrow(CaptionerConfigError);
      await expect(createCaptioner({ modelsDir: path.join(empty, 'missing') })).rejects.toThrow(
        /Models folder not found.*PIXTALE_MODELS_DIR/,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('validates options and names the valid values', async () => {
    await expect(createCaptioner({ threads: 0 })).rejects.toThrow(/threads/);
    await expect(createCaptioner({ model: '../etc' })).rejects.toThrow(/model folder name/);
    await expect(createCaptioner({ colour: 'red' } as never)).rejects.toThrow(CaptionerConfigError);
  });
});

describe('captioner on synthetic and bad inputs', () => {
  let captioner: Loaded;
  beforeAll(async () => {
    captioner = await createCaptioner({ modelsDir, threads: 1 });
  });
  afterAll(async () => {
    await captioner?.dispose();
  });

  it("decodes with the generation settings of the model's config.json; options override them", async () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(requireModel(DEFAULT_MODEL), 'config.json'), 'utf8')) as {
      generation: object;
    };
    expect(captioner.generation).toEqual({ ensemble: [], ...shipped.generation });
    const r = await captioner.caption(await (await twoColourImage(120, 80)).jpeg().toBuffer());
    expect(r.alternatives.length).toBeLessThanOrEqual(captioner.generation.alternatives);
    const tuned = await createCaptioner({ threads: 1, hashtags: false, lengthPenalty: 0, noRepeatNgramSize: 0 });
    expect(tuned.generation).toEqual({ ensemble: [], ...shipped.generation, lengthPenalty: 0, noRepeatNgramSize: 0 });
    await tuned.dispose();
  });

  it("gives a hashtagger the image vector only when it was trained on the captioner's encoder", async () => {
    const seen: Record<string, (number | undefined)[]> = {};
    const recorder = (name: string, encoder?: string): HashtagGenerator => ({
      name,
      encoder,
      generate: ({ imageVector }) => {
        (seen[name] ??= []).push(imageVector?.length);
        return [];
      },
    });
    const encoderName = captioner.decoder.config.encoder;
    const image = await (await twoColourImage(120, 80)).jpeg().toBuffer();
    for (const [name, encoder] of [
      ['same', encoderName],
      ['any', undefined],
      ['other', 'encoder-something-else'],
    ] as const) {
      const c = await createCaptioner({ modelsDir, threads: 1, hashtags: recorder(name, encoder), consensusNeighbours: 0 });
      await c.caption(image);
      await c.suggestHashtags(image, 'a dog on a beach');
      await c.dispose();
    }
    const dim = captioner.encoder.config.featureDim;
    expect(seen).toEqual({ same: [dim, dim], any: [dim, dim], other: [undefined, undefined] });
  });

  it('falls back only for the settings a config.json lacks', () => {
    const off = { consensusNeighbours: 0, consensusModelWeight: 0, ensemble: [] };
    expect(generationSettings(undefined)).toEqual({
      beamSize: 3,
      alternatives: 3,
      lengthPenalty: 0.7,
      noRepeatNgramSize: 3,
      ...off,
    });
    expect(generationSettings({ beamSize: 5, lengthPenalty: 1 }, { beamSize: undefined, alternatives: 0 })).toEqual({
      beamSize: 5,
      alternatives: 0,
      lengthPenalty: 1,
      noRepeatNgramSize: 3,
      ...off,
    });
  });

  it('reports its model and accepts the short model name', async () => {
    expect(captioner.modelName).toBe(DEFAULT_MODEL);
    const short = await createCaptioner({ model: 'att-lstm', threads: 1 });
    expect(short.modelName).toBe(DEFAULT_MODEL);
    await short.dispose();
  });

  it('an ensemble of the model with itself captions exactly as the model alone', async () => {
    const image = await (await twoColourImage(160, 100)).jpeg().toBuffer();
    const pair = await createCaptioner({ modelsDir, threads: 1, hashtags: false, ensemble: [DEFAULT_MODEL] });
    const alone = await createCaptioner({ modelsDir, threads: 1, hashtags: false, ensemble: [] });
    try {
      expect(pair.generation.ensemble).toEqual([DEFAULT_MODEL]);
      const [two, one] = [await pair.caption(image), await alone.caption(image)];
      expect(two.caption).toBe(one.caption);
      expect(two.alternatives.map((x) => x.text)).toEqual(one.alternatives.map((x) => x.text));
      two.alternatives.forEach((x, i) => expect(x.score).toBeCloseTo(one.alternatives[i]!.score, 4));
    } finally {
      await Promise.all([pair.dispose(), alone.dispose()]);
    }
  });

  it('captions odd but valid images: 1x1, grayscale, CMYK, 16-bit, alpha, EXIF-rotated, GIF, WebP', async () => {
    const inputs = {
      '1x1': await solid(1, 1, '#884422').png().toBuffer(),
      grayscale: await (await twoColourImage(120, 80)).toColourspace('b-w').jpeg().toBuffer(),
      cmyk: await (await twoColourImage(120, 80)).toColourspace('cmyk').jpeg().toBuffer(),
      png16: await (await twoColourImage(120, 80)).toColourspace('rgb16').png().toBuffer(),
      alpha: await solid(100, 100, '#00ff0080', 4).png().toBuffer(),
      exif: await (await twoColourImage(120, 80)).jpeg().withMetadata({ orientation: 8 }).toBuffer(),
      gif: await solid(50, 50, '#ff8800').gif().toBuffer(),
      webp: await solid(50, 50, '#0088ff').webp().toBuffer(),
    };
    for (const [name, buf] of Object.entries(inputs)) {
      const r = await captioner.caption(buf);
      try {
        checkResult(r);
      } catch (err) {
        throw new Error(`${name}: ${(err as Error).message}`);
      }
    }
  });

  it('rejects bad inputs with typed errors and stays usable', async () => {
    const cases: [Buffer | string, string][] = [
      [Buffer.alloc(0), 'EMPTY_INPUT'],
      [Buffer.from('definitely not an image'), 'NOT_AN_IMAGE'],
      [(await solid(200, 200, '#123456').jpeg().toBuffer()).subarray(0, 150), 'TRUNCATED_IMAGE'],
      [hugePngHeader(20000, 20000), 'TOO_MANY_PIXELS'],
      ['/no/such/file.jpg', 'FILE_NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      const err = await captioner.caption(input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptionerInputError);
      expect((err as CaptionerInputError).code).toBe(code);
    }
    checkResult(await captioner.caption(await solid(64, 64, '#336699').png().toBuffer()));
  });

  it('captionBatchSettled fails only the bad image; captionBatch throws its error', async () => {
    const good = await solid(64, 64, '#aa3300').jpeg().toBuffer();
    const out = await captioner.captionBatchSettled([good, Buffer.from('nope'), good]);
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    if (!out[1]!.ok) expect((out[1]!.error as CaptionerInputError).code).toBe('NOT_AN_IMAGE');
    await expect(captioner.captionBatch([good, Buffer.from('nope')])).rejects.toThrow(CaptionerInputError);
    expect(await captioner.captionBatch([])).toEqual([]);
  });

  it('validates caption options', async () => {
    const img = await solid(8, 8, '#fff').png().toBuffer();
    await expect(captioner.caption(img, { beamSize: 0 })).rejects.toThrow(/beamSize/);
    await expect(captioner.caption(img, { alternatives: -1 })).rejects.toThrow(CaptionerConfigError);
    const greedy = await captioner.caption(img, { beamSize: 1, alternatives: 0 });
    expect(greedy.alternatives).toEqual([]);
    const short = await captioner.caption(img, { maxLength: 3 });
    expect(short.caption.split(' ').length).toBeLessThanOrEqual(3);
  });

  it('keeps memory bounded on a large (24 MP) image', async () => {
    const big = await solid(6000, 4000, '#4080c0').jpeg({ quality: 80 }).toBuffer();
    const before = process.memoryUsage.rss();
    checkResult(await captioner.caption(big));
    expect(process.memoryUsage.rss() - before).toBeLessThan(600 * 2 ** 20);
  });
});

describeWithDatasets('captioner on real photos', () => {
  let captioner: Loaded;
  // Read in beforeAll, not in the describe body: jest runs the bodies of skipped blocks too.
  let images: string[] = [];
  beforeAll(async () => {
    images = devImages(3);
    captioner = await createCaptioner({ modelsDir, threads: 1 });
  });
  afterAll(async () => {
    await captioner?.dispose();
  });

  it('captions a photo with alternatives, attention, hashtags and timings', async () => {
    const r = await captioner.caption(images[0]!, { beamSize: 3, alternatives: 3 });
    checkResult(r);
    expect(r.caption.split(' ').length).toBeGreaterThanOrEqual(3);
    expect(r.alternatives.length).toBeGreaterThan(0);
    expect(r.hashtags.length).toBeGreaterThanOrEqual(1);
    expect(r.timings.encodeMs).toBeGreaterThan(0);
    expect(r.timings.decodeMs).toBeGreaterThan(0);
  });

  it('is deterministic: the same photo twice gives the same result', async () => {
    const a = await captioner.caption(images[1]!);
    const b = await captioner.caption(fs.readFileSync(images[1]!));
    expect(content(b)).toEqual(content(a));
  });

  it('parallel caption() calls give the same results as serial ones', async () => {
    const serial: CaptionResult[] = [];
    for (const img of images) serial.push(await captioner.caption(img));
    const parallel = await Promise.all([...images, ...images].map((img) => captioner.caption(img)));
    parallel.forEach((r, i) => expect(content(r)).toEqual(content(serial[i % images.length]!)));
  });

  it('captionBatch batches the encoder and matches one-by-one captions', async () => {
    const one = await Promise.all(images.map((img) => captioner.caption(img)));
    const batch = await captioner.captionBatch(images);
    expect(batch.map((r) => r.caption)).toEqual(one.map((r) => r.caption));
    batch.forEach(checkResult);
  });

  it('as shipped, the vote is on, with the index of every training image', () => {
    expect(captioner.generation.consensusNeighbours).toBeGreaterThan(0);
    const meta = JSON.parse(fs.readFileSync(path.join(modelsDir, DEFAULT_MODEL, 'neighbours.json'), 'utf8')) as { count: number };
    expect(meta.count).toBe(6089);
  });

  it('beam 1 (greedy) and beam 5 both give clean captions', async () => {
    checkResult(await captioner.caption(images[2]!, { beamSize: 1 }));
    checkResult(await captioner.caption(images[2]!, { beamSize: 5, alternatives: 4 }));
  });
});

describe('dispose', () => {
  it('waits for in-flight work, then refuses new calls; twice is fine', async () => {
    const captioner: Captioner = await createCaptioner({ modelsDir, threads: 1 });
    const img = await solid(32, 32, '#00aa55').png().toBuffer();
    const inflight = captioner.caption(img);
    await captioner.dispose();
    checkResult(await inflight);
    await expect(captioner.caption(img)).rejects.toThrow(CaptionerDisposedError);
    await expect(captioner.captionBatch([img])).rejects.toThrow(CaptionerDisposedError);
    await captioner.dispose();
  });

  it('create/caption/dispose cycles do not leak memory', async () => {
    const img = await solid(32, 32, '#5500aa').png().toBuffer();
    const cycle = async () => {
      const c = await createCaptioner({ modelsDir, threads: 1 });
      await c.caption(img);
      await c.dispose();
    };
    await cycle();
    const before = process.memoryUsage.rss();
    for (let i = 0; i < 3; i++) await cycle();
    expect(process.memoryUsage.rss() - before).toBeLessThan(150 * 2 ** 20);
  });
});
