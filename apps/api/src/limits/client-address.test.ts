import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadEnv, testEnv, type Env } from '../env';
import { createServer, type Server } from '../server';
import { openSqliteStore } from '../store/sqlite/sqlite.store';
import { CLIENT_IP_HEADER, clientAddressResolver, PROXY_SECRET_HEADER } from './client-address';

// The real server over HTTP with its default trust settings (no TRUST_PROXY) and the default
// sign-in budget (AUTH_RATE_LIMIT_POINTS=10 per address per minute).
const SECRET = 'a-secret-the-web-app-and-the-api-share-0123456789';
let server: Server;
let dataDir: string;
async function start(env: Partial<Env> = {}) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-addr-'));
  server = await createServer(testEnv({ dataDir, API_PORT: 0, INTERNAL_API_SECRET: SECRET, ...env }), {
    host: '127.0.0.1',
    store: openSqliteStore(':memory:'),
    logger: pino({ level: 'silent' }),
    captioner: () => Promise.reject(new Error('no captioner in this test')),
  });
}
beforeEach(() => start());
afterEach(async () => {
  await server.close();
  await server.app.deps.store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

type Answer = { data?: Record<string, { token: string } | null> | null; errors?: { extensions?: Record<string, unknown> }[] };
async function call(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Answer;
}
const LOG_IN = 'mutation($e: String!, $p: String!){ logIn(email: $e, password: $p){ token } }';
const SIGN_UP = 'mutation($e: String!){ signUp(email: $e, password: "long enough 1", displayName: "Real"){ token } }';
const outcome = (a: Answer) => (a.errors?.[0] ? String(a.errors[0].extensions?.code) : 'OK');
/** Headers the web app sends for a visitor at `ip`. */
const viaWebApp = (ip: string, secret = SECRET) => ({ [CLIENT_IP_HEADER]: ip, [PROXY_SECRET_HEADER]: secret });

test('X-Forwarded-For from a client that is no trusted proxy is ignored: rotating it does not get past the login limit', async () => {
  const outcomes = [];
  for (let i = 1; i <= 11; i++) {
    outcomes.push(
      outcome(await call(LOG_IN, { e: 'victim@example.com', p: `guess ${i}` }, { 'x-forwarded-for': `198.51.100.${i}` })),
    );
  }
  expect(outcomes.slice(0, 10)).toEqual(Array(10).fill('UNAUTHENTICATED'));
  expect(outcomes[10]).toBe('RATE_LIMITED');
});

test('a client-address header without the right proxy secret is ignored (with or without X-Forwarded-For)', async () => {
  const outcomes = [];
  for (let i = 1; i <= 11; i++) {
    const spoofed = { ...viaWebApp(`198.51.100.${i}`, i % 2 ? 'wrong-secret' : ''), 'x-forwarded-for': `203.0.113.${i}` };
    outcomes.push(outcome(await call(LOG_IN, { e: 'victim@example.com', p: `guess ${i}` }, spoofed)));
  }
  expect(outcomes[10]).toBe('RATE_LIMITED');
});

test('11 failed logins from an attacker (forwarded by the web app) do not block a real user at another address', async () => {
  const user = await call(SIGN_UP, { e: 'real@example.com' }, viaWebApp('192.0.2.50'));
  expect(outcome(user)).toBe('OK');
  const attacker = [];
  for (let i = 1; i <= 11; i++)
    attacker.push(outcome(await call(LOG_IN, { e: 'real@example.com', p: `guess ${i}` }, viaWebApp('203.0.113.66'))));
  expect(attacker[10]).toBe('RATE_LIMITED');
  // Same web server, other visitors: the real user logs in, a newcomer signs up.
  expect(outcome(await call(LOG_IN, { e: 'real@example.com', p: 'long enough 1' }, viaWebApp('192.0.2.51')))).toBe('OK');
  expect(outcome(await call(SIGN_UP, { e: 'new@example.com' }, viaWebApp('192.0.2.52')))).toBe('OK');
});

test('RATE_LIMITED names when to retry (extensions.retryAfterSeconds, Retry-After, 429)', async () => {
  for (let i = 0; i < 10; i++) await call(LOG_IN, { e: 'x@example.com', p: 'wrong' });
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: LOG_IN, variables: { e: 'x@example.com', p: 'wrong' } }),
  });
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  const body = (await res.json()) as Answer;
  expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
});

describe('TRUST_PROXY', () => {
  // A request as node's http server hands it over: headers and the connection's address.
  const request = (remoteAddress: string, headers: Record<string, string> = {}) =>
    ({ headers, socket: { remoteAddress }, connection: { remoteAddress } }) as unknown as IncomingMessage;

  test('X-Forwarded-For counts only from a named proxy, and then its rightmost address that is no proxy', () => {
    const resolve = clientAddressResolver({ trustProxy: '10.0.0.0/8, 127.0.0.1', internalSecret: SECRET });
    expect(resolve(request('10.0.0.5', { 'x-forwarded-for': '1.1.1.1, 2.2.2.2' }))).toBe('2.2.2.2');
    expect(resolve(request('10.0.0.5', { 'x-forwarded-for': '1.1.1.1, 10.0.0.7' }))).toBe('1.1.1.1');
    expect(resolve(request('::ffff:8.8.8.8', { 'x-forwarded-for': '1.1.1.1' }))).toBe('8.8.8.8');
    expect(resolve(request('10.0.0.5'))).toBe('10.0.0.5');
  });

  test("unset: nobody's X-Forwarded-For counts; the web app's header counts only with the secret", () => {
    const resolve = clientAddressResolver({ internalSecret: SECRET });
    expect(resolve(request('127.0.0.1', { 'x-forwarded-for': '1.1.1.1' }))).toBe('127.0.0.1');
    expect(resolve(request('127.0.0.1', viaWebApp('192.0.2.9')))).toBe('192.0.2.9');
    expect(resolve(request('127.0.0.1', viaWebApp('192.0.2.9', `${SECRET}x`)))).toBe('127.0.0.1');
    expect(resolve(request('127.0.0.1', viaWebApp('not an address')))).toBe('127.0.0.1');
  });

  test('a TRUST_PROXY that is not addresses is refused at start-up', () => {
    expect(() => testEnv()).not.toThrow();
    expect(() => loadEnv({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
    expect(() => loadEnv({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/INTERNAL_API_SECRET/);
  });
});
