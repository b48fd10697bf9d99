import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { testEnv } from './env';
import { createServer, type Server } from './server';
import { makeJpeg } from './testing/harness';

// The real server on the real SQLite file store, as `npm start` runs it.
let server: Server;
let dataDir: string;
let token: string;
const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

beforeAll(async () => {
  dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-storage-')), 'data');
  server = await createServer(testEnv({ dataDir, API_PORT: 0 }), {
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    captioner: () => Promise.reject(new Error('no captioner in this test')),
  });
  const res = await gql(
    'mutation { signUp(email: "disk@example.com", password: "long enough 1", displayName: "Disk") { token } }',
  );
  token = res.body.data.signUp.token;
});
afterAll(async () => {
  await server.close();
  fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function gql(query: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: await res.json() };
}

async function upload() {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: 'mutation($image: Upload!){ createPost(image: $image) { id } }', variables: { image: null } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.image'] }));
  form.append('0', new Blob([await makeJpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    body: form,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as any };
}

test('the data folder is 700, the SQLite database and its -wal/-shm are 600, media files are not world-writable', async () => {
  const ok = await upload();
  expect(ok.body.errors).toBeUndefined();
  expect(modeOf(dataDir)).toBe(0o700);
  const db = path.join(dataDir, 'pixtale.sqlite');
  for (const f of [db, `${db}-wal`, `${db}-shm`]) expect([f, modeOf(f)]).toEqual([f, 0o600]);
  const mediaDir = path.join(dataDir, 'media');
  expect(modeOf(mediaDir)).toBe(0o700);
  const files = fs.readdirSync(mediaDir);
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const f of files) expect(modeOf(path.join(mediaDir, f)) & 0o022).toBe(0);
});

test('an unwritable media folder: uploads answer STORAGE_UNAVAILABLE (retryable, 503) and /health says 503 with the reason', async () => {
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  // Root ignores permission bits, so break the folder in a way that stops root too: a file where the folder was.
  const mediaDir = path.join(dataDir, 'media');
  const aside = `${mediaDir}.aside`;
  fs.renameSync(mediaDir, aside);
  fs.writeFileSync(mediaDir, 'not a folder');
  try {
    const failed = await upload();
    expect(failed.status).toBe(503);
    expect(failed.body.errors[0].extensions).toMatchObject({ code: 'STORAGE_UNAVAILABLE', retryable: true });
    expect(failed.body.errors[0].message).not.toMatch(/ENOTDIR|\/tmp|media/);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ ok: false, problems: { storage: expect.stringContaining('ENOTDIR') } });
  } finally {
    fs.rmSync(mediaDir);
    fs.renameSync(aside, mediaDir);
  }
  // Fixed: both recover without a restart.
  expect((await fetch(`${server.url}/health`)).status).toBe(200);
  expect((await upload()).body.errors).toBeUndefined();
});
