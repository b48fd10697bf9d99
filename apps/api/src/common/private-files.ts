import fs from 'node:fs';

/** Owner-only modes for what holds accounts, sessions and secrets. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const STICKY_BIT = 0o1000;

/**
 * Creates `dir` readable by its owner only (700), and tightens a folder an earlier version
 * created 755. A shared folder with the sticky bit (such as /tmp) is never changed.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const { mode } = fs.statSync(dir);
  if ((mode & 0o077) !== 0 && (mode & STICKY_BIT) === 0) fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Sets 600 on each file that exists (e.g. a SQLite database and its -wal and -shm files). */
export function makePrivate(...files: string[]): void {
  for (const file of files) {
    try {
      fs.chmodSync(file, PRIVATE_FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
