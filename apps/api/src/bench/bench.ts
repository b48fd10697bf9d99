/**
 * Pixtale API benchmark: `npm run bench -w @pixtale/api` (after a build).
 *
 * 1. Seeds an embedded SQLite store (users, posts with user-written captions from Flickr8k,
 *    likes, views) in a temp dir, then starts the real API (`node dist/main.js`) on it in its
 *    own process, worker off (BENCH_NODE_ARGS adds node flags to it, e.g. --cpu-prof).
 * 2. Feed: BENCH_CLIENTS (50) concurrent signed-in clients (autocannon keep-alive connections,
 *    in this process, so the load generator never shares the API's event loop) query `feed`
 *    (first page or a cursor page), closed loop: a warm-up, then BENCH_RUNS (3) consecutive runs
 *    of BENCH_SECONDS (10); reports per run throughput, p50/p95/p99, errors, CPU of the server
 *    and of the load generator, the load average before and after, and the median run by p95.
 *    Side by side in the same run: one API process; the same process at a fixed offered rate
 *    (open loop, BENCH_OPEN_RATE, 500 req/s); two API processes over Redis (ROLE=api, when
 *    redis-server is installed); and the floor, a bare node:http server answering the same
 *    page, with the ratio ours/floor, which means something on any machine. The same API process
 *    also answers an empty operation (`{ __typename }`, same clients and headers): what HTTP,
 *    Apollo and the viewer check cost before any feed work, with the ratio ours/empty; and a
 *    process with SHARED_RESULTS=false (every feed request executed in full), with shared/not.
 * 3. Upload-to-caption-ready: on a fresh store with the worker on, uploads BENCH_UPLOADS (5)
 *    real photos over HTTP multipart and times each until captionStatus is READY (only when
 *    the trained model is in models/; otherwise reported as skipped with the reason).
 * Prints a JSON summary as the last line. Settings: BENCH_* variables (see env.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { captionerUnavailableReason } from '../caption/captioner';
import { loadBenchSettings, loadEnv, processEnv } from '../env';
import { MediaService } from '../media/media.service';
import { openSqliteStore } from '../store/sqlite/sqlite.store';
import { datasetImages, makeJpeg } from '../testing/harness';
import { redisServerUnavailableReason, startRedisServer } from '../testing/redis-server';

const env = loadEnv();
const {
  BENCH_CLIENTS: CLIENTS,
  BENCH_SECONDS: SECONDS,
  BENCH_WARMUP_SECONDS: WARMUP_SECONDS,
  BENCH_POSTS: POSTS,
  BENCH_USERS: USERS,
  BENCH_UPLOADS: UPLOADS,
  BENCH_PORT: PORT,
  BENCH_RUNS: RUNS,
  BENCH_NODE_ARGS: NODE_ARGS,
  BENCH_OPEN_RATE: OPEN_RATE,
} = loadBenchSettings();
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
  const media = new MediaService({
    dir: path.join(dataDir, 'media'),
    maxBytes: env.MAX_UPLOAD_BYTES,
    maxPixels: env.MAX_IMAGE_PIXELS,
  });
  await media.init();
  const ds = datasetImages(env);
  const captionsFile = path.join(env.PIXTALE_DATASETS_DIR, 'flickr8k', 'captions.tsv');
  const human = fs.existsSync(captionsFile)
    ? fs
        .readFileSync(captionsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .slice(0, POSTS)
        .map((l) => l.split('\t')[2]!.replace(/ \.$/, '.'))
    : [];
  const sources =
    'files' in ds
      ? ds.files.slice(0, 20).map((f) => fs.readFileSync(f))
      : await Promise.all(Array.from({ length: 8 }, (_, i) => makeJpeg({ width: 400 + i * 10, height: 300 })));
  const images = [];
  for (const b of sources) images.push(await media.ingest(b));
  const users = [];
  for (let i = 0; i < USERS; i++)
    users.push(await store.users.create({ email: `bench${i}@example.com`, displayName: `Bench ${i}`, passwordHash: null }));
  const posts = [];
  for (let i = 0; i < POSTS; i++) {
    const p = await store.posts.create({
      authorId: users[i % users.length]!.id,
      image: images[i % images.length]!,
      caption: null,
    });
    // Stored as the caption worker leaves a post: live MODEL caption, suggestions, hashtags and
    // per-word attention over the encoder's 8x8 grid (a feed page reads these rows too).
    const text = human[i] ?? `Seeded post ${i}`;
    const words = text
      .toLowerCase()
      .replace(/[^a-z ]/g, '')
      .split(' ')
      .filter(Boolean);
    const weights = (w: number) => Array.from({ length: 64 }, (_, k) => ((w * 31 + k * 17) % 64) / 2016);
    await store.posts.applyCaptionResult(p.id, {
      caption: text,
      suggestions: [1, 2, 3].map((k) => ({ text: `${text} (${k})`, score: -0.4 * k })),
      hashtags: words
        .filter((w) => w.length > 3)
        .slice(0, 5)
        .map((w) => `#${w}`),
      attention: { gridWidth: 8, gridHeight: 8, words: words.map((word, w) => ({ word, weights: weights(w) })) },
      model: 'bench-seed',
    });
    posts.push(p);
  }
  const now = new Date();
  for (const [i, p] of posts.entries()) {
    for (let k = 0; k < i % 7; k++) await store.engagement.like(p.id, users[(i + k) % users.length]!.id, now);
    for (let k = 0; k < i % 11; k++)
      await store.engagement.recordView(p.id, `user:${users[(i * 3 + k) % users.length]!.id}`, now, 1800_000);
  }
  await store.close();
  return { users: users.length, posts: posts.length, images: images.length };
}

/** The environment handed to the API child: ours, minus anything bench-specific. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(processEnv()).filter(([k]) => !k.startsWith('BENCH_')));
}

function startApi(dataDir: string, extra: Record<string, string>, port = PORT): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_ARGS, MAIN], {
      env: {
        ...childEnv(),
        NODE_ENV: 'development',
        API_PORT: String(port),
        HOST: '127.0.0.1',
        PIXTALE_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        RATE_LIMIT_POINTS: '100000000',
        AUTH_RATE_LIMIT_POINTS: '100000',
        UPLOAD_RATE_LIMIT_POINTS: '100000',
        COMMENT_RATE_LIMIT_POINTS: '100000',
        ...extra,
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
  const r = await gql(
    url,
    'mutation($e:String!){ signUp(email:$e, password:"bench password 1", displayName:"Client"){ token } }',
    {
      e: `client${i}.${Date.now()}@example.com`,
    },
  );
  if (!r.body.data) throw new Error(`sign-up failed: ${JSON.stringify(r.body.errors)}`);
  return r.body.data.signUp.token as string;
}

/** A server under load: where to send requests, and the process whose CPU time is counted. */
interface Target {
  url: string;
  pid: number;
}

