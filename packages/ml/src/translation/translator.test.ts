import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptionerConfigError } from '../errors';
import { ort } from '../onnx';
import { modelsDir, requireModel } from '../testing/fixtures';
import { loadCopyProbe, runCopyProbe } from './copy-probe';
import {
  createTranslator,
  DEFAULT_TRANSLATION_MODEL,
  splitSentences,
  TranslationInputError,
  type Translator,
} from './translator';

// Each decoding step is an onnxruntime call; on a CPU shared with other work, give it room.
jest.setTimeout(300_000);

describe('translator', () => {
  it('splits long text into sentences', () => {
    expect(splitSentences('A dog runs.  Two men sit! Is it 3.5 m? yes')).toEqual([
      'A dog runs.',
      'Two men sit!',
      'Is it 3.5 m? yes',
    ]);
  });

  it('names the missing model folder and how to fix it', async () => {
    await expect(createTranslator({ modelsDir: '/nonexistent-models' })).rejects.toThrow(
      /Translation model not found at "\/nonexistent-models\/translate-multi30k" \(set PIXTALE_MODELS_DIR/,
    );
    await expect(createTranslator({ model: '../etc' })).rejects.toThrow(/Translation model not found/);
  });
});

describe(`the trained model ${DEFAULT_TRANSLATION_MODEL}`, () => {
  let translator: Translator;
  beforeAll(async () => {
    requireModel(DEFAULT_TRANSLATION_MODEL);
    translator = await createTranslator({ threads: 1 });
  });
  afterAll(async () => {
    await translator?.dispose();
  });

  const cleanOutput = (text: string) => {
    expect(text).toMatch(/^\p{Lu}/u);
    expect(text).not.toMatch(/<unk>|<2\w\w>|<\/?s>|\s{2}/);
  };

  it.each([
    ['de', /\bHund\b/, /\bStrand\b/],
    ['fr', /\bchien\b/, /\bplage\b/],
    ['cs', /\bPes\b/i, /\bpláž/],
  ])('translates a caption into %s', async (to, dog, beach) => {
    const r = await translator.translate('A dog runs on the beach.', to);
    expect(r).toMatchObject({ to, truncated: false, unknownCharacters: [] });
    expect(r.text).toMatch(dog);
    expect(r.text).toMatch(beach);
    cleanOutput(r.text);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('is deterministic and safe to call concurrently', async () => {
    const texts = ['Two men are playing soccer in a park.', 'A girl in a pink dress jumps.', 'A man rides a bike.'];
    const sequential = [];
    for (const t of texts) sequential.push((await translator.translate(t, 'de')).text);
    const concurrent = await Promise.all(texts.map((t) => translator.translate(t, 'de')));
    expect(concurrent.map((r) => r.text)).toEqual(sequential);
  });

  it('leaves out characters it never saw, and says which', async () => {
    const withEmoji = await translator.translate('A dog 🐶 runs.', 'fr');
    expect(withEmoji.unknownCharacters).toEqual(['🐶']);
    expect(withEmoji.text).toBe((await translator.translate('A dog runs.', 'fr')).text);
    await expect(translator.translate('🐶 🐾', 'de')).rejects.toMatchObject({
      code: 'EMPTY_TEXT',
      message: expect.stringMatching(/no character .* the model knows/),
    });
  });

  it('ends like the input and answers shouting in capitals', async () => {
    for (const to of ['de', 'fr', 'cs']) {
      expect((await translator.translate('A dog runs on the beach', to)).text).toMatch(/\p{L}$/u);
      expect((await translator.translate('A dog runs on the beach!', to)).text).toMatch(/\p{L}!$/u);
      expect((await translator.translate('A dog runs on the beach.', to)).text).toMatch(/\p{L}\.$/u);
    }
    // Two words, nothing like Multi30k's full sentences: translated, not padded out with invention.
    expect((await translator.translate('Two dogs', 'de')).text).toBe('Zwei Hunde');
    expect((await translator.translate('Two dogs', 'fr')).text).toBe('Deux chiens');
    const shouted = await translator.translate('A DOG RUNS ON THE BEACH', 'de');
    expect(shouted.text).toBe((await translator.translate('A dog runs on the beach', 'de')).text.toUpperCase());
    expect(shouted.text).toMatch(/\bHUND\b/);
  });

  it('carries names and numbers it never saw through unchanged (the copy probe)', async () => {
    // Measured on all 150 probe captions: 79-81% keep every name and number (5-11% before copy
    // augmentation); the first 40 in German must keep well over half.
    const { sentencesKeepingAll } = await runCopyProbe(translator, 'de', loadCopyProbe().slice(0, 40));
    expect(sentencesKeepingAll).toBeGreaterThanOrEqual(60);
  });

  it('flags what it is not confident in: in-domain captions rarely, questions and chat mostly', async () => {
    const caption = await translator.translate('A dog runs on the beach.', 'de');
    expect(caption).toMatchObject({ lowConfidence: false });
    expect(caption.confidence).toBeLessThanOrEqual(0);
    expect(caption.confidence).toBeGreaterThan(-0.9);
    // Below the model's threshold (chosen on val): "Jououou möglich meißelt?"
    const chat = await translator.translate('Do you like my garden?', 'de');
    expect(chat.confidence).toBeLessThan(caption.confidence!);
    expect(chat.lowConfidence).toBe(true);
    // Confident, but the first word left in English ("Is diesem Hund?"): flagged all the same.
    expect(await translator.translate('Is this a dog?', 'de')).toMatchObject({ lowConfidence: true });
    // Names are copied on purpose and are not flagged.
    expect(await translator.translate('Anna plays football in the park.', 'de')).toMatchObject({ lowConfidence: false });
    expect(await translator.translate('?!', 'de')).toMatchObject({ text: '?!', confidence: null, lowConfidence: false });
  });

  it('cuts long text sensibly and says so', async () => {
    const many = Array.from({ length: 12 }, (_, i) => `A man number ${i + 1} walks.`).join(' ');
    const r = await translator.translate(many, 'de');
    expect(r.truncated).toBe(true);
    expect(splitSentences(r.text).length).toBeLessThanOrEqual(8);
    cleanOutput(r.text);
    const oneLongSentence = `A dog runs ${'and jumps '.repeat(80)}on the beach.`;
    const long = await translator.translate(oneLongSentence, 'cs');
    expect(long.truncated).toBe(true);
    expect(long.text.length).toBeGreaterThan(0);
  });

  it('rejects empty text, non-text, unsupported languages and bad options with clear errors', async () => {
    await expect(translator.translate('  \n ', 'de')).rejects.toMatchObject({
      name: 'TranslationInputError',
      code: 'EMPTY_TEXT',
    });
    await expect(translator.translate(42 as unknown as string, 'de')).rejects.toMatchObject({ code: 'NOT_TEXT' });
    const unsupported = translator.translate('A dog.', 'xx');
    await expect(unsupported).rejects.toBeInstanceOf(TranslationInputError);
    await expect(unsupported).rejects.toMatchObject({
      code: 'UNSUPPORTED_LANGUAGE',
      message: expect.stringContaining('supported are cs, de, fr'),
    });
    await expect(translator.translate('A dog.', 'de', { beamSize: 0 })).rejects.toBeInstanceOf(CaptionerConfigError);
    await expect(translator.translate('A dog.', 'de', { lengthPenalty: -1 })).rejects.toThrow(/lengthPenalty/);
  });
});

it("decodes with the beam of the model's config.json unless a call says otherwise", async () => {
  const shipped = requireModel(DEFAULT_TRANSLATION_MODEL);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-translate-'));
  const greedyDir = path.join(dir, DEFAULT_TRANSLATION_MODEL);
  fs.mkdirSync(greedyDir);
  for (const f of ['bpe.json', 'encoder.onnx', 'decoder.onnx']) fs.symlinkSync(path.join(shipped, f), path.join(greedyDir, f));
  const config = JSON.parse(fs.readFileSync(path.join(shipped, 'config.json'), 'utf8')) as { beamSize: number };
  expect(config.beamSize).toBe(4);
  fs.writeFileSync(path.join(greedyDir, 'config.json'), JSON.stringify({ ...config, beamSize: 1 }));
  const text = 'A blonde woman waving at traffic.'; // beam 1 and beam 4 differ here
  const [asShipped, greedy] = await Promise.all([
    createTranslator({ modelsDir, threads: 1 }),
    createTranslator({ modelsDir: dir, threads: 1 }),
  ]);
  try {
    expect((await asShipped.translate(text, 'de', { beamSize: 1 })).text).not.toBe((await asShipped.translate(text, 'de')).text);
    expect((await greedy.translate(text, 'de')).text).toBe((await asShipped.translate(text, 'de', { beamSize: 1 })).text);
    expect((await asShipped.translate(text, 'de')).text).toBe((await greedy.translate(text, 'de', { beamSize: 4 })).text);
  } finally {
    await Promise.all([asShipped.dispose(), greedy.dispose()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('decodes an ensemble named in config.json; with itself as the member it translates exactly as alone', async () => {
  const shipped = requireModel(DEFAULT_TRANSLATION_MODEL);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-translate-'));
  const config = JSON.parse(fs.readFileSync(path.join(shipped, 'config.json'), 'utf8')) as Record<string, unknown>;
  const folder = (name: string, extra: Record<string, unknown>) => {
    fs.mkdirSync(path.join(dir, name));
    for (const f of ['bpe.json', 'encoder.onnx', 'decoder.onnx']) fs.symlinkSync(path.join(shipped, f), path.join(dir, name, f));
    fs.writeFileSync(path.join(dir, name, 'config.json'), JSON.stringify({ ...config, ...extra }));
  };
  folder(DEFAULT_TRANSLATION_MODEL, { ensemble: ['translate-twin'] });
  folder('translate-twin', {});
  folder('translate-other-specials', { specials: 8 });
  folder('translate-mismatched', { ensemble: ['translate-other-specials'] });
  const [alone, pair] = await Promise.all([
    createTranslator({ modelsDir, threads: 1 }),
    createTranslator({ modelsDir: dir, threads: 1 }),
  ]);
  try {
    // Every graph call counted: the pair runs each of its two models as often as the model alone runs.
    // (onnxruntime's types describe a factory; at run time it is a class whose prototype has run)
    const sessions = ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<unknown> } };
    const run = jest.spyOn(sessions.prototype, 'run');
    for (const text of ['A dog runs on the beach.', 'Two men sit on a bench. A woman reads.']) {
      run.mockClear();
      const a = await alone.translate(text, 'fr');
      const aloneCalls = run.mock.calls.length;
      expect(aloneCalls).toBeGreaterThan(2); // the encoder and a decoder call per token
      run.mockClear();
      const b = await pair.translate(text, 'fr');
      expect(run.mock.calls.length).toBe(2 * aloneCalls);
      expect(b.text).toBe(a.text);
      expect(b.confidence).toBeCloseTo(a.confidence!, 4);
    }
    run.mockRestore();
    await expect(createTranslator({ modelsDir: dir, model: 'translate-mismatched' })).rejects.toThrow(
      /"translate-other-specials" does not share specials with "translate-mismatched"/,
    );
  } finally {
    await Promise.all([alone.dispose(), pair.dispose()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
