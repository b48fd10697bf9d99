import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pino from 'pino';
import WebSocket from 'ws';
import { testEnv, type Env } from './env';
import { printSdl, SCHEMA_FILE } from './emit-schema';
import { createServer, type Server } from './server';
import { openSqliteStore } from './store/sqlite/sqlite.store';
import { makeJpeg } from './testing/harness';
import type { InProcessPubSub } from './pubsub/pubsub';

/** Waits until the server has registered a subscriber (no sleeps: robust on a busy machine). */
async function subscribed(topic: 'FEED_UPDATED' | 'POST_UPDATED' | 'COMMENT_ADDED', key?: string) {
  const ps = server.app.deps.pubsub as InProcessPubSub;
  while (ps.listenerCount(topic, key) === 0) await new Promise((r) => setTimeout(r, 20));
}

// End to end over real HTTP and WebSocket, on a free port. Low rate limits so the limit test is quick.
let server: Server;
let dataDir: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-http-'));
  // TRUST_PROXY=loopback: these tests stand in for a proxy on this machine, naming clients in X-Forwarded-For.
  const env = testEnv({
    dataDir,
    API_PORT: 0,
    RATE_LIMIT_POINTS: 40,
    AUTH_RATE_LIMIT_POINTS: 5,
    COMMENT_RATE_LIMIT_POINTS: 3,
    MAX_UPLOAD_BYTES: 2 * 1024 * 1024,
    TRUST_PROXY: 'loopback',
  });
  server = await createServer(env, {
    host: '127.0.0.1',
    wsAuthRecheckMs: 200,
    store: openSqliteStore(':memory:'),
    logger: pino({ level: 'silent' }),
    captioner: () => Promise.reject(new Error('no captioner in this test')),
  });
});
afterAll(async () => {
  await server.close();
  await server.app.deps.store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Json = { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function post(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  ip?: string,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(ip ? { 'x-forwarded-for': ip } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function multipart(bytes: Buffer, caption?: string) {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query:
        'mutation($image: Upload!, $caption: String){ createPost(image: $image, caption: $caption) { id captionStatus imageUrl feedImageUrl caption { text } } }',
      variables: { image: null, caption },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.image'] }));
  form.append('0', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  return form;
}

let n = 0;
async function signUp(ip = '10.1.0.1') {
  const r = await post(
    'mutation($e:String!){ signUp(email:$e, password:"long enough 1", displayName:"Http"){ token user { id } } }',
    {
      e: `http${++n}@example.com`,
    },
    undefined,
    ip,
  );
  return r.body.data!.signUp as { token: string; user: { id: string } };
}

test('the committed schema.graphql matches the resolvers', async () => {
  expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printSdl());
});

test('multipart upload over HTTP (with the CSRF preflight header), then the image is served', async () => {
  const { token } = await signUp();
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    body: multipart(await makeJpeg({ exif: true }), 'over http'),
  });
  const body = (await res.json()) as Json;
  expect(body.errors).toBeUndefined();
  const created = body.data!.createPost;
  expect(created).toMatchObject({ captionStatus: 'PENDING', caption: { text: 'over http' } });
  expect(created.imageUrl.startsWith(`${server.url}/media/`)).toBe(true);
  const img = await fetch(created.feedImageUrl);
  expect(img.status).toBe(200);
  expect(img.headers.get('content-type')).toBe('image/webp');
  expect(img.headers.get('cache-control')).toContain('immutable');
  expect(img.headers.get('etag')).toBeTruthy(); // images keep their ETags; GraphQL responses have none
  expect(res.headers.get('etag')).toBeNull();
  expect(img.headers.get('x-content-type-options')).toBe('nosniff');
  expect((await fetch(`${server.url}/media/../pixtale.sqlite`)).status).toBe(404);
});

test('HTTP surface: CORS for the web origin only, errors in GraphQL shape, /graphql/ too, no escape from /media', async () => {
  const preflight = (origin: string) =>
    fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  const allowed = await preflight(server.app.deps.env.CORS_ORIGIN);
  expect(allowed.status).toBe(204);
  expect(allowed.headers.get('access-control-allow-origin')).toBe(server.app.deps.env.CORS_ORIGIN);
  expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
  expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

  const missing = await fetch(`${server.url}/no-such-route`);
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as Json).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect((await fetch(`${server.url}/media/${'0'.repeat(64)}.webp`)).status).toBe(404);
  const slash = await fetch(`${server.url}/graphql/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(await slash.json()).toEqual({ data: { __typename: 'Query' } });
  const badUrl = await fetch(`${server.url}/media/%zz`);
  expect(badUrl.status).toBe(400);
  expect(((await badUrl.json()) as Json).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  const health = await fetch(`${server.url}/health`);
  expect(health.headers.get('x-powered-by')).toBeNull();
  expect(await health.json()).toEqual({ ok: true, store: 'sqlite' });

  // fetch() normalises "..", so the traversal goes out raw, encoded as well as plain.
  for (const p of ['/media/../pixtale.sqlite', '/media/..%2fpixtale.sqlite', '/media/%2e%2e/jwt-secret']) {
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(`${server.url}${p}`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    expect([400, 403, 404]).toContain(status);
  }
});

test('CSRF prevention: a multipart request without a preflight header is refused', async () => {
  const { token } = await signUp();
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: multipart(await makeJpeg()),
  });
  expect(res.status).toBe(400);
  expect(await res.text()).toMatch(/CSRF|preflight/i);
});

test('over-size upload over HTTP: PAYLOAD_TOO_LARGE, server stays up', async () => {
  const { token } = await signUp();
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'x-apollo-operation-name': 'createPost' },
    body: multipart(Buffer.alloc(3 * 1024 * 1024, 7)),
  });
  const body = (await res.json()) as Json;
  expect(body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
});

test('query too costly: QUERY_TOO_COMPLEX (400) before anything runs', async () => {
  const ok = await post(
    '{ feed { edges { node { author { id } caption { id } captions { id } attention { words { word } } } } } }',
  );
  expect(ok.body.errors).toBeUndefined();
  const fragmentBomb = `{ feed(first: 50) { edges { node { ...P } } } }
    fragment P on Post { id captions { id text } suggestions { text score } author { id displayName } images { feed { url width height } detail { url width height } detailJpeg { url } } attention { gridWidth words { word weights } } }`;
  const costly = await post(fragmentBomb);
  expect(costly.status).toBe(400);
  expect(costly.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', reason: 'QUERY_TOO_COSTLY' });
});

test('too many sign-in attempts from one address: RATE_LIMITED (429, Retry-After), others unaffected', async () => {
  const codes: unknown[] = [];
  let last: Response | null = null;
  for (let i = 0; i < 7; i++) {
    last = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9' },
      body: JSON.stringify({ query: 'mutation { logIn(email:"x@example.com", password:"whatever 1") { token } }' }),
    });
    codes.push(((await last.json()) as Json).errors?.[0]?.extensions?.code);
  }
  expect(codes.slice(0, 5)).toEqual(Array(5).fill('UNAUTHENTICATED'));
  expect(codes.slice(5)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
  expect(last!.status).toBe(429);
  expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  // The limit is per client: the server is up and other clients proceed.
  expect((await post('{ feed { edges { cursor } } }', {}, undefined, '10.9.9.10')).body.errors).toBeUndefined();
});

test('general per-client limit: a burst of queries is cut off with RATE_LIMITED', async () => {
  const results = await Promise.all(Array.from({ length: 45 }, () => post('{ me { id } }', {}, undefined, '10.7.7.7')));
  const limited = results.filter((r) => r.body.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
  expect(limited.length).toBeGreaterThanOrEqual(5);
  expect(results.filter((r) => !r.body.errors).length).toBeLessThanOrEqual(40);
});

test('bad JSON and wrong argument types get coded errors, not 500s', async () => {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query": ',
  });
  expect(res.status).toBe(400);
  const wrongType = await post('query($n: Int){ feed(first: $n) { edges { cursor } } }', { n: 'ten' });
  expect(wrongType.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
});

test('profile picture over HTTP multipart: updateProfile(avatar) stores a square WebP that is served', async () => {
  const me = await signUp('10.5.0.1');
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: 'mutation($a: Upload, $b: String){ updateProfile(avatar: $a, bio: $b) { bio avatarUrl } }',
      variables: { a: null, b: 'hello' },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.a'] }));
  form.append('0', new Blob([await makeJpeg({ width: 600, height: 300 })], { type: 'image/jpeg' }), 'me.jpg');
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${me.token}`, 'apollo-require-preflight': 'true' },
    body: form,
  });
  const profile = ((await res.json()) as Json).data!.updateProfile as { bio: string; avatarUrl: string };
  expect(profile.bio).toBe('hello');
  const img = await fetch(profile.avatarUrl);
  expect([img.status, img.headers.get('content-type')]).toEqual([200, 'image/webp']);
});