/**
 * The feed load, closed loop: `tokens.length` keep-alive connections, one signed-in client each,
 * spread evenly over the targets (one autocannon session per target); a client sends its next
 * request when the last one is answered. A warm-up (connections opened, operations compiled), then
 * `runs` consecutive windows of `seconds`, each reported on its own; a response counts in the
 * window it completed in; CPU is the targets' processes together.
 */
function feedLoad(
  targets: Target[],
  tokens: string[],
  cursors: string[],
  runs: number,
  seconds: number,
  operation: LoadOperation = FEED_OPERATION,
): Promise<FeedRun[]> {
  const body = (after?: string) =>
    JSON.stringify({ query: operation.query, variables: after && operation.paged ? { after } : {} });
  type Sample = { at: number; apiCpuMs: number; own: NodeJS.CpuUsage; load: number[] };
  const sample = (): Sample => ({
    at: performance.now(),
    apiCpuMs: targets.reduce((sum, t) => sum + cpuMsOf(t.pid), 0),
    own: process.cpuUsage(),
    load: loadavg(),
  });
  const windows: { latencies: number[]; errors: number; start: Sample; end?: Sample }[] = [];
  let current: (typeof windows)[number] | null = null; // null during the warm-up
  let next = 0;
  const instances: ReturnType<typeof autocannon>[] = [];
  const finished = targets.map(
    (target, t) =>
      new Promise<void>((resolve, reject) => {
        const instance = autocannon(
          {
            url: `${target.url}/graphql`,
            connections: Math.floor(tokens.length / targets.length) + (t < tokens.length % targets.length ? 1 : 0),
            duration: WARMUP_SECONDS + runs * seconds + 60, // stopped after the last window
            timeout: 30,
            // Two thirds of a client's requests read the first page, one third a later page
            // (cursor pagination), each client its own cursors.
            setupClient(client) {
              const i = next++;
              const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` };
              const req = (after?: string) => ({ method: 'POST', path: '/graphql', headers, body: body(after) });
              client.setRequests([0, 1, 2].flatMap((k) => [req(), req(), req(cursors[(i + k * 7) % cursors.length])]));
            },
            verifyBody: operation.verify,
          },
          (err) => {
            if (!err) return resolve();
            for (const other of instances) other.stop(); // one failed: end the whole load
            reject(err);
          },
        );
        instance.on('response', (_client, status, _bytes, ms) => {
          if (!current) return;
          current.latencies.push(ms);
          if (status !== 200) current.errors++;
        });
        instance.on('reqMismatch', () => current && current.errors++);
        instance.on('reqError', () => current && current.errors++);
        instances.push(instance);
      }),
  );
  const boundary = (k: number) => {
    const now = sample();
    if (current) current.end = now;
    if (k === runs) {
      current = null;
      for (const instance of instances) instance.stop();
      return;
    }
    current = { latencies: [], errors: 0, start: now };
    windows.push(current);
    setTimeout(() => boundary(k + 1), seconds * 1000);
  };
  setTimeout(() => boundary(0), WARMUP_SECONDS * 1000);
  return Promise.all(finished).then(() =>
    windows.map((w) => {
      const end = w.end!;
      const elapsed = (end.at - w.start.at) / 1000;
      const apiCpuMs = end.apiCpuMs - w.start.apiCpuMs;
      const ownCpuMs = (end.own.user + end.own.system - w.start.own.user - w.start.own.system) / 1000;
      return {
        clients: tokens.length,
        seconds: round(elapsed, 2),
        ...latencySummary(w.latencies, w.errors, elapsed),
        apiCpuMsPerRequest: round(apiCpuMs / Math.max(1, w.latencies.length), 3),
        apiCpuCores: round(apiCpuMs / 1000 / elapsed, 2),
        clientCpuCores: round(ownCpuMs / 1000 / elapsed, 2),
        loadavgBefore: w.start.load,
        loadavgAfter: end.load,
      };
    }),
  );
}

/** What the closed-loop clients send, and how each answer is checked. */
interface LoadOperation {
  query: string;
  /** Whether it takes the clients' `$after` cursors. */
  paged: boolean;
  verify: (body: string) => boolean;
}

const FEED_OPERATION: LoadOperation = {
  query: FEED_QUERY,
  paged: true,
  // A non-empty feed page and no GraphQL errors (a full JSON check runs before the load).
  verify: (b) => b.startsWith('{"data":{"feed":{"edges":[{') && !b.includes('"errors":'),
};

/**
 * The empty operation: the same signed-in clients and connections, a query that reads nothing.
 * What the HTTP and GraphQL layers cost per request before any feed work; the feed's own cost is
 * the difference.
 */
const EMPTY_OPERATION: LoadOperation = {
  query: 'query Empty { __typename }',
  paged: false,
  verify: (b) => b.trimEnd() === '{"data":{"__typename":"Query"}}',
};

/** Count, errors, throughput and percentiles of one window's latencies (ms). */
function latencySummary(latencies: number[], errors: number, elapsedSeconds: number) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    errors,
    throughputRps: round(sorted.length / elapsedSeconds),
    p50Ms: round(percentile(sorted, 50), 2),
    p95Ms: round(percentile(sorted, 95), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.at(-1) ?? 0, 2),
  };
}

interface FeedRun {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  throughputRps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time of the API process (user + system) per answered request. */
  apiCpuMsPerRequest: number;
  /** CPU used by the API process, and by this (load generator) process, in cores. */
  apiCpuCores: number;
  clientCpuCores: number;
  /** /proc/loadavg (1, 5, 15 min) before and after the run: the machine is shared. */
  loadavgBefore: number[];
  loadavgAfter: number[];
}

const loadavg = () => os.loadavg().map((n) => round(n, 2));

/** User + system CPU time of a process in ms (Linux /proc; 0 elsewhere). */
function cpuMsOf(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100)
  } catch {
    return 0;
  }
}

/**
 * Open loop: requests leave at a fixed offered rate whether or not earlier ones were answered
 * (as users arrive), spread over the targets; latency counts from when a request was due, so a
 * stall is not hidden by sending less (no coordinated omission).
 */
async function openLoop(urls: string[], tokens: string[], cursors: string[], rate: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now() + 50;
  await new Promise<void>((resolve) => {
    let sent = 0;
    let done = 0;
    const finish = (due: number, ok: boolean) => {
      latencies.push(performance.now() - due);
      if (!ok) errors++;
      if (++done === total) resolve();
    };
    const send = (i: number, due: number) => {
      const after = i % 3 === 2 ? cursors[i % cursors.length] : undefined;
      const req = http.request(
        `${urls[i % urls.length]}/graphql`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
        },
        (res) => {
          let b = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (b += d));
          res.on('end', () => finish(due, res.statusCode === 200 && b.startsWith('{"data":{"feed":{"edges":[{')));
        },
      );
      req.on('error', () => finish(due, false));
      req.setTimeout(30_000, () => req.destroy(new Error('timed out'))); // counted as an error, never hangs the run
      req.end(JSON.stringify({ query: FEED_QUERY, variables: after ? { after } : {} }));
    };
    const tick = () => {
      const now = performance.now();
      for (; sent < total && start + (sent * 1000) / rate <= now; sent++) send(sent, start + (sent * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
    };
    setTimeout(tick, 50);
  });
  agent.destroy();
  return { offeredRps: rate, ...latencySummary(latencies, errors, (performance.now() - start) / 1000) };
}

/**
 * The floor: a bare node:http server in its own process answering every request with the feed
 * page the API gave (same bytes), loaded exactly like the API; what Node and the kernel cost here.
 */
function startFloor(page: string, port: number): Promise<ChildProcess> {
  const script = `const page = Buffer.from(process.env.FLOOR_PAGE);
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': page.length });
    res.end(page);
  });
}).listen(${port}, '127.0.0.1', () => console.log('floor ready'));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...childEnv(), FLOOR_PAGE: page },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
  });
}

