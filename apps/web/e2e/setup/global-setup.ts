import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const WEB_DIR = path.join(REPO_ROOT, 'apps', 'web');
// E2E_API_MAIN points at another build of the API (e.g. one compiled to a scratch folder).
const API_MAIN = process.env.E2E_API_MAIN ?? path.join(REPO_ROOT, 'apps', 'api', 'dist', 'main.js');
export const E2E_MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
export const STATE_FILE = path.join(os.tmpdir(), 'pixtale-web-e2e.json');

export interface E2EState {
  webUrl: string;
  apiUrl: string;
  wsUrl: string;
  tmpDir: string;
  pids: number[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function start(name: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; logDir: string }): ChildProcess {
  const log = fs.openSync(path.join(opts.logDir, `${name}.log`), 'a');
  // detached: its own process group, so teardown can stop it and its children together.
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', log, log], detached: true });
  child.unref();
  return child;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, logFile: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-3000) : '(no log)';
  throw new Error(`${what} did not become healthy in ${timeoutMs / 1000}s. Log tail:\n${tail}`);
}

export default async function globalSetup() {
  if (!fs.existsSync(API_MAIN)) {
    throw new Error(`The API is not built (${API_MAIN} is missing). Run \`npm run build\` from the repo root first.`);
  }
  if (!fs.existsSync(path.join(WEB_DIR, '.next', 'BUILD_ID'))) {
    throw new Error('The web app is not built (apps/web/.next is missing). Run `npm run build` from the repo root first.');
  }
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-e2e-'));
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const webUrl = `http://localhost:${webPort}`;
  const apiUrl = `http://localhost:${apiPort}/graphql`;
  const wsUrl = `ws://localhost:${apiPort}/graphql`;

  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  for (const k of ['PIXTALE_DATASETS_DIR', 'MONGODB_URI']) if (process.env[k]) base[k] = process.env[k];
  base.PIXTALE_MODELS_DIR = process.env.PIXTALE_MODELS_DIR ?? path.join(REPO_ROOT, 'models');
  // Shared by both: the web app forwards each visitor's address to the API with it.
  base.INTERNAL_API_SECRET = randomBytes(32).toString('hex');

  const api = start('api', [API_MAIN], {
    cwd: REPO_ROOT,
    logDir: tmpDir,
    env: {
      ...base,
      NODE_ENV: 'production',
      API_PORT: String(apiPort),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://localhost:${apiPort}`,
      PIXTALE_DATA_DIR: path.join(tmpDir, 'data'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      CORS_ORIGIN: webUrl,
      // Many sign-ups from one address in a few seconds: keep the suite under the limits.
      AUTH_RATE_LIMIT_POINTS: '1000',
      RATE_LIMIT_POINTS: '100000',
      UPLOAD_RATE_LIMIT_POINTS: '1000',
      CAPTION_THREADS: process.env.E2E_CAPTION_THREADS ?? '1',
      LOG_LEVEL: 'warn',
    },
  });
  // `npm start`'s own launcher, so the suite tests what users run (it vouches for visitor addresses).
  const web = start('web', [path.join(WEB_DIR, 'scripts', 'start.mjs')], {
    cwd: WEB_DIR,
    logDir: tmpDir,
    env: {
      ...base,
      NODE_ENV: 'production',
      WEB_PORT: String(webPort),
      PIXTALE_DATA_DIR: path.join(tmpDir, 'web-data'),
      NEXT_TELEMETRY_DISABLED: '1',
      NEXTAUTH_SECRET: randomBytes(32).toString('hex'),
      NEXTAUTH_URL: webUrl,
      API_URL: apiUrl,
      NEXT_PUBLIC_API_URL: apiUrl,
      NEXT_PUBLIC_WS_URL: wsUrl,
      // A small client-side limit so the size check is tested without pushing 15 MB through CDP.
      NEXT_PUBLIC_MAX_UPLOAD_BYTES: String(E2E_MAX_UPLOAD_BYTES),
    },
  });

  const state: E2EState = { webUrl, apiUrl, wsUrl, tmpDir, pids: [api.pid!, web.pid!] };
  fs.writeFileSync(STATE_FILE, JSON.stringify(state));
  Object.assign(process.env, { E2E_WEB_URL: webUrl, E2E_API_URL: apiUrl, E2E_WS_URL: wsUrl, E2E_TMP_DIR: tmpDir });

  try {
    await waitFor(
      'The API',
      async () => {
        const res = await fetch(apiUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        });
        return res.ok;
      },
      180_000,
      path.join(tmpDir, 'api.log'),
    );
    await waitFor('The web app', async () => (await fetch(`${webUrl}/login`)).ok, 120_000, path.join(tmpDir, 'web.log'));
  } catch (err) {
    const { default: teardown } = await import('./global-teardown');
    await teardown();
    throw err;
  }
}
