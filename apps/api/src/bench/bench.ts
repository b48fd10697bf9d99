/**
 * Pixtale API benchmark: `npm run bench -w @pixtale/api` (after a build).
 *
 * 1. Seeds an embedded SQLite store (users, posts with user-written captions from Flickr8k,
 *    likes, views) in a temp dir, then starts the real API (`node dist/main.js`) on it in its
 *    own process, worker off.
 * 2. Feed: BENCH_CLIENTS (50) concurrent signed-in clients query `feed` (first page or a cursor
 *    page) for BENCH_SECONDS (10) after a warm-up; reports throughput, p50/p95/p99, errors.
 * 3. Upload-to-caption-ready: on a fresh store with the worker on, uploads BENCH_UPLOADS (5)
 *    real photos over HTTP multipart and times each until captionStatus is READY (only when
 *    the trained model is in models/; otherwise reported as skipped with the reason).
 * Prints a JSON summary as the last line. Settings: BENCH_* variables (see env.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { captionerUnavailableReason } from '../caption/captioner';
import { loadBenchSettings, loadEnv, processEnv } from '../env';
import { MediaService } from '../media/media.service';
import { openSqliteStore } from '../store/sqlite/sqlite.store';
import { datasetImages, makeJpeg } from '../testing/harness';

const env = loadEnv();
const { BENCH_CLIENTS: CLIENTS, BENCH_SECONDS: SECONDS, BENCH_WARMUP_SECONDS: WARMUP_SECONDS, BENCH_POSTS: POSTS,
  BENCH_USERS: USERS, BENCH_UPLOADS: UPLOADS, BENCH_PORT: PORT } = loadBenchSettings();
const MAIN = path.resolve(__dirname, '..', 'main.js');

const FEED_QUERY = `query Feed($after: String) { feed(first: 20, after: $after) {
  edges { cursor node { id authorName imageUrl feedImageUrl width height captionStatus caption { id text source version }
    hashtags likeCount viewCount likedByMe createdAt } }
  pageInfo { hasNextPage endCursor } } }`;

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function seed(dataDir: string) {
  const store = openSqliteStore(path.join(dataDir, 'pixtale.sqlite'));
  const media = new MediaService({ dir: path.join(dataDir, 'media'), maxBytes: env.MAX_UPLOAD_BYTES, maxPixels: env.MAX_IMAGE_PIXELS });
  await media.init();
  const ds = datasetImages(env);
  const captionsFile = path.join(env.PIXTALE_DATASETS_DIR, 'flickr8k', 'captions.tsv');
  const human = fs.existsSync(captionsFile)
    ? fs.readFileSync(captionsFile, 'utf8').split('\n').filter(Boolean).slice(0, POSTS).map((l) => l.split('\t')[2]!.replace(/ \.$/, '.'))
    : [];
  const sources = 'files' in ds ? ds.files.slice(0, 20).map((f) => fs.readFileSync(f)) : await Promise.all(Array.from({ length: 8 }, (_, i) => makeJpeg({ width: 400 + i * 10, height: 300 })));
  const images = [];
  for (const b of sources) images.push(await media.ingest(b));
  const users = [];
  for (let i = 0; i < USERS; i++) users.push(await store.users.create({ email: `bench${i}@example.com`, displayName: `Bench ${i}`, passwordHash: null }));
  const posts = [];
  for (let i = 0; i < POSTS; i++) {
    const p = await store.posts.create(
      { authorId: users[i % users.length]!.id, image: images[i % images.length]!, caption: human[i] ?? `Seeded post ${i}` },
      { maxAttempts: 1 },
    );
    posts.push(p);
  }
  const now = new Date();
  for (const [i, p] of posts.entries()) {
    for (let k = 0; k < i % 7; k++) await store.engagement.like(p.id, users[(i + k) % users.length]!.id, now);
    for (let k = 0; k < i % 11; k++) await store.engagement.recordView(p.id, `user:${users[(i * 3 + k) % users.length]!.id}`, now, 1800_000);
  }
  await store.close();
  return { users: users.length, posts: posts.length, images: images.length };
}

/** The environment handed to the API child: ours, minus anything bench-specific. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(processEnv()).filter(([k]) => !k.startsWith('BENCH_')));
}

function startApi(dataDir: string, extra: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...childEnv(), NODE_ENV: 'development', PORT: String(PORT), HOST: '127.0.0.1', PIXTALE_DATA_DIR: dataDir, LOG_LEVEL: 'info',
        RATE_LIMIT_POINTS: '100000000', AUTH_RATE_LIMIT_POINTS: '100000', UPLOAD_RATE_LIMIT_POINTS: '100000', ...extra,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => reject(new Error('API did not start in 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Pixtale API ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`API exited (${code})`)));
  });
}

async function stopApi(child: ChildProcess) {
  child.removeAllListeners('exit');
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: unknown[] } }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function signUp(url: string, i: number) {
  const r = await gql(url, 'mutation($e:String!){ signUp(email:$e, password:"bench password 1", displayName:"Client"){ token } }', {
    e: `client${i}.${Date.now()}@example.com`,
  });
  if (!r.body.data) throw new Error(`sign-up failed: ${JSON.stringify(r.body.errors)}`);
  return r.body.data.signUp.token as string;
}

async function benchFeed(url: string) {
  const tokens: string[] = [];
  for (let i = 0; i < CLIENTS; i++) tokens.push(await signUp(url, i));
  const first = await gql(url, FEED_QUERY, {}, tokens[0]);
  const cursors: string[] = first.body.data.feed.edges.map((e: { cursor: string }) => e.cursor);
  const latencies: number[] = [];
  let errors = 0;
  let requests = 0;
  let recording = false;
  const end = performance.now() + (WARMUP_SECONDS + SECONDS) * 1000;
  setTimeout(() => (recording = true), WARMUP_SECONDS * 1000);
  let recordStart = 0;
  const client = async (i: number) => {
    let n = 0;
    while (performance.now() < end) {
      // Two thirds read the first page, one third a later page (cursor pagination).
      const after = n++ % 3 === 2 ? cursors[(i + n) % cursors.length] : undefined;
      const t0 = performance.now();
      let ok = false;
      try {
        const r = await gql(url, FEED_QUERY, after ? { after } : {}, tokens[i]);
        ok = r.status === 200 && !r.body.errors && r.body.data?.feed?.edges?.length > 0;
      } catch {
        ok = false;
      }
      const ms = performance.now() - t0;
      if (recording) {
        recordStart ||= t0;
        requests++;
        latencies.push(ms);
        if (!ok) errors++;
      }
    }
  };
  await Promise.all(tokens.map((_, i) => client(i)));
  const elapsed = (performance.now() - recordStart) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    clients: CLIENTS,
    seconds: round(elapsed, 2),
    requests,
    errors,
    throughputRps: round(requests / elapsed),
    p50Ms: round(percentile(latencies, 50), 2),
    p95Ms: round(percentile(latencies, 95), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    maxMs: round(latencies.at(-1) ?? 0, 2),
  };
}

async function benchCaptions(url: string, files: string[]) {
  const token = await signUp(url, 999);
  const results: { file: string; ms: number; status: string; caption: string | null }[] = [];
  for (const file of files) {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: 'mutation($image: Upload!){ createPost(image: $image) { id } }', variables: { image: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.image'] }));
    form.append('0', new Blob([fs.readFileSync(file)], { type: 'image/jpeg' }), path.basename(file));
    const t0 = performance.now();
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' }, body: form });
    const id = ((await res.json()) as { data: { createPost: { id: string } } }).data.createPost.id;
    let status = 'PENDING';
    let caption: string | null = null;
    while (performance.now() - t0 < 120_000) {
      const r = await gql(url, 'query($id:ID!){ post(id:$id){ captionStatus captionError caption { text } } }', { id });
      status = r.body.data.post.captionStatus;
      caption = r.body.data.post.caption?.text ?? r.body.data.post.captionError;
      if (status === 'READY' || status === 'FAILED') break;
      await new Promise((r2) => setTimeout(r2, 25));
    }
    results.push({ file: path.basename(file), ms: round(performance.now() - t0), status, caption });
  }
  const warm = results.slice(1).filter((r) => r.status === 'READY').map((r) => r.ms).sort((a, b) => a - b);
  return {
    uploads: results.length,
    ready: results.filter((r) => r.status === 'READY').length,
    coldMs: results[0]?.ms ?? null,
    warmP50Ms: warm.length ? percentile(warm, 50) : null,
    warmMaxMs: warm.at(-1) ?? null,
    results,
  };
}

async function main() {
  if (!fs.existsSync(MAIN)) throw new Error(`Build first: ${MAIN} is missing (npm run build -w @pixtale/api)`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-bench-'));
  const summary: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, store: 'sqlite (WAL, file)' };
  try {
    const feedDir = path.join(root, 'feed');
    console.log(`seeding ${POSTS} posts, ${USERS} users into ${feedDir} ...`);
    summary.seed = await seed(feedDir);
    const api = await startApi(feedDir, { WORKER_ENABLED: 'false' });
    try {
      console.log(`feed: ${CLIENTS} concurrent clients for ${SECONDS}s (+${WARMUP_SECONDS}s warm-up) ...`);
      const feed = await benchFeed(`http://127.0.0.1:${PORT}`);
      summary.feed = feed;
      console.log(`feed: ${feed.throughputRps} req/s, p50 ${feed.p50Ms} ms, p95 ${feed.p95Ms} ms, p99 ${feed.p99Ms} ms, errors ${feed.errors}/${feed.requests}`);
    } finally {
      await stopApi(api);
    }

    const unavailable = captionerUnavailableReason(env.PIXTALE_MODELS_DIR);
    const ds = datasetImages(env);
    if (unavailable || 'reason' in ds) {
      summary.captions = { skipped: unavailable ?? ('reason' in ds ? ds.reason : '') };
      console.log(`upload-to-caption-ready: skipped (${unavailable ?? ('reason' in ds ? ds.reason : '')})`);
    } else {
      const capDir = path.join(root, 'captions');
      const api2 = await startApi(capDir, { WORKER_ENABLED: 'true' });
      try {
        const dev = path.join(env.PIXTALE_DATASETS_DIR, 'flickr8k', 'splits', 'dev.txt');
        const names = fs.existsSync(dev) ? fs.readFileSync(dev, 'utf8').split('\n').filter(Boolean) : [];
        const files = (names.length ? names.map((n) => path.join(path.dirname(ds.files[0]!), n)) : ds.files).slice(0, UPLOADS);
        console.log(`upload-to-caption-ready: ${files.length} photos, one at a time ...`);
        const cap = await benchCaptions(`http://127.0.0.1:${PORT}`, files);
        summary.captions = cap;
        for (const r of cap.results) console.log(`  ${r.file}: ${r.ms} ms ${r.status} "${r.caption}"`);
        console.log(`upload-to-caption-ready: cold ${cap.coldMs} ms (includes model load), warm p50 ${cap.warmP50Ms} ms`);
      } finally {
        await stopApi(api2);
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(JSON.stringify(summary));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
