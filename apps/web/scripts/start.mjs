#!/usr/bin/env node
// `npm start` for the web app with zero configuration. It serves the production build through
// Next's request handler on its own HTTP server, so that it can vouch for each visitor's address
// (see below), and generates the secrets it needs once into the data folder (gitignored, 600).
// Everything else is read by src/env.ts.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkPortFree,
  compileTrustProxy,
  listenFailure,
  peerAddress,
  readOrCreateSecret,
  resolveDataDir,
  visitorProof,
  VISITOR_HEADER,
  VISITOR_PROOF_HEADER,
} from '@pixtale/shared/node';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const fail = (message) => {
  console.error(`Pixtale web: ${message}`);
  process.exit(1);
};

// The same file src/env.ts reads outside production, so `npm start` and `next dev` agree.
env.NEXTAUTH_SECRET ||= readOrCreateSecret(resolveDataDir(env), 'web-nextauth-secret');
// The API believes the visitor address this server forwards only with this shared secret; the
// API in development reads the same generated file from the same data folder.
env.INTERNAL_API_SECRET ||= readOrCreateSecret(resolveDataDir(env), 'internal-api-secret');

// WEB_PORT, not PORT: each service has its own variable, so moving one never moves the other.
const port = Number(env.WEB_PORT ?? 3000);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`WEB_PORT must be a port number (got "${env.WEB_PORT}").`);
env.NEXTAUTH_URL ??= `http://localhost:${port}`;
// Loopback unless HOST says otherwise (containers set 0.0.0.0), as the API does.
const host = env.HOST || '127.0.0.1';
let trust;
try {
  trust = compileTrustProxy(env.TRUST_PROXY);
} catch {
  fail('TRUST_PROXY must list IP addresses, CIDRs or loopback/linklocal/uniquelocal, comma-separated.');
}
try {
  await checkPortFree(port, host, 'WEB_PORT');
} catch (e) {
  fail(e.message);
}

env.NODE_ENV = 'production';
const { default: next } = await import('next');
const app = next({ dev: false, dir: webDir, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = http.createServer((req, res) => {
  // The visitor's address, as this server can vouch for it (the connection's, or what a
  // TRUST_PROXY proxy in front says), stamped with a proof only this process and the app share;
  // whatever a client sent in these headers, or in X-Forwarded-For, is replaced.
  const visitor = peerAddress(req, trust);
  req.headers['x-forwarded-for'] = visitor;
  req.headers[VISITOR_HEADER] = visitor;
  req.headers[VISITOR_PROOF_HEADER] = visitorProof(visitor, env.INTERNAL_API_SECRET);
  void handle(req, res);
});
server.on('error', (e) => fail(listenFailure(e, 'WEB_PORT', port) ?? String(e)));
server.listen(port, host, () => console.log(`Pixtale web ready at http://localhost:${port}`));

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
