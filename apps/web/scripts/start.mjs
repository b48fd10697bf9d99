#!/usr/bin/env node
// `npm start` for the web app with zero configuration: production mode needs NEXTAUTH_SECRET, so
// when it is not set this generates one once and keeps it under <repo>/data/ (gitignored), so
// sessions survive restarts. Everything else is read by src/env.ts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };

if (!env.NEXTAUTH_SECRET) {
  const dataDir = path.resolve(env.PIXTALE_DATA_DIR ?? path.join(webDir, '..', '..', 'data'));
  const file = path.join(dataDir, 'web-nextauth-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
    console.log(`NEXTAUTH_SECRET was not set: generated one in ${file}`);
  }
  env.NEXTAUTH_SECRET = fs.readFileSync(file, 'utf8').trim();
}

// The API believes the visitor address this server forwards only with this shared secret; the
// API in development reads the same generated file from the same data folder.
if (!env.INTERNAL_API_SECRET) {
  const { readOrCreateSecret, resolveDataDir } = await import('@pixtale/shared/node');
  env.INTERNAL_API_SECRET = readOrCreateSecret(resolveDataDir(env), 'internal-api-secret');
}

// WEB_PORT, not PORT: each service has its own variable, so moving one never moves the other.
const port = Number(env.WEB_PORT ?? 3000);
env.NEXTAUTH_URL ??= `http://localhost:${port}`;
const { checkPortFree } = await import('@pixtale/shared/node');
try {
  await checkPortFree(port, undefined, 'WEB_PORT');
} catch (e) {
  console.error(`Pixtale web: ${e.message}`);
  process.exit(1);
}

const next = path.join(path.dirname(fileURLToPath(import.meta.resolve('next/package.json'))), 'dist', 'bin', 'next');
const child = spawn(process.execPath, [next, 'start', '-p', String(port)], { cwd: webDir, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
