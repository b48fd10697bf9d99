import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * Server-only helpers shared by the API and the web server (`@pixtale/shared/node`); never
 * imported by browser code.
 */

/** The repository root: this file is packages/shared/{src,dist}/node/. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/**
 * The one data directory (SQLite file, media, generated secrets): PIXTALE_DATA_DIR (or DATA_DIR)
 * when set, resolved against the repo root when relative, else `<repo>/data`. Never cwd-relative,
 * so `npm start` from the root and a workspace script find the same folder.
 */
export function resolveDataDir(source: { PIXTALE_DATA_DIR?: string; DATA_DIR?: string } = process.env): string {
  const configured = source.PIXTALE_DATA_DIR || source.DATA_DIR;
  return configured ? path.resolve(REPO_ROOT, configured) : path.join(REPO_ROOT, 'data');
}

/**
 * A random secret generated on first use and kept in `<dataDir>/<name>` (directory 700, file 600),
 * so development needs no configuration and no secret is ever a constant in the code. Production
 * deployments pass their secrets in the environment instead.
 */
export function readOrCreateSecret(dataDir: string, name: string, bytes = 32): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, name);
  if (!fs.existsSync(file)) {
    // Written aside, then hard-linked into place: link() fails if the file exists, so two
    // processes starting together agree on one secret and neither reads a half-written file.
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, randomBytes(bytes).toString('base64url'), { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters: delete it to regenerate`);
  return secret;
}

/**
 * The one line to print when a server cannot listen on its port, naming the variable that moves
 * it (a port clash should not end in a stack trace); null for errors that are not about the port.
 */
export function listenFailure(err: unknown, variable: string, port: number | string): string | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `Port ${port} is already in use: stop what is using it, or set ${variable} to a free port.`;
  if (code === 'EACCES') return `Not allowed to listen on port ${port}: set ${variable} to a port above 1023.`;
  return null;
}

/** Resolves when `port` can be listened on at `host`; rejects with listenFailure's line otherwise. */
export function checkPortFree(port: number, host: string | undefined, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e) => reject(new Error(listenFailure(e, variable, port) ?? String(e))));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export {
  compileTrustProxy,
  normaliseAddress,
  peerAddress,
  verifiedVisitor,
  visitorProof,
  VISITOR_HEADER,
  VISITOR_PROOF_HEADER,
  type TrustProxy,
} from './proxy';