test('comments are rate-limited per client (COMMENT_RATE_LIMIT_POINTS), other operations unaffected', async () => {
  const author = await signUp('10.4.0.1');
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${author.token}`, 'apollo-require-preflight': 'true' },
    body: multipart(await makeJpeg()),
  });
  const id = ((await res.json()) as Json).data!.createPost.id as string;
  const codes: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await post(
      'mutation($id:ID!,$t:String!){ addComment(postId:$id, text:$t) { id } }',
      { id, t: `comment ${i}` },
      author.token,
    );
    codes.push(r.body.errors?.[0]?.extensions?.code ?? 'OK');
  }
  expect(codes).toEqual(['OK', 'OK', 'OK', 'RATE_LIMITED']);
  expect((await post('query($id:ID!){ post(id:$id) { commentCount } }', { id }, author.token)).body.data!.post.commentCount).toBe(
    3,
  );
});

test('a bad, expired or revoked token is refused on public queries too, not treated as anonymous', async () => {
  const { token } = await signUp('10.4.0.3');
  expect((await post('{ feed(first: 1) { edges { cursor } } }', {}, 'not-a-token')).body.errors?.[0]?.extensions?.code).toBe(
    'UNAUTHENTICATED',
  );
  expect((await post('{ feed(first: 1) { edges { cursor } } }', {}, token)).body.errors).toBeUndefined();
  await post('mutation { logOut }', {}, token);
  expect((await post('{ feed(first: 1) { edges { cursor } } }', {}, token)).body.errors?.[0]?.extensions?.code).toBe(
    'UNAUTHENTICATED',
  );
  expect((await post('{ feed(first: 1) { edges { cursor } } }')).body.errors).toBeUndefined();
});

test('comments packed into one request (aliases, fragments) are each charged: the limit cannot be sidestepped', async () => {
  const author = await signUp('10.4.0.2');
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${author.token}`, 'apollo-require-preflight': 'true' },
    body: multipart(await makeJpeg()),
  });
  const id = ((await res.json()) as Json).data!.createPost.id as string;
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => `c${i}: addComment(postId: $id, text: "packed ${i}") { id }`).join(' ');
  const aliased = await post(`mutation($id: ID!) { ${many(5)} }`, { id }, author.token);
  expect(aliased.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  const hidden = await post(
    `mutation($id: ID!) { ... on Mutation { ${many(2)} } ...More } fragment More on Mutation { ${many(2)} }`,
    { id },
    author.token,
  );
  expect(hidden.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  expect((await post('query($id:ID!){ post(id:$id) { commentCount } }', { id }, author.token)).body.data!.post.commentCount).toBe(
    0,
  );
});

