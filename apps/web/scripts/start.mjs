#!/usr/bin/env node
// `npm start` for the web app with zero configuration: production mode needs NEXTAUTH_SECRET, so
// when it is not set this generates one once into the data folder (gitignored, mode 600), so
// sessions survive restarts. Everything else is read by src/env.ts.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPortFree, readOrCreateSecret, resolveDataDir } from '@pixtale/shared/node';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };

// The same file src/env.ts reads outside production, so `npm start` and `next dev` agree.
env.NEXTAUTH_SECRET ||= readOrCreateSecret(resolveDataDir(env), 'web-nextauth-secret');
// The API believes the visitor address this server forwards only with this shared secret; the
// API in development reads the same generated file from the same data folder.
env.INTERNAL_API_SECRET ||= readOrCreateSecret(resolveDataDir(env), 'internal-api-secret');

// WEB_PORT, not PORT: each service has its own variable, so moving one never moves the other.
const port = Number(env.WEB_PORT ?? 3000);
env.NEXTAUTH_URL ??= `http://localhost:${port}`;
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
