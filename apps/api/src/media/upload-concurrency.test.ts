import fs from 'node:fs';
import sharp from 'sharp';
import { LIMITS } from '@pixtale/shared';
import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from '../testing/harness';

// Real uploads through the schema (resolver -> PostService -> MediaService -> sharp -> disk).
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

type Created = { createPost: { id: string; imageUrl: string } };
const outcome = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  r.errors?.[0] ? String(r.errors[0].extensions?.code ?? 'UNCODED_ERROR') : 'OK';
const upload = (token: string, bytes: Buffer, mimetype = 'image/jpeg') =>
  h.gql<Created>(CREATE_POST, { image: uploadOf(bytes, 'photo', mimetype) }, token);

test('4 concurrent uploads of the same JPEG all succeed and share one content-addressed file', async () => {
  const users = await Promise.all([h.signUp('Same1'), h.signUp('Same2')]);
  const jpeg = await makeJpeg({ width: 1200, height: 900 });
  const results = await Promise.all([0, 1, 2, 3].map((i) => upload(users[i % 2]!.token, jpeg)));
  expect(results.map(outcome)).toEqual(['OK', 'OK', 'OK', 'OK']);
  const urls = new Set(results.map((r) => r.data!.createPost.imageUrl));
  expect(urls.size).toBe(1);
  // No temp file is left behind.
  expect(fs.readdirSync(h.app.deps.media.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('deleting one post keeps the file another post with the same image uses, even while uploads race', async () => {
  const [a, b] = [await h.signUp('Del1'), await h.signUp('Del2')];
  const jpeg = await makeJpeg({ width: 700, height: 500 });
  const first = await upload(a.token, jpeg);
  const firstId = first.data!.createPost.id;
  // Delete A's post while B uploads the same image four times.
  const [, ...others] = await Promise.all([
    h.gql('mutation($id: ID!){ deletePost(postId: $id) }', { id: firstId }, a.token),
    ...[0, 1, 2, 3].map(() => upload(b.token, jpeg)),
  ]);
  for (const r of others) {
    expect(outcome(r)).toBe('OK');
    const post = await h.app.deps.store.posts.findById(r.data!.createPost.id);
    for (const v of [post!.image.feed, post!.image.detail, post!.image.detailJpeg]) {
      expect(fs.existsSync(h.app.deps.media.pathOf(v))).toBe(true);
    }
  }
  // Deleting all but one of B's posts still leaves the files; deleting the last removes them.
  const ids = others.map((r) => r.data!.createPost.id);
  for (const id of ids.slice(0, -1)) await h.gql('mutation($id: ID!){ deletePost(postId: $id) }', { id }, b.token);
  const last = await h.app.deps.store.posts.findById(ids.at(-1)!);
  expect(fs.existsSync(h.app.deps.media.pathOf(last!.image.detail))).toBe(true);
  await h.gql('mutation($id: ID!){ deletePost(postId: $id) }', { id: ids.at(-1) }, b.token);
  expect(fs.existsSync(h.app.deps.media.pathOf(last!.image.detail))).toBe(false);
});

/** Peak resident memory of this process since the last reset (Linux: VmHWM, reset through clear_refs). */
function resetPeakRss() {
  fs.writeFileSync('/proc/self/clear_refs', '5');
}
function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return Number(m![1]) * 1024;
}

test('8 concurrent 49-megapixel PNGs (tiny on disk) beside 4 honest photos: all succeed, resident memory grows by under 400 MB', async () => {
  const side = 7000; // 49 MP, inside the pixel limit
  expect(side * side).toBeLessThanOrEqual(LIMITS.maxImagePixels);
  // Eight different bombs (content-addressing must not turn them into one decode).
  const colours = ['#3a7', '#c33', '#fc4', '#36c', '#777', '#a3c', '#0aa', '#f80'];
  const bombs = [];
  for (const background of colours) {
    bombs.push(
      await sharp({ create: { width: side, height: side, channels: 3, background } })
        .png({ compressionLevel: 9 })
        .toBuffer(),
    );
  }
  expect(Math.max(...bombs.map((b) => b.length))).toBeLessThan(1024 * 1024);
  const photos = await Promise.all([1, 2, 3, 4].map((i) => makeJpeg({ width: 1000 + i, height: 800 })));
  const { token } = await h.signUp('Bomber');
  resetPeakRss();
  const before = process.memoryUsage().rss;
  const [bombResults, photoResults] = await Promise.all([
    Promise.all(bombs.map((b) => upload(token, b, 'image/png'))),
    Promise.all(photos.map((p) => upload(token, p))),
  ]);
  const growth = peakRssBytes() - before;
  console.log(`8 x 49 MP + 4 photos: peak RSS growth ${Math.round(growth / 1024 / 1024)} MB`);
  expect(bombResults.map(outcome)).toEqual(Array(8).fill('OK'));
  expect(photoResults.map(outcome)).toEqual(Array(4).fill('OK'));
  expect(growth).toBeLessThan(400 * 1024 * 1024);
}, 180_000);
