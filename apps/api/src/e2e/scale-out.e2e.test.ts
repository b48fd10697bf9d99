import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { captionerUnavailableReason } from '../caption/captioner';
import { processEnv, testEnv } from '../env';
import { CREATE_POST, testPhotos } from '../testing/harness';
import { nginxUnavailableReason, startApiProxy, type TestProxy } from '../testing/api-proxy';
import { redisServerUnavailableReason, startRedisServer, type TestRedis } from '../testing/redis-server';

// Pixtale scaled out, as an operator runs it: two API processes (ROLE=api) and worker processes
// (ROLE=worker), all the BUILT entry point, over one SQLite data directory and one real
// redis-server; the real captioner. Skipped, with the reason in the name, when any is missing.
const env0 = testEnv();
const mainJs = path.resolve(__dirname, '..', '..', 'dist', 'main.js');
const reason =
  redisServerUnavailableReason() ??
  captionerUnavailableReason(env0.PIXTALE_MODELS_DIR) ??
  (fs.existsSync(mainJs) ? null : `build first: ${mainJs} is missing`);
if (reason) console.warn(`scale-out e2e tests skipped: ${reason}`);
const TIMEOUT = 180_000;
const RATE_LIMIT_POINTS = 40;

type Json = { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, any> }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gql(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Json> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Json;
}

/** A GraphQL request sent from a chosen local address (loopback has all of 127.0.0.0/8). */
function gqlFrom(localAddress: string, url: string, headers: Record<string, string>): Promise<Json> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve(JSON.parse(body) as Json));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query: '{ __typename }' }));
  });
}