describe('graphql-ws subscriptions', () => {
  let client: Client;
  beforeAll(() => {
    client = createClient({
      url: server.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
    });
  });
  afterAll(() => client.dispose());

  function subscribe<T>(query: string, variables: Record<string, unknown> = {}) {
    const it = client.iterate<T>({ query, variables });
    return it;
  }

  test('feedUpdated pushes new posts; postUpdated pushes likes, views and caption edits', async () => {
    const author = await signUp('10.2.0.1');
    const fan = await signUp('10.2.0.2');
    const feed = subscribe<{ feedUpdated: { id: string; authorName: string } }>('subscription { feedUpdated { id authorName } }');
    const firstFeed = feed.next();
    await subscribed('FEED_UPDATED');
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${author.token}`, 'apollo-require-preflight': 'true' },
      body: multipart(await makeJpeg(), 'live'),
    });
    const id = ((await res.json()) as Json).data!.createPost.id as string;
    const pushed = (await firstFeed).value!;
    expect(pushed.data?.feedUpdated).toEqual({ id, authorName: 'Http' });
    await feed.return?.();

    const updates = subscribe<{
      postUpdated: { likeCount: number; viewCount: number; caption: { text: string; version: number } };
    }>('subscription($id: ID!) { postUpdated(postId: $id) { likeCount viewCount caption { text version } } }', { id });
    const u1 = updates.next();
    await subscribed('POST_UPDATED', id);
    await post('mutation($id:ID!){ likePost(postId:$id) { id } }', { id }, fan.token);
    expect((await u1).value!.data?.postUpdated).toMatchObject({ likeCount: 1, viewCount: 0 });
    await post('mutation($id:ID!){ recordView(postId:$id) { id } }', { id }, fan.token);
    expect((await updates.next()).value!.data?.postUpdated).toMatchObject({ likeCount: 1, viewCount: 1 });
    await post('mutation($id:ID!){ editCaption(postId:$id, text:"edited live") { id } }', { id }, author.token);
    expect((await updates.next()).value!.data?.postUpdated.caption).toEqual({ text: 'edited live', version: 2 });
    await updates.return?.();
  }, 300_000);

  test('commentAdded: a comment posted by one client arrives live at another', async () => {
    const author = await signUp('10.3.0.1');
    const guest = await signUp('10.3.0.2');
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${author.token}`, 'apollo-require-preflight': 'true' },
      body: multipart(await makeJpeg()),
    });
    const id = ((await res.json()) as Json).data!.createPost.id as string;
    const comments = subscribe<{ commentAdded: { id: string; text: string; author: { id: string } } }>(
      'subscription($id: ID!) { commentAdded(postId: $id) { id text author { id } } }',
      { id },
    );
    const first = comments.next();
    await subscribed('COMMENT_ADDED', id);
    const added = await post(
      'mutation($id:ID!){ addComment(postId:$id, text:"  hello\u200B there ") { id } }',
      { id },
      guest.token,
    );
    expect((await first).value!.data?.commentAdded).toEqual({
      id: added.body.data!.addComment.id,
      text: 'hello there',
      author: { id: guest.user.id },
    });
    await comments.return?.();
  });

  test('subscribing to an unknown post errors with NOT_FOUND', async () => {
    const it = subscribe('subscription { postUpdated(postId: "missing") { id } }');
    const first = await it.next();
    expect(first.value?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await it.return?.();
  });
});

