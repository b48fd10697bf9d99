import pino from 'pino';
import { captionerUnavailableReason, lazyCaptioner, type CaptionerLike, type CaptionerProvider } from '../caption/captioner';
import { testEnv } from '../env';
import { CREATE_POST, createHarness, makeJpeg, testPhotos, uploadOf, type Harness } from '../testing/harness';
import type { TranslatorProvider } from '../translation/translator';
import { captionJobHandler } from './caption.job';
import { JobWorker } from './job.worker';
import { translationJobHandler } from './translation.job';

// The job machinery with a captioner and a translator that fail; a successful caption is only
// ever produced by the real @pixtale/ml captioner (below, and e2e/caption.e2e.test.ts).
let h: Harness;
let calls = 0;
const failingCaptioner: CaptionerProvider = async () => {
  calls++;
  throw new Error('Model not found at "models/none" (set PIXTALE_MODELS_DIR)');
};
let translatorCalls = 0;
const failingTranslator: TranslatorProvider = Object.assign(
  async () => {
    translatorCalls++;
    throw new Error('onnxruntime could not load decoder.onnx');
  },
  { unavailableReason: () => null, dispose: async () => undefined },
);
beforeAll(async () => {
  h = await createHarness({ env: { CAPTION_MAX_ATTEMPTS: 2 }, captioner: failingCaptioner });
});
afterAll(() => h.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATUS = 'query($id:ID!){ post(id:$id) { captionStatus captionError } }';
async function newPost(token: string, caption: string | null = null) {
  return (await h.gql<{ createPost: { id: string } }>(CREATE_POST, { image: uploadOf(await makeJpeg()), caption }, token)).data!
    .createPost.id;
}
function worker(o: { leaseMs?: number; pollMs?: number; captioner?: CaptionerProvider; translator?: TranslatorProvider } = {}) {
  const { store, pubsub, media } = h.app.deps;
  const logger = pino({ level: 'silent' });
  const handlers = new Map([
    ['caption' as const, captionJobHandler({ pubsub, media, captioner: o.captioner ?? failingCaptioner })],
  ]);
  const w = new JobWorker({
    store,
    queue: h.app.jobQueue,
    signal: h.app.jobSignal,
    logger,
    leaseMs: o.leaseMs ?? 60_000,
    pollMs: o.pollMs,
    backoffMs: () => 0,
    handlers: o.translator
      ? new Map([...handlers, ['translation', translationJobHandler({ pubsub, translator: o.translator, logger })]])
      : handlers,
  });
  return w;
}
const captionJobs = (postId: string) => h.app.deps.store.jobs.findByPost(postId, 'caption');
/** Runs every runnable job with a worker that fails them all, so later tests start from an idle queue. */
const drain = async () => {
  const w = worker({ translator: failingTranslator });
  while (await w.runOnce());
};

test('a captioner error is retried, then the post goes FAILED with the reason; retryCaption queues it again', async () => {
  const { token } = await h.signUp('Fails');
  const id = await newPost(token);
  const events: string[] = [];
  const sub = h.app.deps.pubsub.subscribe('POST_UPDATED', id)[Symbol.asyncIterator]();
  const w = worker();
  calls = 0;
  expect(await w.runOnce()).toBe(true); // attempt 1 of 2: back to PENDING
  expect((await h.gql(STATUS, { id })).data).toEqual({
    post: { captionStatus: 'PENDING', captionError: expect.stringContaining('Model not found') },
  });
  expect(await w.runOnce()).toBe(true); // attempt 2 of 2: FAILED
  expect(await w.runOnce()).toBe(false);
  expect(calls).toBe(2);
  const r = await h.gql<{ post: { captionStatus: string; captionError: string } }>(STATUS, { id });
  expect(r.data!.post).toEqual({
    captionStatus: 'FAILED',
    captionError: 'Model not found at "models/none" (set PIXTALE_MODELS_DIR)',
  });
  for (let i = 0; i < 4; i++) events.push(((await sub.next()).value as { postId: string }).postId);
  await sub.return?.();
  expect(events).toEqual([id, id, id, id]); // PROCESSING, PENDING, PROCESSING, FAILED

  const retry = await h.gql<{ retryCaption: { captionStatus: string } }>(
    'mutation($id:ID!){ retryCaption(postId:$id) { captionStatus } }',
    { id },
    token,
  );
  expect(retry.data!.retryCaption.captionStatus).toBe('PENDING');
  expect((await captionJobs(id)).map((j) => j.status)).toEqual(['FAILED', 'PENDING']);
  const notFailed = await h.gql('mutation($id:ID!){ retryCaption(postId:$id) { captionStatus } }', { id }, token);
  expect(notFailed.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'CAPTION_NOT_FAILED' });
  expect(await captionJobs(id)).toHaveLength(2); // the refused retry queued nothing
  await drain();
});

