import pino from 'pino';
import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from '../testing/harness';
import { CaptionWorker } from './caption.worker';

// These tests cover the job machinery with a captioner that fails; a successful caption is only
// ever produced by the real @pixtale/ml captioner (see e2e/caption.e2e.test.ts).
let h: Harness;
let calls = 0;
beforeAll(async () => {
  h = await createHarness({
    env: { CAPTION_MAX_ATTEMPTS: 2 },
    captioner: async () => {
      calls++;
      throw new Error('Model not found at "models/none" (set PIXTALE_MODELS_DIR)');
    },
  });
});
afterAll(() => h.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATUS = 'query($id:ID!){ post(id:$id) { captionStatus captionError } }';
async function newPost(token: string) {
  return (await h.gql<{ createPost: { id: string } }>(CREATE_POST, { image: uploadOf(await makeJpeg()) }, token)).data!.createPost.id;
}
function worker(leaseMs = 60_000) {
  return new CaptionWorker({
    store: h.app.deps.store, pubsub: h.app.deps.pubsub, media: h.app.deps.media, captioner: h.app.captioner,
    logger: pino({ level: 'silent' }), leaseMs, backoffMs: () => 0,
  });
}

test('a captioner error is retried, then the post goes FAILED with the reason; retryCaption queues it again', async () => {
  const { token } = await h.signUp('Fails');
  const id = await newPost(token);
  const events: string[] = [];
  const sub = h.app.deps.pubsub.subscribe('POST_UPDATED', id)[Symbol.asyncIterator]();
  const w = worker();
  calls = 0;
  expect(await w.runOnce()).toBe(true); // attempt 1 of 2: back to PENDING
  expect((await h.gql(STATUS, { id })).data).toEqual({ post: { captionStatus: 'PENDING', captionError: expect.stringContaining('Model not found') } });
  expect(await w.runOnce()).toBe(true); // attempt 2 of 2: FAILED
  expect(await w.runOnce()).toBe(false);
  expect(calls).toBe(2);
  const r = await h.gql<{ post: { captionStatus: string; captionError: string } }>(STATUS, { id });
  expect(r.data!.post).toEqual({ captionStatus: 'FAILED', captionError: 'Model not found at "models/none" (set PIXTALE_MODELS_DIR)' });
  for (let i = 0; i < 4; i++) events.push(((await sub.next()).value as { postId: string }).postId);
  await sub.return?.();
  expect(events).toEqual([id, id, id, id]); // PROCESSING, PENDING, PROCESSING, FAILED

  const retry = await h.gql<{ retryCaption: { captionStatus: string } }>('mutation($id:ID!){ retryCaption(postId:$id) { captionStatus } }', { id }, token);
  expect(retry.data!.retryCaption.captionStatus).toBe('PENDING');
  expect((await h.app.deps.store.jobs.findByPost(id)).map((j) => j.status)).toEqual(['FAILED', 'PENDING']);
  const notFailed = await h.gql('mutation($id:ID!){ retryCaption(postId:$id) { captionStatus } }', { id }, token);
  expect(notFailed.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'CAPTION_NOT_FAILED' });
  while (await w.runOnce()); // drain
});

test('a job left PROCESSING by a dead worker is picked up again once its lease expires', async () => {
  const { token } = await h.signUp('Crash');
  const id = await newPost(token);
  // The "dead" worker claimed the job and then vanished (kill -9): no heartbeat, no completion.
  const dead = await h.app.deps.store.jobs.claim('dead-worker', new Date(), 1);
  await sleep(10); // its 1 ms lease runs out
  expect(dead?.postId).toBe(id);
  await h.app.deps.store.posts.setCaptionStatus(id, 'PROCESSING');
  calls = 0;
  const w = worker();
  expect(await w.runOnce()).toBe(true);
  expect(calls).toBe(1); // the new worker ran the captioner for the orphaned job
  const [job] = await h.app.deps.store.jobs.findByPost(id);
  expect(job).toMatchObject({ attempts: 2, leaseOwner: null });
  expect(await h.app.deps.store.jobs.complete(dead!.id, 'dead-worker')).toBe(false); // the dead worker lost it
  while (await w.runOnce());
});

test('a job that keeps killing its worker is given up after maxAttempts instead of crash-looping', async () => {
  const { token } = await h.signUp('Loop');
  const id = await newPost(token);
  expect(await h.app.deps.store.jobs.claim('dead-1', new Date(), 1)).not.toBeNull();
  await sleep(10);
  expect(await h.app.deps.store.jobs.claim('dead-2', new Date(), 1)).not.toBeNull(); // lease of dead-1 had expired
  await sleep(10);
  calls = 0;
  expect(await worker().runOnce()).toBe(true); // third claim > maxAttempts (2)
  expect(calls).toBe(0);
  const r = await h.gql<{ post: { captionStatus: string } }>(STATUS, { id });
  expect(r.data!.post.captionStatus).toBe('FAILED');
});

test('the worker loop starts, is woken by new posts, and stops cleanly', async () => {
  const { token } = await h.signUp('Loop2');
  const w = worker();
  w.start();
  calls = 0;
  h.app.deps.services.posts['o'].onJobQueued = () => w.wake();
  const id = await newPost(token);
  for (let i = 0; i < 100 && (await h.app.deps.store.jobs.findByPost(id))[0]?.status !== 'FAILED'; i++) {
    await sleep(20);
  }
  await w.stop();
  expect((await h.app.deps.store.jobs.findByPost(id))[0]?.status).toBe('FAILED');
});
