import type Database from 'better-sqlite3';
import type { CaptionRepo } from '../port';
import { placeholders, toCaption, type Row } from './rows';
import type { SqliteShared } from './shared';

export function sqliteCaptions(db: Database.Database, shared: SqliteShared): CaptionRepo {
  const { addVersionTx, setHashtagKeys } = shared;
  return {
    async addVersion(postId, text, source, opts) {
      return db.transaction(() => {
        const rec = addVersionTx(postId, text, source);
        if (opts?.hashtags) {
          db.prepare('UPDATE posts SET hashtags = ? WHERE id = ?').run(JSON.stringify(opts.hashtags), postId);
          setHashtagKeys(postId, opts.hashtags);
        }
        return rec;
      })();
    },
    async findById(id) {
      const r = db.prepare('SELECT * FROM caption_versions WHERE id = ?').get(id) as Row | undefined;
      return r ? toCaption(r) : null;
    },
    async findByIds(ids) {
      if (ids.length === 0) return [];
      return (db.prepare(`SELECT * FROM caption_versions WHERE id IN (${placeholders(ids.length)})`).all(...ids) as Row[]).map(
        toCaption,
      );
    },
    async listByPosts(postIds) {
      if (postIds.length === 0) return [];
      return (
        db
          .prepare(`SELECT * FROM caption_versions WHERE post_id IN (${placeholders(postIds.length)}) ORDER BY post_id, version`)
          .all(...postIds) as Row[]
      ).map(toCaption);
    },
  };
}
