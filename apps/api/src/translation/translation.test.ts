import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { TRANSLATION_LANGUAGES } from '@pixtale/shared';
import { JobWorker } from '../jobs/job.worker';
import { translationJobHandler } from '../jobs/translation.job';
import { testEnv } from '../env';
import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from '../testing/harness';
import { lazyTranslator, translatorUnavailableReason, type TranslatorLike, type TranslatorProvider } from './translator';

// The real translator (@pixtale/ml + models/translate-multi30k). Quality is not asserted (the model
// may be an early checkpoint); behaviour is. Without the exported model these tests are reported as
// skipped with the reason in their name; the tests of the "no model" path always run.
const env0 = testEnv();
const unavailable = translatorUnavailableReason(env0.PIXTALE_MODELS_DIR);
const describeIfModel = unavailable ? describe.skip : describe;
const title = unavailable ? `PENDING (${unavailable}): ` : '';
if (unavailable) console.warn(`real-translator tests skipped: ${unavailable}`);
const TIMEOUT = 300_000; // shared with model training: be patient, never flaky

type Err = { errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
type PostT = {
  post: {
    caption: { id: string; text: string; source: string; version: number; language: string } | null;
    de: { id: string; text: string; source: string; version: number; language: string; createdAt: string } | null;
    translations: { language: string; text: string; captionId: string; model: string }[];
    translationStatus: string;
  };
};
const POST_T = `query($id: ID!) { post(id: $id) {
  caption { id text source version language }
  de: caption(language: "de") { id text source version language createdAt }
  translations { language text captionId model } translationStatus } }`;

async function newPost(h: Harness, token: string, caption: string | null): Promise<string> {
  const r = await h.gql<{ createPost: { id: string } }>(CREATE_POST, { image: uploadOf(await makeJpeg()), caption }, token);
  if (r.errors) throw r.errors[0];
  return r.data!.createPost.id;
}

/** A job worker that runs translation jobs only, with the given translator. */
function worker(
  h: Harness,
  translator: TranslatorProvider,
  logger = pino({ level: 'silent' }),
  leaseMs = 60_000,
  pollMs?: number,
) {
  const { store, pubsub } = h.app.deps;
  return new JobWorker({
    store,
    queue: h.app.jobQueue,
    signal: h.app.jobSignal,
    logger,
    leaseMs,
    pollMs,
    backoffMs: () => 0,
    handlers: new Map([['translation', translationJobHandler({ pubsub, translator, logger })]]),
  });
}
const translationJobs = (h: Harness, postId: string) => h.app.deps.store.jobs.findByPost(postId, 'translation');

/** A pino logger whose lines land in `lines` (parsed). */
function captureLogger() {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as never);
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** Counts calls to the real (or any) translator. */
function counting(inner: TranslatorProvider) {
  const calls: string[] = [];
  const provider = Object.assign(
    async (): Promise<TranslatorLike> => {
      const t = await inner();
      return {
        modelName: t.modelName,
        languages: t.languages,
        translate: (text, to, o) => {
          calls.push(to);
          return t.translate(text, to, o);
        },
        dispose: () => t.dispose(),
      };
    },
    { unavailableReason: () => inner.unavailableReason(), dispose: () => inner.dispose() },
  );
  return { provider, calls };
}

describe('captions in other languages: API contract (no model needed)', () => {
  let h: Harness;
  let emptyModels: string;
  beforeAll(async () => {
    emptyModels = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-nomodels-'));
    h = await createHarness({ translator: lazyTranslator({ modelsDir: emptyModels }) });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(emptyModels, { recursive: true, force: true });
  });

  test('supportedLanguages lists English (the source) first, then de, fr, cs with their own names', async () => {
    const r = await h.gql('{ supportedLanguages { code name englishName source } }');
    expect(r.data).toEqual({
      supportedLanguages: [
        { code: 'en', name: 'English', englishName: 'English', source: true },
        { code: 'de', name: 'Deutsch', englishName: 'German', source: false },
        { code: 'fr', name: 'Français', englishName: 'French', source: false },
        { code: 'cs', name: 'Čeština', englishName: 'Czech', source: false },
      ],
    });
  });

  test('caption without a language is the caption as written; "en" is the same; an unknown language is a coded error', async () => {
    const { token } = await h.signUp('Lang');
    const id = await newPost(h, token, 'A dog runs on the beach.');
    const r = await h.gql<{ post: { caption: Record<string, unknown>; en: Record<string, unknown> } }>(
      'query($id: ID!) { post(id: $id) { caption { id text source version createdAt language } en: caption(language: " EN ") { id text language } } }',
      { id },
    );
    const cap = r.data!.post.caption;
    expect(cap).toMatchObject({ text: 'A dog runs on the beach.', source: 'USER', version: 1, language: 'en' });
    expect(cap.id).toMatch(/^[0-9a-z]+$/);
    expect(r.data!.post.en).toEqual({ id: cap.id, text: cap.text, language: 'en' });

    for (const bad of ['xx', 'german', '']) {
      const e = (await h.gql('query($id: ID!, $l: String) { post(id: $id) { caption(language: $l) { text } } }', {
        id,
        l: bad,
      })) as Err;
      expect(e.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        reason: 'UNSUPPORTED_LANGUAGE',
        field: 'language',
        supportedLanguages: ['en', 'de', 'fr', 'cs'],
      });
      expect(e.errors?.[0]?.message).toBe(
        `Unsupported language ${JSON.stringify(bad)}: captions are available in en, de, fr, cs`,
      );
    }
  });

  test('without a translation model: translations stay empty, the jobs stay queued, the reason is logged once', async () => {
    const { token } = await h.signUp('NoModel');
    const id = await newPost(h, token, 'Two children play in the snow.');
    const { logger, lines } = captureLogger();
    const w = worker(h, lazyTranslator({ modelsDir: emptyModels }), logger);
    for (let i = 0; i < 3; i++) expect(await w.runOnce()).toBe(false);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.reason).toContain(`no trained translation model in ${path.join(emptyModels, 'translate-multi30k')}`);
    expect((await translationJobs(h, id)).map((j) => [j.status, j.attempts])).toEqual([['PENDING', 0]]);
    const r = await h.gql<PostT>(POST_T, { id });
    expect(r.errors).toBeUndefined();
    expect(r.data!.post).toMatchObject({
      caption: { text: 'Two children play in the snow.', language: 'en' },
      de: null,
      translations: [],
      translationStatus: 'UNAVAILABLE',
    });
    const none = await newPost(h, token, null); // no caption yet: nothing to translate
    expect((await h.gql<PostT>(POST_T, { id: none })).data!.post).toMatchObject({
      caption: null,
      de: null,
      translations: [],
      translationStatus: 'NONE',
    });
  });

  test('a translator that keeps failing: retried with back-off, then the job is FAILED with the reason (the post is untouched)', async () => {
    const { token } = await h.signUp('Fails');
    const id = await newPost(h, token, 'A man rides a bike.');
    let calls = 0;
    const failing = Object.assign(
      async (): Promise<TranslatorLike> => {
        calls++;
        throw new Error('onnxruntime could not load decoder.onnx');
      },
      { unavailableReason: () => null, dispose: async () => undefined },
    );
    const w = worker(h, failing);
    // Jobs of earlier tests' posts are queued too; run until this post's job has its verdict.
    for (let i = 0; i < 20 && (await translationJobs(h, id))[0]?.status !== 'FAILED'; i++) await w.runOnce();
    const [job] = await translationJobs(h, id);
    expect(job).toMatchObject({
      status: 'FAILED',
      attempts: 3,
      lastError: 'onnxruntime could not load decoder.onnx',
      leaseOwner: null,
    });
    expect(calls).toBeGreaterThanOrEqual(3);
    const r = await h.gql<{ post: { captionStatus: string; translations: unknown[] } }>(
      'query($id: ID!) { post(id: $id) { captionStatus translations { text } translationStatus } }',
      { id },
    );
    expect(r.data!.post).toEqual({ captionStatus: 'PENDING', translations: [], translationStatus: 'FAILED' });
  });
});

