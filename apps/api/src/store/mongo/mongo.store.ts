import mongoose from 'mongoose';
import { newLeaseToken } from '../ids';
import type { Store } from '../port';
import { mongoApiTokens } from './api-tokens.repo';
import { mongoCaptions } from './captions.repo';
import { mongoComments } from './comments.repo';
import { mongoEngagement } from './engagement.repo';
import { mongoFollows } from './follows.repo';
import { mongoJobs } from './jobs.repo';
import { registerModels, type Models } from './models';
import { mongoPosts } from './posts.repo';
import type { Doc } from './rows';
import { prefixWords } from './search';
import { mongoSessions } from './sessions.repo';
import { mongoShared } from './shared';
import { mongoTranslations } from './translations.repo';
import { mongoUsers } from './users.repo';

/**
 * Connects the MongoDB adapter. Multi-document writes (post + caption + job, like + counter,
 * view + counter, new caption version) run in transactions, so MongoDB must be a replica set
 * (a single-node replica set is enough: see docker-compose.yml).
 * Each repository lives in its own `<name>.repo.ts`; document mappers in rows.ts.
 */
export async function openMongoStore(uri: string): Promise<Store> {
  // Inside conn.transaction(fn), every operation uses the transaction's session without being
  // passed it: store.transaction(fn) can then call any repository method.
  mongoose.set('transactionAsyncLocalStorage', true);
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const m: Models = registerModels(conn);
  // Several API and worker processes may start together: one of them at a time brings the
  // database up to date (index changes, legacy collections), the others wait and find it done.
  await withStartupLock(conn, async () => {
    await Promise.all(Object.values(m).map((model) => model.syncIndexes()));
    await adoptLegacyJobs(conn, m);
  });

  const shared = mongoShared(conn, m);
  const { tx, refreshPostSearch } = shared;

  // Databases from before search: build the missing search fields once.
  for (const p of await m.Post.find({ words: { $exists: false } }, { _id: 1 }).lean())
    await refreshPostSearch(undefined, p._id as string);
  for (const u of await m.User.find({ nameWords: { $exists: false } }, { displayName: 1 }).lean()) {
    await m.User.updateOne({ _id: u._id }, { $set: { nameWords: prefixWords(u.displayName as string) } });
  }

  const store: Store = {
    kind: 'mongo',
    users: mongoUsers(m),
    follows: mongoFollows(m),
    comments: mongoComments(m),
    sessions: mongoSessions(m),
    apiTokens: mongoApiTokens(m),
    posts: mongoPosts(m, shared),
    captions: mongoCaptions(m, shared),
    engagement: mongoEngagement(m, shared),
    translations: mongoTranslations(m, shared),
    jobs: mongoJobs(m),

    async transaction(fn) {
      return tx(() => fn(store));
    },

    async close() {
      await conn.close();
    },
  };
  return store;
}

/**
 * Runs `fn` holding a lock document (`pixtale_locks`, _id `startup`): inserting it succeeds for
 * one process; the others retry until it is removed, or until it has expired (a holder that died
 * mid-way; every step of `fn` is safe to repeat).
 */
async function withStartupLock(conn: mongoose.Connection, fn: () => Promise<void>, ttlMs = 120_000) {
  const locks = conn.db!.collection<{ _id: string; owner: string; expiresAt: Date }>('pixtale_locks');
  const owner = newLeaseToken();
  for (;;) {
    try {
      await locks.insertOne({ _id: 'startup', owner, expiresAt: new Date(Date.now() + ttlMs) });
      break;
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e; // duplicate key: someone holds it
      await locks.deleteOne({ _id: 'startup', expiresAt: { $lt: new Date() } });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await fn();
  } finally {
    await locks.deleteOne({ _id: 'startup', owner });
  }
}

/**
 * Jobs from before the one queue (collections `caption_jobs` and `translation_jobs`) move into
 * `jobs` with their kind, pending and leased ones included; then the old collections are dropped.
 * Safe to repeat after a crash half-way (upserts by id).
 */
async function adoptLegacyJobs(conn: mongoose.Connection, m: Models) {
  const db = conn.db!;
  for (const [name, kind] of [
    ['caption_jobs', 'caption'],
    ['translation_jobs', 'translation'],
  ] as const) {
    if (!(await db.listCollections({ name }).hasNext())) continue;
    const legacy = db.collection<Doc>(name);
    const docs = await legacy.find().toArray();
    if (docs.length > 0) {
      await m.Job.collection.bulkWrite(
        docs.map(({ _id, ...rest }) => ({
          updateOne: {
            filter: { _id },
            update: { $setOnInsert: { ...rest, kind, captionId: rest.captionId ?? null, leaseToken: null } },
            upsert: true,
          },
        })),
      );
    }
    await legacy.drop();
  }
}