test('a job left PROCESSING by a dead worker is picked up again once its lease expires', async () => {
  const { token } = await h.signUp('Crash');
  const id = await newPost(token);
  // The "dead" worker claimed the job and then vanished (kill -9): no heartbeat, no completion.
  const dead = (await h.app.deps.store.jobs.claim(['caption'], 'dead-worker', new Date(), 1))!;
  await sleep(10); // its 1 ms lease runs out
  expect(dead.postId).toBe(id);
  await h.app.deps.store.posts.setCaptionStatus(id, 'PROCESSING');
  calls = 0;
  const w = worker();
  expect(await w.runOnce()).toBe(true);
  expect(calls).toBe(1); // the new worker ran the captioner for the orphaned job
  const [job] = await captionJobs(id);
  expect(job).toMatchObject({ attempts: 2, leaseOwner: null });
  expect(await h.app.deps.store.jobs.complete({ id: dead.id, token: dead.leaseToken! })).toBe(false); // the dead worker lost it
  await drain();
});

test('a job that keeps killing its worker is given up after maxAttempts instead of crash-looping', async () => {
  const { token } = await h.signUp('Loop');
  const id = await newPost(token);
  expect(await h.app.deps.store.jobs.claim(['caption'], 'dead-1', new Date(), 1)).not.toBeNull();
  await sleep(10);
  expect(await h.app.deps.store.jobs.claim(['caption'], 'dead-2', new Date(), 1)).not.toBeNull(); // lease of dead-1 had expired
  await sleep(10);
  calls = 0;
  expect(await worker().runOnce()).toBe(true); // third claim > maxAttempts (2)
  expect(calls).toBe(0);
  const r = await h.gql<{ post: { captionStatus: string } }>(STATUS, { id });
  expect(r.data!.post.captionStatus).toBe('FAILED');
});

test('every new caption version queues its translation, in the transaction that adds it', async () => {
  const { token } = await h.signUp('Versions');
  const id = await newPost(token, 'a dog');
  const v1 = (await h.app.deps.store.posts.findById(id))!.currentCaptionId;
  await h.gql('mutation($id:ID!,$t:String!){ editCaption(postId:$id, text:$t) { id } }', { id, t: 'a red dog' }, token);
  const v2 = (await h.app.deps.store.posts.findById(id))!.currentCaptionId;
  const jobs = await h.app.deps.store.jobs.findByPost(id);
  expect(jobs.map((j) => [j.kind, j.captionId, j.status, j.maxAttempts])).toEqual([
    ['caption', null, 'PENDING', 2],
    ['translation', v1, 'PENDING', 3],
    ['translation', v2, 'PENDING', 3],
  ]);
  const none = await newPost(token); // no caption yet: nothing to translate
  expect((await h.app.deps.store.jobs.findByPost(none)).map((j) => j.kind)).toEqual(['caption']);
  await drain();
});

test('the worker loop wakes on every queued kind at once (not at its poll), runs kinds side by side and stops cleanly', async () => {
  const { token } = await h.signUp('Wake');
  await drain();
  const w = worker({ pollMs: 3_600_000, translator: failingTranslator }); // only a wake-up can start a job in time
  w.start();
  try {
    await sleep(50); // idle, asleep
    calls = 0;
    translatorCalls = 0;
    const id = await newPost(token, 'a cat');
    const settled = async () => (await h.app.deps.store.jobs.findByPost(id)).every((j) => j.status === 'FAILED');
    for (let i = 0; i < 250 && !(await settled()); i++) await sleep(20);
    expect((await h.app.deps.store.jobs.findByPost(id)).map((j) => [j.kind, j.status])).toEqual([
      ['caption', 'FAILED'],
      ['translation', 'FAILED'],
    ]);
    expect([calls, translatorCalls]).toEqual([2, 3]);
    // An edit queues only a translation job: the translation side is woken too.
    await h.gql('mutation($id:ID!,$t:String!){ editCaption(postId:$id, text:$t) { id } }', { id, t: 'a black cat' }, token);
    const last = async () => (await h.app.deps.store.jobs.findByPost(id, 'translation')).at(-1)!;
    for (let i = 0; i < 250 && (await last()).status !== 'FAILED'; i++) await sleep(20);
    expect(await last()).toMatchObject({ status: 'FAILED', attempts: 3 });
  } finally {
    await w.stop();
  }
});