(reason ? describe.skip : describe)(
  `${reason ? `PENDING (${reason}): ` : ''}two API processes and workers over Redis and one SQLite data dir`,
  () => {
    let redis: TestRedis;
    let probe: Redis;
    let dataDir: string;
    const children = new Set<ChildProcess>();
    const urls: string[] = [];
    let images: { name: string; bytes: Buffer }[] = [];
    let token = '';
    let db: Database.Database;
    let worker: ChildProcess;
    let api1: ChildProcess;

    /** Starts main.js with a role; resolves once it logged that it is ready. */
    function start(role: 'api' | 'worker', extra: Record<string, string> = {}): Promise<ChildProcess> {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [mainJs], {
          env: {
            ...processEnv(),
            NODE_ENV: 'development',
            HOST: '127.0.0.1',
            PIXTALE_DATA_DIR: dataDir,
            PIXTALE_MODELS_DIR: env0.PIXTALE_MODELS_DIR,
            REDIS_URL: redis.url,
            ROLE: role,
            LOG_LEVEL: 'info',
            CAPTION_LEASE_SECONDS: '5',
            CAPTION_THREADS: '1',
            TRUST_PROXY: 'loopback',
            RATE_LIMIT_POINTS: String(RATE_LIMIT_POINTS),
            ...extra,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.add(child);
        child.once('exit', () => children.delete(child));
        let out = '';
        const timer = setTimeout(() => reject(new Error(`${role} did not start in 60 s: ${out}`)), 60_000);
        const ready = role === 'api' ? 'Pixtale API ready' : 'Pixtale worker ready';
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes(ready)) {
            clearTimeout(timer);
            resolve(child);
          }
        });
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', (code) => reject(new Error(`${role} exited early (${code}): ${out}`)));
      });
    }
    const exited = (child: ChildProcess) =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve(child.exitCode)
        : new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const captionJob = (postId: string) =>
      db
        .prepare("SELECT status, attempts, lease_token AS token FROM jobs WHERE post_id = ? AND kind = 'caption'")
        .get(postId) as { status: string; attempts: number; token: string | null };
    async function upload(url: string, file: { name: string; bytes: Buffer }): Promise<string> {
      const f = new FormData();
      f.append('operations', JSON.stringify({ query: CREATE_POST, variables: { image: null } }));
      f.append('map', JSON.stringify({ 0: ['variables.image'] }));
      f.append('0', new Blob([new Uint8Array(file.bytes)], { type: 'image/jpeg' }), file.name);
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
        body: f,
      });
      const body = (await res.json()) as Json;
      if (body.errors) throw new Error(body.errors[0]!.message);
      return body.data!.createPost.id as string;
    }
    async function until<T>(
      what: string,
      read: () => T | Promise<T>,
      ok: (v: T) => boolean,
      ms = 60_000,
      every = 100,
    ): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const v = await read();
        if (ok(v)) return v;
        if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v)} after ${ms} ms`);
        await sleep(every);
      }
    }
    // Read from the database itself: polling through the API would spend the low rate limit.
    const status = (id: string) => (db.prepare('SELECT caption_status AS s FROM posts WHERE id = ?').get(id) as { s: string }).s;

    beforeAll(async () => {
      [redis, images] = await Promise.all([startRedisServer(), testPhotos(5, env0)]);
      probe = new Redis(redis.url);
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-scale-'));
      const ports = [42000 + Math.floor(Math.random() * 1500), 43600 + Math.floor(Math.random() * 1500)];
      urls.push(...ports.map((p) => `http://127.0.0.1:${p}`));
      // All three at once on a fresh data dir: migrations run once, whoever comes first.
      [api1, , worker] = await Promise.all([
        start('api', { API_PORT: String(ports[0]) }),
        start('api', { API_PORT: String(ports[1]) }),
        start('worker'),
      ]);
      db = new Database(path.join(dataDir, 'pixtale.sqlite'), { readonly: true });
      const r = await gql(
        urls[1]!,
        'mutation($e:String!){ signUp(email:$e, password:"scale out e2e 1", displayName:"Scale"){ token } }',
        { e: `scale${Date.now()}@example.com` },
      );
      token = r.data!.signUp.token as string;
    }, TIMEOUT);
    afterAll(async () => {
      db?.close();
      for (const child of children) child.kill('SIGKILL');
      await Promise.all([...children].map(exited));
      probe?.disconnect();
      await redis?.stop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /**
     * Uploads through `uploadUrl` with the worker paused, subscribes to the post over
     * `subscribeUrl`'s WebSocket, lets the worker go, and returns the statuses seen until READY.
     */
    async function captionSeenLive(uploadUrl: string, subscribeUrl: string, image: { name: string; bytes: Buffer }) {
      // Paused, so the caption cannot be done before the subscription is live.
      worker.kill('SIGSTOP');
      let id: string;
      try {
        id = await upload(uploadUrl, image);
      } catch (e) {
        worker.kill('SIGCONT');
        throw e;
      }
      const client = createClient({
        url: `${subscribeUrl.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` },
      });
      try {
        const sub = client.iterate<{
          postUpdated: { captionStatus: string; caption: { source: string; version: number } | null };
        }>({
          query: 'subscription($id: ID!) { postUpdated(postId: $id) { captionStatus caption { source version } } }',
          variables: { id },
        });
        const first = sub.next();
        await until(
          'subscription live in Redis',
          async () => Number((await probe.pubsub('NUMSUB', `pixtale:POST_UPDATED:${id}`))[1]),
          (n) => n > 0,
          10_000,
          20,
        );
        worker.kill('SIGCONT');
        const seen: string[] = [];
        for (let next = await first; !next.done; next = await sub.next()) {
          const p = next.value.data!.postUpdated;
          seen.push(p.captionStatus);
          if (p.captionStatus === 'READY' || p.captionStatus === 'FAILED') {
            expect(p).toEqual({ captionStatus: 'READY', caption: { source: 'MODEL', version: 1 } });
            break;
          }
        }
        return seen;
      } finally {
        worker.kill('SIGCONT');
        await client.dispose();
      }
    }

    test(
      'a client subscribed on the first API receives READY for an image uploaded through the second',
      async () => {
        expect((await captionSeenLive(urls[1]!, urls[0]!, images[0]!)).at(-1)).toBe('READY');
      },
      TIMEOUT,
    );

    test(
      'a rate limit counts across both API processes',
      async () => {
        const headers = { 'x-forwarded-for': '198.51.100.7' }; // a client of its own (TRUST_PROXY=loopback)
        const answers: string[] = [];
        for (let i = 0; i < RATE_LIMIT_POINTS + 2; i++) {
          const r = await gql(urls[i % 2]!, '{ __typename }', {}, headers);
          answers.push(r.errors?.[0]?.extensions?.code ?? 'OK');
        }
        // Each process alone would have allowed RATE_LIMIT_POINTS.
        expect(answers).toEqual([...Array(RATE_LIMIT_POINTS).fill('OK'), 'RATE_LIMITED', 'RATE_LIMITED']);
      },
      TIMEOUT,
    );

    // docker-compose.yml's reverse proxy, run for real: nginx with deploy/api-proxy.conf.
    const noNginx = nginxUnavailableReason();
    (noNginx ? describe.skip : describe)(
      `${noNginx ? `PENDING (${noNginx}): ` : ''}behind the compose reverse proxy (nginx, deploy/api-proxy.conf)`,
      () => {
        let proxy: TestProxy;
        beforeAll(async () => {
          proxy = await startApiProxy(urls.map((u) => new URL(u).host));
        });
        afterAll(() => proxy?.stop());

        test(
          'an upload and a subscription both through the proxy: the WebSocket passes and READY arrives',
          async () => {
            expect((await captionSeenLive(proxy.url, proxy.url, images[4]!)).at(-1)).toBe('READY');
          },
          TIMEOUT,
        );

        test(
          'the API keys a proxied client by the address nginx saw, never by the X-Forwarded-For it sent',
          async () => {
            const limited = (r: Json) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED';
            const spend = async (address: string) => {
              // Directly, a loopback caller's header is believed (TRUST_PROXY=loopback): spend that address's limit.
              for (let i = 0; i < RATE_LIMIT_POINTS; i++)
                await gql(urls[i % 2]!, '{ __typename }', {}, { 'x-forwarded-for': address });
              expect(limited(await gql(urls[0]!, '{ __typename }', {}, { 'x-forwarded-for': address }))).toBe(true);
            };
            const forged = { 'x-forwarded-for': '198.51.100.9' };
            await spend('198.51.100.9');
            // From 127.0.0.2 through the proxy, with the spent address forged: answered.
            expect(await gqlFrom('127.0.0.2', proxy.url, forged)).toEqual({ data: { __typename: 'Query' } });
            // It was counted against 127.0.0.2, the address nginx saw: once that is spent, refused.
            await spend('127.0.0.2');
            expect(limited(await gqlFrom('127.0.0.2', proxy.url, forged))).toBe(true);
          },
          TIMEOUT,
        );
      },
    );

    test(
      'a worker killed with kill -9 mid-caption loses nothing: another finishes the job after the lease expires, once',
      async () => {
        const ids = [await upload(urls[0]!, images[1]!), await upload(urls[1]!, images[2]!)];
        // The first caption claimed by the running worker: kill it right there.
        const caught = await until(
          'a caption job PROCESSING',
          () => ids.map((id) => ({ id, ...captionJob(id) })),
          (js) => js.some((j) => j.status === 'PROCESSING'),
          60_000,
          5,
        );
        const victim = caught.find((j) => j.status === 'PROCESSING')!;
        worker.kill('SIGKILL');
        await exited(worker);
        expect(captionJob(victim.id)).toMatchObject({ status: 'PROCESSING', token: victim.token }); // killed mid-job, lease still held
        worker = await start('worker', { SHUTDOWN_GRACE_SECONDS: '0' });
        const final = await until(
          'both captions READY',
          () => ids.map(status),
          (s) => s.every((x) => x === 'READY' || x === 'FAILED'),
        );
        expect(final).toEqual(['READY', 'READY']);
        expect(captionJob(victim.id)).toMatchObject({ status: 'DONE', attempts: 2 });
        for (const id of ids) {
          // Applied once: one machine caption version per post.
          expect(db.prepare('SELECT source, version FROM caption_versions WHERE post_id = ?').all(id)).toEqual([
            { source: 'MODEL', version: 1 },
          ]);
        }
      },
      TIMEOUT,
    );

    test(
      'SIGTERM: a worker gives its job back at once (grace 0) and exits 0; the next worker does it, attempt 1',
      async () => {
        const id = await upload(urls[1]!, images[3]!);
        const caught = await until(
          'the caption job PROCESSING',
          () => captionJob(id),
          (j) => j.status !== 'PENDING',
          60_000,
          5,
        );
        expect(caught.status).toBe('PROCESSING');
        worker.kill('SIGTERM');
        expect(await exited(worker)).toBe(0);
        expect(captionJob(id)).toMatchObject({ status: 'PENDING', attempts: 0, token: null });
        worker = await start('worker');
        await until(
          'caption READY',
          () => status(id),
          (s) => s === 'READY' || s === 'FAILED',
        );
        expect(captionJob(id)).toMatchObject({ status: 'DONE', attempts: 1 });
      },
      TIMEOUT,
    );

    test(
      'SIGTERM: an API process closes its WebSockets with 1001 (graphql-ws clients reconnect) and exits 0',
      async () => {
        let closed: number | undefined;
        const client = createClient({
          url: `${urls[0]!.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          retryAttempts: 0,
          on: { closed: (e) => (closed = (e as { code: number }).code) },
        });
        const sub = client.iterate({ query: 'subscription { feedUpdated { id } }' });
        const pending = sub.next().catch(() => undefined);
        await until(
          'subscription live in Redis',
          async () => Number((await probe.pubsub('NUMSUB', 'pixtale:FEED_UPDATED'))[1]),
          (n) => n > 0,
          10_000,
          20,
        );
        api1.kill('SIGTERM');
        expect(await exited(api1)).toBe(0);
        await until(
          'socket closed',
          () => closed,
          (c) => c !== undefined,
          5_000,
          20,
        );
        expect(closed).toBe(1001);
        await pending;
        await client.dispose();
      },
      TIMEOUT,
    );
  },
);