describeIfModel(`${title}captions in other languages with the real translator`, () => {
  let h: Harness;
  const real = lazyTranslator({ modelsDir: env0.PIXTALE_MODELS_DIR, threads: 1 });
  beforeAll(async () => {
    h = await createHarness({ translator: real });
  });
  afterAll(async () => {
    await real.dispose();
    await h.close();
  });

  /** Runs the worker until no translation job is runnable. */
  async function drain(w: JobWorker) {
    while (await w.runOnce());
  }

  test(
    'a caption is translated into de, fr and cs; postUpdated fires per language; caption(language:) reads it',
    async () => {
      const { token } = await h.signUp('Translate');
      const id = await newPost(h, token, 'A dog runs on the beach.');
      const sub = h.app.deps.pubsub.subscribe('POST_UPDATED', id)[Symbol.asyncIterator]();
      const before = await h.gql<PostT>(POST_T, { id });
      expect(before.data!.post).toMatchObject({ de: null, translations: [], translationStatus: 'PENDING' });

      await drain(worker(h, real));
      for (let i = 0; i < TRANSLATION_LANGUAGES.length; i++) expect((await sub.next()).value).toEqual({ postId: id });
      await sub.return?.();

      const r = await h.gql<PostT>(POST_T, { id });
      expect(r.errors).toBeUndefined();
      const p = r.data!.post;
      expect(p.translationStatus).toBe('READY');
      expect(p.translations.map((t) => t.language)).toEqual(['de', 'fr', 'cs']);
      for (const t of p.translations) {
        expect(t.text.trim().length).toBeGreaterThan(0);
        expect(t.captionId).toBe(p.caption!.id);
        expect(t.model).toBe('translate-multi30k');
      }
      // The translated caption: same version, translated text, its own id; the English caption is unchanged.
      expect(p.de).toMatchObject({
        id: `${p.caption!.id}:de`,
        text: p.translations[0]!.text,
        source: 'USER',
        version: 1,
        language: 'de',
      });
      expect(p.caption).toMatchObject({ text: 'A dog runs on the beach.', language: 'en' });
      const jobs = await translationJobs(h, id);
      expect(jobs.map((j) => j.status)).toEqual(['DONE']);
      console.log(
        `real translations of "A dog runs on the beach.": ${p.translations.map((t) => `${t.language}: "${t.text}"`).join(', ')}`,
      );
    },
    TIMEOUT,
  );

  test(
    'an edit queues the new version; only the live version is shown and superseded versions are skipped',
    async () => {
      const { token } = await h.signUp('Editor');
      const id = await newPost(h, token, 'A girl in a red coat.');
      const w = worker(h, real);
      await drain(w);
      const edit = (text: string) =>
        h.gql('mutation($id: ID!, $t: String!) { editCaption(postId: $id, text: $t) { id } }', { id, t: text }, token);
      await edit('Two dogs play with a ball.');
      await edit('Two dogs play in the park.'); // edited again before the worker runs: v2 is never translated
      const { provider, calls } = counting(real);
      await drain(worker(h, provider));
      expect(calls).toEqual(['de', 'fr', 'cs']); // v3 only

      type Versions = {
        post: { caption: { id: string; version: number }; translations: { captionId: string }[]; captions: { id: string }[] };
      };
      const r = await h.gql<Versions>(
        'query($id: ID!) { post(id: $id) { caption { id version } translations { language captionId } captions { id version } } }',
        { id },
      );
      const p = r.data!.post;
      expect(p.caption.version).toBe(3);
      expect(p.translations.map((t) => t.captionId)).toEqual([p.caption.id, p.caption.id, p.caption.id]);
      const byVersion = await h.app.deps.store.translations.listByCaptions(p.captions.map((c) => c.id));
      expect(byVersion.filter((t) => t.captionId === p.captions[0]!.id)).toHaveLength(3); // v1 keeps its translations
      expect(byVersion.filter((t) => t.captionId === p.captions[1]!.id)).toHaveLength(0); // v2 was superseded
      const jobs = await translationJobs(h, id);
      expect(jobs.map((j) => j.status)).toEqual(['DONE', 'DONE', 'DONE']);
    },
    TIMEOUT,
  );

  test(
    'a worker that dies mid-job: after its lease expires the job is resumed and stored languages are not redone',
    async () => {
      const { token } = await h.signUp('Crash');
      const id = await newPost(h, token, 'A woman sits on a bench.');
      const store = h.app.deps.store;
      // The dead worker claimed the job, stored German, then vanished (kill -9): no heartbeat, no completion.
      const dead = (await store.jobs.claim(['translation'], 'dead-worker', new Date(), 1))!;
      expect(dead.postId).toBe(id);
      const de = await store.translations.save({
        captionId: dead.captionId!,
        language: 'de',
        text: 'Eine Frau sitzt auf einer Bank.',
        model: 'translate-multi30k',
      });
      await new Promise((r) => setTimeout(r, 10)); // its 1 ms lease runs out
      const { provider, calls } = counting(real);
      await drain(worker(h, provider));
      expect(calls).toEqual(['fr', 'cs']);
      const all = await store.translations.listByCaptions([dead.captionId!]);
      expect(all.map((t) => t.language).sort()).toEqual(['cs', 'de', 'fr']);
      expect(all.find((t) => t.language === 'de')).toEqual(de);
      const [job] = await translationJobs(h, id);
      expect(job).toMatchObject({ status: 'DONE', attempts: 2, leaseOwner: null });
      expect(await store.jobs.complete({ id: dead.id, token: dead.leaseToken! })).toBe(false); // the dead worker lost it
    },
    TIMEOUT,
  );

  test(
    'a translation the model is not confident in is withheld, not published: READY, that language missing',
    async () => {
      const { token } = await h.signUp('Chat');
      // A question in the first person, unlike any training caption: flagged in all three languages
      // (ml's social-captions.txt; eval:translation -- --sentences).
      const id = await newPost(h, token, 'Do you like my garden?');
      const sub = h.app.deps.pubsub.subscribe('POST_UPDATED', id)[Symbol.asyncIterator]();
      await drain(worker(h, real));
      // Nothing stored, yet subscribers hear that the job is done (translationStatus READY).
      expect((await sub.next()).value).toEqual({ postId: id });
      await sub.return?.();
      const r = await h.gql<PostT>(POST_T, { id });
      expect(r.data!.post).toMatchObject({ de: null, translations: [], translationStatus: 'READY' });
      const [job] = await translationJobs(h, id);
      expect(job).toMatchObject({ status: 'DONE', attempts: 1 });

      // Flagged in German and Czech ("Webo ist im Himmel?"), confident in French: only French is shown.
      const partly = await newPost(h, token, 'Why is the sky so blue?');
      await drain(worker(h, real));
      const p = (await h.gql<PostT>(POST_T, { id: partly })).data!.post;
      expect(p.translations.map((t) => t.language)).toEqual(['fr']);
      expect(p).toMatchObject({ de: null, translationStatus: 'READY' });
    },
    TIMEOUT,
  );

  test(
    'a caption the model cannot read (only emoji) fails at once with the reason, not three times',
    async () => {
      const { token } = await h.signUp('Emoji');
      const id = await newPost(h, token, '🐶 🐾');
      await drain(worker(h, real));
      const [job] = await translationJobs(h, id);
      expect(job).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(job!.lastError).toMatch(/Nothing to translate/);
      const r = await h.gql<PostT>(POST_T, { id });
      expect(r.data!.post).toMatchObject({ translations: [], translationStatus: 'FAILED' });
    },
    TIMEOUT,
  );

  test(
    'the worker loop translates a new caption without being asked, woken by the queue (no poll)',
    async () => {
      const { token } = await h.signUp('Loop');
      await drain(worker(h, real));
      const w = worker(h, real, pino({ level: 'silent' }), 60_000, 3_600_000);
      w.start();
      try {
        const id = await newPost(h, token, 'People walk down a busy street.');
        const deadline = Date.now() + TIMEOUT - 10_000;
        let n = 0;
        while (Date.now() < deadline && (n = (await h.gql<PostT>(POST_T, { id })).data!.post.translations.length) < 3) {
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(n).toBe(3);
      } finally {
        await w.stop();
      }
    },
    TIMEOUT,
  );
});
