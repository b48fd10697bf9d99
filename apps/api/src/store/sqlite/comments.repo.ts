import type Database from 'better-sqlite3';
import { newId } from '../ids';
import type { CommentRecord, CommentRepo } from '../port';
import { placeholders, toComment, type Row } from './rows';

export function sqliteComments(db: Database.Database): CommentRepo {
  return {
    async create({ postId, authorId, text }) {
      const c: CommentRecord = { id: newId(), postId, authorId, text, createdAt: new Date() };
      try {
        db.prepare('INSERT INTO comments (id, post_id, author_id, text, created_at) VALUES (?, ?, ?, ?, ?)').run(
          c.id,
          postId,
          authorId,
          text,
          c.createdAt.getTime(),
        );
      } catch (e) {
        // The post (or the author) was deleted meanwhile.
        if (String((e as { code?: unknown })?.code) === 'SQLITE_CONSTRAINT_FOREIGNKEY') return null;
        throw e;
      }
      return c;
    },
    async findById(id) {
      const r = db.prepare('SELECT * FROM comments WHERE id = ?').get(id) as Row | undefined;
      return r ? toComment(r) : null;
    },
    async findByIds(ids) {
      if (ids.length === 0) return [];
      return (db.prepare(`SELECT * FROM comments WHERE id IN (${placeholders(ids.length)})`).all(...ids) as Row[]).map(toComment);
    },
    async delete(id) {
      return db.transaction(() => {
        const r = db.prepare('SELECT * FROM comments WHERE id = ?').get(id) as Row | undefined;
        if (!r) return null;
        db.prepare('DELETE FROM comments WHERE id = ?').run(id);
        return toComment(r);
      })();
    },
    async listByPost(postId, { first, after }) {
      const rows = after
        ? db
            .prepare(
              `SELECT * FROM comments WHERE post_id = ? AND (created_at > ? OR (created_at = ? AND id > ?))
                 ORDER BY created_at, id LIMIT ?`,
            )
            .all(postId, after.createdAt.getTime(), after.createdAt.getTime(), after.id, first)
        : db.prepare('SELECT * FROM comments WHERE post_id = ? ORDER BY created_at, id LIMIT ?').all(postId, first);
      return (rows as Row[]).map(toComment);
    },
    async countByPosts(postIds) {
      if (postIds.length === 0) return [];
      return (
        db
          .prepare(
            `SELECT post_id, COUNT(*) AS n FROM comments WHERE post_id IN (${placeholders(postIds.length)}) GROUP BY post_id`,
          )
          .all(...postIds) as Row[]
      ).map((r) => ({ postId: r.post_id as string, count: Number(r.n) }));
    },
  };
}
