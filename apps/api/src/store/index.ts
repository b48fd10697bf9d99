import path from 'node:path';
import type { Env } from '../env';
import type { Store } from './port';
import { openSqliteStore } from './sqlite/sqlite.store';

export * from './port';

/** Opens the store the environment asks for: MongoDB when MONGODB_URI is set, else SQLite under the data dir. */
export async function openStore(env: Pick<Env, 'MONGODB_URI' | 'dataDir'>): Promise<Store> {
  if (env.MONGODB_URI) {
    const { openMongoStore } = await import('./mongo/mongo.store.js');
    return openMongoStore(env.MONGODB_URI);
  }
  return openSqliteStore(path.join(env.dataDir, 'pixtale.sqlite'));
}