describe('graphql-ws authentication', () => {
  const wsUrl = () => server.url.replace('http', 'ws') + '/graphql';
  type Outcome =
    { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] } | { close: { code: number; reason: string } };

  /** Runs one operation on a fresh connection; the result, or how the server closed the socket. */
  async function overWs(query: string, authorization?: string): Promise<Outcome> {
    const client = createClient({
      url: wsUrl(),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: authorization ? { authorization } : {},
    });
    try {
      const first = await client.iterate({ query }).next();
      return first.value as Outcome;
    } catch (e) {
      // graphql-ws rejects with the operation's errors, or with the close event.
      if (Array.isArray(e)) return { errors: e };
      const { code, reason } = e as { code: number; reason: string };
      return { close: { code, reason } };
    } finally {
      await client.dispose();
    }
  }
  const expired = async (userId: string) =>
    server.app.deps.services.auth.issueSession((await server.app.deps.store.users.findById(userId))!, -10);

  test('anonymous connections are allowed; a valid token is the viewer', async () => {
    const { token, user } = await signUp('10.3.0.1');
    expect(await overWs('{ me { id } }')).toEqual({ data: { me: null } });
    expect(await overWs('{ me { id } }', `Bearer ${token}`)).toEqual({ data: { me: { id: user.id } } });
  });

  test('a garbage, malformed, expired or revoked token closes the connection with 4401 UNAUTHENTICATED', async () => {
    const { token, user } = await signUp('10.3.0.2');
    const refused = { close: { code: 4401, reason: 'UNAUTHENTICATED' } };
    expect(await overWs('{ me { id } }', 'Bearer garbage')).toEqual(refused);
    expect(await overWs('{ me { id } }', 'Token abc')).toEqual(refused);
    expect(await overWs('{ me { id } }', `Bearer ${await expired(user.id)}`)).toEqual(refused);
    expect((await post('mutation { logOut }', {}, token)).body.data).toEqual({ logOut: true });
    expect(await overWs('{ me { id } }', `Bearer ${token}`)).toEqual(refused);
  });

  test('a token revoked while connected: the next subscribe closes the connection with 4401', async () => {
    const { token } = await signUp('10.3.0.3');
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = createClient({
        url: wsUrl(),
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` },
        on: {
          connected: () => {
            void post('mutation { logOutEverywhere }', {}, token).then(() =>
              client.subscribe(
                { query: '{ me { id } }' },
                { next: () => undefined, error: () => undefined, complete: () => undefined },
              ),
            );
          },
          closed: (e) => {
            const { code, reason } = e as { code: number; reason: string };
            resolve({ code, reason });
            void client.dispose();
          },
        },
      });
    });
    expect(await closed).toEqual({ code: 4401, reason: 'UNAUTHENTICATED' });
  });

  test('a live subscription ends with 4401 soon after its session is logged out, without a new subscribe', async () => {
    const { token } = await signUp('10.3.0.5');
    const client = createClient({
      url: wsUrl(),
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    const feed = client.iterate({ query: 'subscription { feedUpdated { id } }' });
    const ended = feed.next().then(
      () => 'completed',
      (e: { code: number; reason: string }) => ({ code: e.code, reason: e.reason }),
    );
    await subscribed('FEED_UPDATED');
    expect((await post('mutation { logOut }', {}, token)).body.data).toEqual({ logOut: true });
    expect(await ended).toEqual({ code: 4401, reason: 'UNAUTHENTICATED' });
    await client.dispose();
  });

  test('a READ token cannot run a mutation over graphql-ws either', async () => {
    const { token } = await signUp('10.3.0.4');
    const created = await post('mutation { createApiToken(name: "ws", scope: READ) { token } }', {}, token);
    const read = created.body.data!.createApiToken.token as string;
    const r = await overWs('mutation { likePost(postId: "nope") { id } }', `Bearer ${read}`);
    expect('errors' in r && r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'TOKEN_SCOPE' });
  });
});

describe('production defaults', () => {
  const INTROSPECT = '{ __schema { queryType { name } } }';
  async function startProduction(extra: Partial<Env> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-prod-'));
    // No `host` option: the server binds where HOST says (default loopback).
    const s = await createServer(
      testEnv({ dataDir: dir, API_PORT: 0, NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), ...extra }),
      {
        store: openSqliteStore(':memory:'),
        logger: pino({ level: 'silent' }),
        captioner: () => Promise.reject(new Error('none')),
      },
    );
    return {
      s,
      async close() {
        await s.close();
        await s.app.deps.store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  async function introspect(url: string) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: INTROSPECT }),
    });
    const body = (await res.json()) as Json;
    const client = createClient({
      url: url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      lazy: true,
      retryAttempts: 0,
    });
    try {
      const ws = await client
        .iterate({ query: INTROSPECT })
        .next()
        .then(
          (r) => r.value as Json,
          (errors: unknown[]) => ({ errors }) as Json,
        );
      return {
        http: body.errors?.[0]?.extensions?.code ?? body.data?.__schema.queryType.name,
        ws: ws.errors?.length ? 'refused' : ws.data?.__schema.queryType.name,
      };
    } finally {
      await client.dispose();
    }
  }

  test('NODE_ENV=production: introspection is off over HTTP and graphql-ws, and the API listens on 127.0.0.1 only', async () => {
    const prod = await startProduction();
    try {
      expect(await introspect(prod.s.url)).toEqual({ http: 'GRAPHQL_VALIDATION_FAILED', ws: 'refused' });
      expect((prod.s.http.address() as import('node:net').AddressInfo).address).toBe('127.0.0.1');
      // Ordinary queries still work.
      expect(
        await (
          await fetch(`${prod.s.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"query":"{ me { id } }"}',
          })
        ).json(),
      ).toEqual({ data: { me: null } });
    } finally {
      await prod.close();
    }
  });

  test('GRAPHQL_INTROSPECTION=true turns it back on in production; development has it on', async () => {
    const prod = await startProduction({ GRAPHQL_INTROSPECTION: true });
    try {
      expect(await introspect(prod.s.url)).toEqual({ http: 'Query', ws: 'Query' });
    } finally {
      await prod.close();
    }
    expect(await introspect(server.url)).toEqual({ http: 'Query', ws: 'Query' });
  });
});
