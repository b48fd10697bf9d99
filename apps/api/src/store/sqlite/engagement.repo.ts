import type Database from 'better-sqlite3';
import type { DailyCountRecord, EngagementRepo } from '../port';
import { placeholders, toStats, type Row } from './rows';
import type { SqliteShared } from './shared';

// Analytics leave out the author's own views and likes (`v`/`l` joined with their post `p`).
const NOT_AUTHOR_VIEW = `v.viewer_key <> 'user:' || p.author_id`;
const NOT_AUTHOR_LIKE = 'l.user_id <> p.author_id';

export function sqliteEngagement(db: Database.Database, shared: SqliteShared): EngagementRepo {
  const { currentCaptionOf } = shared;
  return {
    async like(postId, userId, at) {
      return db.transaction(() => {
        const cur = currentCaptionOf.get(postId);
        if (!cur) return false;
        const res = db
          .prepare('INSERT OR IGNORE INTO likes (post_id, user_id, caption_version_id, created_at) VALUES (?, ?, ?, ?)')
          .run(postId, userId, cur.current_caption_id ?? null, at.getTime());
        if (res.changes === 0) return false;
        db.prepare('UPDATE posts SET like_count = like_count + 1 WHERE id = ?').run(postId);
        return true;
      })();
    },
    async unlike(postId, userId) {
      return db.transaction(() => {
        const res = db.prepare('DELETE FROM likes WHERE post_id = ? AND user_id = ?').run(postId, userId);
        if (res.changes === 0) return false;
        db.prepare('UPDATE posts SET like_count = like_count - 1 WHERE id = ?').run(postId);
        return true;
      })();
    },
    async likedPostIds(userId, postIds) {
      if (postIds.length === 0) return [];
      return (
        db
          .prepare(`SELECT post_id FROM likes WHERE user_id = ? AND post_id IN (${placeholders(postIds.length)})`)
          .all(userId, ...postIds) as Row[]
      ).map((r) => r.post_id as string);
    },
    async recordView(postId, viewerKey, at, windowMs, address) {
      return db.transaction(() => {
        const cur = currentCaptionOf.get(postId);
        if (!cur) return false;
        const recent = db
          .prepare('SELECT 1 FROM views WHERE post_id = ? AND viewer_key = ? AND created_at > ? LIMIT 1')
          .get(postId, viewerKey, at.getTime() - windowMs);
        if (recent) return false;
        if (address) {
          const fromAddress = db
            .prepare('SELECT 1 FROM views WHERE post_id = ? AND address_key = ? AND created_at > ? LIMIT 1')
            .get(postId, address.key, at.getTime() - address.windowMs);
          if (fromAddress) return false;
        }
        db.prepare(
          'INSERT INTO views (post_id, viewer_key, address_key, caption_version_id, created_at) VALUES (?, ?, ?, ?, ?)',
        ).run(postId, viewerKey, address?.key ?? null, cur.current_caption_id ?? null, at.getTime());
        db.prepare('UPDATE posts SET view_count = view_count + 1 WHERE id = ?').run(postId);
        return true;
      })();
    },
    async captionStats(postId) {
      return (
        db
          .prepare(
            `SELECT c.*,
                 (SELECT COUNT(*) FROM views v WHERE v.caption_version_id = c.id AND ${NOT_AUTHOR_VIEW}) AS views,
                 (SELECT COUNT(*) FROM likes l WHERE l.caption_version_id = c.id AND ${NOT_AUTHOR_LIKE}) AS likes
               FROM caption_versions c JOIN posts p ON p.id = c.post_id WHERE c.post_id = ? ORDER BY c.version`,
          )
          .all(postId) as Row[]
      ).map(toStats);
    },
    async captionStatsByAuthor(authorId) {
      return (
        db
          .prepare(
            `SELECT c.*,
                 (SELECT COUNT(*) FROM views v WHERE v.caption_version_id = c.id AND ${NOT_AUTHOR_VIEW}) AS views,
                 (SELECT COUNT(*) FROM likes l WHERE l.caption_version_id = c.id AND ${NOT_AUTHOR_LIKE}) AS likes
               FROM caption_versions c JOIN posts p ON p.id = c.post_id
               WHERE p.author_id = ? ORDER BY p.created_at DESC, p.id DESC, c.version`,
          )
          .all(authorId) as Row[]
      ).map(toStats);
    },
    async totalsByAuthor(authorId) {
      const r = db
        .prepare(
          `SELECT
               (SELECT COUNT(*) FROM views v JOIN posts p ON p.id = v.post_id WHERE p.author_id = ? AND ${NOT_AUTHOR_VIEW}) AS views,
               (SELECT COUNT(*) FROM likes l JOIN posts p ON p.id = l.post_id WHERE p.author_id = ? AND ${NOT_AUTHOR_LIKE}) AS likes`,
        )
        .get(authorId, authorId) as Row;
      return { views: Number(r.views), likes: Number(r.likes) };
    },
    async dailyByAuthor(authorId, since) {
      const day = `strftime('%Y-%m-%d', x.created_at / 1000, 'unixepoch')`;
      const rows = db
        .prepare(
          `SELECT ${day} AS day, SUM(x.kind = 'v') AS views, SUM(x.kind = 'l') AS likes FROM (
               SELECT v.created_at, 'v' AS kind FROM views v JOIN posts p ON p.id = v.post_id
                 WHERE p.author_id = ? AND v.created_at >= ? AND ${NOT_AUTHOR_VIEW}
               UNION ALL
               SELECT l.created_at, 'l' AS kind FROM likes l JOIN posts p ON p.id = l.post_id
                 WHERE p.author_id = ? AND l.created_at >= ? AND ${NOT_AUTHOR_LIKE}
             ) x GROUP BY day ORDER BY day`,
        )
        .all(authorId, since.getTime(), authorId, since.getTime()) as Row[];
      return rows.map((r): DailyCountRecord => ({ day: r.day as string, views: Number(r.views), likes: Number(r.likes) }));
    },
  };
}