/** The run with the median p95, and every run. */
function median(runs: FeedRun[]) {
  return { ...[...runs].sort((a, b) => a.p95Ms - b.p95Ms)[Math.floor(runs.length / 2)]!, runs };
}

function printRuns(label: string, runs: FeedRun[]) {
  for (const [r, run] of runs.entries()) {
    console.log(
      `  ${label} run ${r + 1}: ${run.throughputRps} req/s, p50 ${run.p50Ms} ms, p95 ${run.p95Ms} ms, p99 ${run.p99Ms} ms, ` +
        `errors ${run.errors}/${run.requests}, server ${run.apiCpuMsPerRequest} ms CPU/request (${run.apiCpuCores} cores), ` +
        `client ${run.clientCpuCores} cores, load ${run.loadavgBefore[0]} -> ${run.loadavgAfter[0]}`,
    );
  }
}

/**
 * Signs the clients up, checks one full answer, and returns them with cursors and the page as
 * served (the floor answers with it).
 */
async function prepareClients(url: string) {
  const tokens: string[] = [];
  for (let i = 0; i < CLIENTS; i++) tokens.push(await signUp(url, i));
  // Check the full response once (the load runs only check its shape, to keep the client cheap).
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` },
    body: JSON.stringify({ query: FEED_QUERY }),
  });
  const page = await res.text();
  const first = JSON.parse(page) as {
    data?: { feed?: { edges?: { cursor: string; node: Record<string, unknown> }[] } };
    errors?: unknown;
  };
  const edges = first.data?.feed?.edges;
  if (
    res.status !== 200 ||
    first.errors ||
    !edges?.length ||
    edges.some((e) => typeof e.node.likedByMe !== 'boolean' || !e.node.authorName)
  ) {
    throw new Error(`unexpected feed response: ${page.slice(0, 500)}`);
  }
  return { tokens, cursors: edges.map((e) => e.cursor), page };
}

async function benchCaptions(url: string, files: string[]) {
  const token = await signUp(url, 999);
  const results: { file: string; ms: number; status: string; caption: string | null }[] = [];
  for (const file of files) {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: 'mutation($image: Upload!){ createPost(image: $image) { id } }', variables: { image: null } }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.image'] }));
    form.append('0', new Blob([fs.readFileSync(file)], { type: 'image/jpeg' }), path.basename(file));
    const t0 = performance.now();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
      body: form,
    });
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
  const warm = results
    .slice(1)
    .filter((r) => r.status === 'READY')
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  return {
    uploads: results.length,
    ready: results.filter((r) => r.status === 'READY').length,
    coldMs: results[0]?.ms ?? null,
    warmP50Ms: warm.length ? percentile(warm, 50) : null,
    warmMaxMs: warm.at(-1) ?? null,
    results,
  };
}

/**
 * The feed, side by side in one run: one API process (closed loop, then open loop at
 * BENCH_OPEN_RATE), two API processes over Redis on the same data dir (when redis-server is
 * installed), and the floor (a bare server answering the same page), with ours/floor.
 */
async function benchFeed(feedDir: string) {
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const result: Record<string, unknown> = {};
  console.log(
    `feed: ${CLIENTS} keep-alive clients (autocannon, this process), ${WARMUP_SECONDS}s warm-up, then ${RUNS} runs of ${SECONDS}s ...`,
  );
  const api = await startApi(feedDir, { WORKER_ENABLED: 'false' });
  let clients: Awaited<ReturnType<typeof prepareClients>>;
  try {
    clients = await prepareClients(url(PORT));
    const runs = await feedLoad([{ url: url(PORT), pid: api.pid! }], clients.tokens, clients.cursors, RUNS, SECONDS);
    printRuns('one process', runs);
    result.oneProcess = median(runs);
    const open = await openLoop([url(PORT)], clients.tokens, clients.cursors, OPEN_RATE, SECONDS);
    console.log(
      `  one process, open loop at ${open.offeredRps} req/s: ${open.throughputRps} req/s answered, p50 ${open.p50Ms} ms, ` +
        `p95 ${open.p95Ms} ms, p99 ${open.p99Ms} ms, errors ${open.errors}/${open.requests}`,
    );
    result.oneProcessOpenLoop = open;
    const empty = await feedLoad(
      [{ url: url(PORT), pid: api.pid! }],
      clients.tokens,
      clients.cursors,
      RUNS,
      SECONDS,
      EMPTY_OPERATION,
    );
    printRuns('one process, empty operation', empty);
    result.oneProcessEmptyOperation = median(empty);
  } finally {
    await stopApi(api);
  }

  // The same load on a process that shares no results (SHARED_RESULTS=false): what sharing gives.
  const unshared = await startApi(feedDir, { WORKER_ENABLED: 'false', SHARED_RESULTS: 'false' });
  try {
    const runs = await feedLoad([{ url: url(PORT), pid: unshared.pid! }], clients.tokens, clients.cursors, RUNS, SECONDS);
    printRuns('one process, results not shared', runs);
    result.oneProcessUnshared = median(runs);
  } finally {
    await stopApi(unshared);
  }

  const noRedis = redisServerUnavailableReason();
  if (noRedis) {
    result.twoProcesses = { skipped: noRedis };
    console.log(`  two processes: skipped (${noRedis})`);
  } else {
    const redis = await startRedisServer();
    const apis: ChildProcess[] = [];
    try {
      for (const port of [PORT, PORT + 1]) apis.push(await startApi(feedDir, { ROLE: 'api', REDIS_URL: redis.url }, port));
      const targets = apis.map((child, i) => ({ url: url(PORT + i), pid: child.pid! }));
      const runs = await feedLoad(targets, clients.tokens, clients.cursors, RUNS, SECONDS);
      printRuns('two processes', runs);
      result.twoProcesses = median(runs);
    } finally {
      for (const child of apis) await stopApi(child);
      await redis.stop();
    }
  }

  const floor = await startFloor(clients.page, PORT + 2);
  try {
    const runs = await feedLoad([{ url: url(PORT + 2), pid: floor.pid! }], clients.tokens, clients.cursors, RUNS, SECONDS);
    printRuns('floor', runs);
    result.floor = median(runs);
  } finally {
    await stopApi(floor);
  }
  const one = result.oneProcess as FeedRun;
  const bare = result.floor as FeedRun;
  const empty = result.oneProcessEmptyOperation as FeedRun;
  result.oneProcessOverFloor = round(one.throughputRps / bare.throughputRps, 3);
  result.oneProcessOverEmptyOperation = round(one.throughputRps / empty.throughputRps, 3);
  result.oneProcessOverUnshared = round(one.throughputRps / (result.oneProcessUnshared as FeedRun).throughputRps, 3);
  console.log(
    `feed (median runs by p95): one process ${one.throughputRps} req/s, p95 ${one.p95Ms} ms; floor ${bare.throughputRps} req/s, ` +
      `p95 ${bare.p95Ms} ms; ours/floor ${result.oneProcessOverFloor}; empty operation ${empty.throughputRps} req/s ` +
      `(${empty.apiCpuMsPerRequest} ms CPU/request), ours/empty ${result.oneProcessOverEmptyOperation}; ` +
      `results not shared ${(result.oneProcessUnshared as FeedRun).throughputRps} req/s, shared/not ${result.oneProcessOverUnshared}`,
  );
  return result;
}

async function main() {
  if (!fs.existsSync(MAIN)) throw new Error(`Build first: ${MAIN} is missing (npm run build -w @pixtale/api)`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-bench-'));
  const summary: Record<string, unknown> = { node: process.version, cpus: os.cpus().length, store: 'sqlite (WAL, file)' };
  try {
    const feedDir = path.join(root, 'feed');
    console.log(`seeding ${POSTS} posts, ${USERS} users into ${feedDir} ...`);
    summary.seed = await seed(feedDir);
    summary.feed = await benchFeed(feedDir);

    const unavailable = UPLOADS === 0 ? 'BENCH_UPLOADS=0' : captionerUnavailableReason(env.PIXTALE_MODELS_DIR);
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
