import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { testEnv } from '../env';
import { createServer, type Server } from '../server';
import { imageRecord } from '../store/contract.test-suite';
import { openSqliteStore } from '../store/sqlite/sqlite.store';
import { addressOf, VISITOR_COOKIE } from './visitor';

// Anonymous view counting over real HTTP: the API's own HttpOnly visitor cookie, and what
// rotating the User-Agent or the cookie from one address buys (nothing).
let server: Server;
let dataDir: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-visitor-'));
  server = await createServer(testEnv({ dataDir, API_PORT: 0 }), {
    host: '127.0.0.1',
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

async function newPost() {
  const { store } = server.app.deps;
  const author = await store.users.create({ email: `a${Math.random()}@example.com`, displayName: 'Author', passwordHash: null });
  return (await store.posts.create({ authorId: author.id, image: imageRecord(), caption: 'a dog' })).id;
}

async function view(postId: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: 'mutation($id:ID!){ recordView(postId:$id) { viewCount } }', variables: { id: postId } }),
  });
  const body = (await res.json()) as { data: { recordView: { viewCount: number } } };
  return { viewCount: body.data.recordView.viewCount, setCookie: res.headers.getSetCookie() };
}

test('rotating the User-Agent from one address counts one view, not 21', async () => {
  const id = await newPost();
  let last = 0;
  for (let i = 0; i < 21; i++) last = (await view(id, { 'user-agent': `Mozilla/5.0 (bot ${i})` })).viewCount;
  expect(last).toBe(1);
});

test('an anonymous view sets an HttpOnly visitor cookie for /graphql; a valid one is kept, a forged one replaced', async () => {
  const id = await newPost();
  const first = await view(id);
  expect(first.setCookie).toHaveLength(1);
  expect(first.setCookie[0]).toMatch(
    new RegExp(`^${VISITOR_COOKIE}=[A-Za-z0-9_-]{32}; Max-Age=31536000; Path=/graphql; Expires=.+; HttpOnly; SameSite=Lax$`),
  );
  const cookie = first.setCookie[0]!.split(';')[0]!;
  expect((await view(id, { cookie })).setCookie).toEqual([]);
  expect((await view(id, { cookie: `${VISITOR_COOKIE}=not-a-visitor-id` })).setCookie[0]).toMatch(
    new RegExp(`^${VISITOR_COOKIE}=[A-Za-z0-9_-]{32};`),
  );
  // No cookie is set for signed-in viewers' queries or anything but view counting.
  const feed = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ feed(first: 1) { edges { cursor } } }' }),
  });
  expect(feed.headers.getSetCookie()).toEqual([]);
});

test('the address of a view: IPv4 as is, IPv6 by its /64', () => {
  expect(addressOf('203.0.113.7')).toBe('203.0.113.7');
  expect(addressOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
  expect(addressOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
  expect(addressOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
  expect(addressOf('2001:db8::7')).toBe('2001:db8:0:0::/64');
  expect(addressOf('::1')).toBe('0:0:0:0::/64');
});