test('a stopping worker lets its job finish within the grace period, then releases it for another worker; its late outcome is refused', async () => {
  const { token } = await h.signUp('Stop');
  await drain();
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  let finish!: () => void;
  const slowCaptioner: CaptionerProvider = async () => {
    started();
    await new Promise<void>((r) => (finish = r));
    throw new Error('captioner interrupted');
  };
  const w = worker({ captioner: slowCaptioner });
  w.start();
  const id = await newPost(token);
  await running;
  const [claimed] = await captionJobs(id);
  expect(claimed).toMatchObject({ status: 'PROCESSING', attempts: 1 });
  await w.stop(50);
  const [released] = await captionJobs(id);
  expect(released).toMatchObject({ status: 'PENDING', attempts: 0, leaseToken: null });
  finish(); // the cut-short run ends now: its failure must not count against the released job
  await sleep(50);
  expect((await captionJobs(id))[0]).toMatchObject({ status: 'PENDING', attempts: 0, lastError: null });
  await drain();
});

const env0 = testEnv();
const noModel = captionerUnavailableReason(env0.PIXTALE_MODELS_DIR);
(noModel ? describe.skip : describe)(`${noModel ? `PENDING (${noModel}): ` : ''}with the real captioner`, () => {
  const real = lazyCaptioner({ modelsDir: env0.PIXTALE_MODELS_DIR, threads: 2 });
  afterAll(() => real.dispose());

  test('a worker whose lease expired and was claimed again never applies its late result; the new holder applies its own, once', async () => {
    const { token } = await h.signUp('Lease');
    await drain();
    const [photo] = await testPhotos(1, env0);
    const id = (await h.gql<{ createPost: { id: string } }>(CREATE_POST, { image: uploadOf(photo!.bytes) }, token)).data!
      .createPost.id;
    // Worker A captions with the real model but is held up (a stalled process) until its lease has expired.
    let resume!: () => void;
    const stalled = new Promise<void>((r) => (resume = r));
    let started!: () => void;
    const inCaptioner = new Promise<void>((r) => (started = r));
    const slow: CaptionerProvider = async (): Promise<CaptionerLike> => {
      const c = await real();
      return {
        modelName: c.modelName,
        suggestHashtags: (image, text) => c.suggestHashtags(image, text),
        dispose: () => c.dispose(),
        caption: async (image, o) => {
          started();
          await stalled;
          const r = await c.caption(image, o);
          return {
            ...r,
            caption: `late ${r.caption}`,
            alternatives: r.alternatives.map((a) => ({ ...a, text: `late ${a.text}` })),
          };
        },
      };
    };
    const a = worker({ leaseMs: 200, captioner: slow }).runOnce();
    await inCaptioner;
    // A heartbeats once a second at the soonest, so its 200 ms lease lapses most of each second:
    // B claims the job again in such a gap and captions it.
    const b = worker({ captioner: real });
    let claimed = false;
    for (let i = 0; i < 100 && !(claimed = await b.runOnce()); i++) await sleep(50);
    expect(claimed).toBe(true);
    resume();
    expect(await a).toBe(true); // A finishes its work, but its result is refused
    const post = (await h.app.deps.store.posts.findById(id))!;
    const captions = await h.app.deps.store.captions.listByPosts([id]);
    expect(post.captionStatus).toBe('READY');
    expect(captions.map((c) => [c.source, c.version])).toEqual([['MODEL', 1]]);
    expect(captions[0]!.text).not.toMatch(/^late /);
    expect(post.suggestions.every((s) => !s.text.startsWith('late '))).toBe(true);
    expect((await captionJobs(id)).map((j) => [j.status, j.attempts, j.leaseToken])).toEqual([['DONE', 2, null]]);
    // The model's caption queued its translation exactly once.
    expect((await h.app.deps.store.jobs.findByPost(id, 'translation')).map((j) => j.captionId)).toEqual([captions[0]!.id]);
  }, 300_000);
});
