import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDir, makePrivate, PRIVATE_FILE_MODE } from '../../common/private-files';
import type { Store } from '../port';
import { sqliteApiTokens } from './api-tokens.repo';
import { asyncTransactions } from './async-transaction';
import { sqliteCaptions } from './captions.repo';
import { sqliteComments } from './comments.repo';
import { sqliteEngagement } from './engagement.repo';
import { sqliteFollows } from './follows.repo';
import { sqliteJobs } from './jobs.repo';
import { migrate } from './migrations';
import { sqlitePosts } from './posts.repo';
import { sqliteSessions } from './sessions.repo';
import { sqliteShared } from './shared';
import { cacheStatements } from './statement-cache';
import { sqliteTranslations } from './translations.repo';
import { sqliteUsers } from './users.repo';

const WAL_SWITCH_DEADLINE_MS = 10_000;

/**
 * Switching a fresh file to WAL can answer SQLITE_BUSY at once, without calling the busy handler,
 * while another process is switching or recovering it (seen in CI with four processes starting
 * together), so that one step retries on its own until a deadline.
 */
function switchToWal(db: Database.Database): void {
  const deadline = Date.now() + WAL_SWITCH_DEADLINE_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      // ':memory:' databases answer "memory"; a file that stays in another mode would lose the
      // concurrent readers every process relies on.
      if (mode !== 'wal' && mode !== 'memory') throw new Error(`SQLite kept journal_mode "${mode}" instead of WAL`);
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code?.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 20 + Math.random() * 30);
    }
  }
}

/**
 * Opens (creating if needed) the embedded SQLite store: WAL journal, foreign keys on,
 * migrations applied. `file` may be ':memory:'. Each repository lives in its own
 * `<name>.repo.ts`; row mappers in rows.ts, writes several of them share in shared.ts.
 */
export function openSqliteStore(file: string): Store {
  if (file !== ':memory:') {
    ensurePrivateDir(path.dirname(file));
    // Created 600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
    fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  }
  const db = cacheStatements(new Database(file));
  // First: concurrent writers (other processes on this data dir) wait up to 5 s for the lock
  // instead of failing with SQLITE_BUSY; switching a new file to WAL already needs it.
  db.pragma('busy_timeout = 5000');
  switchToWal(db);
  // Databases created by earlier versions were 644.
  if (file !== ':memory:') makePrivate(file, `${file}-wal`, `${file}-shm`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);

  const shared = sqliteShared(db);
  const transactions = asyncTransactions(db);

  const store: Store = {
    kind: 'sqlite',
    users: sqliteUsers(db),
    follows: sqliteFollows(db),
    comments: sqliteComments(db),
    sessions: sqliteSessions(db),
    apiTokens: sqliteApiTokens(db),
    posts: sqlitePosts(db, shared),
    captions: sqliteCaptions(db, shared),
    engagement: sqliteEngagement(db, shared),
    translations: sqliteTranslations(db),
    jobs: sqliteJobs(db),

    async transaction(fn) {
      return transactions.run(() => fn(store));
    },

    async close() {
      if (db.open) db.close();
    },
  };

  // Every store call waits while another caller's transaction(fn) is open (see async-transaction.ts).
  for (const repo of Object.values(store)) {
    if (typeof repo !== 'object' || repo === null) continue;
    for (const [name, method] of Object.entries(repo)) {
      if (typeof method === 'function')
        (repo as Record<string, unknown>)[name] = transactions.gate(method as () => Promise<unknown>);
    }
  }
  return store;
}
