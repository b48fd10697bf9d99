import type Database from 'better-sqlite3';
import { newId } from '../ids';
import type { FeedVersions, HashtagRecord, PostRepo } from '../port';
import { ftsQuery, placeholders, toPost, type Row } from './rows';
import { prepared, type SqliteShared } from './shared';

// Lists leave out the attention column (about 10 kB per captioned post, and a feed page
// never shows it): a listed post reads its attention from the table on first access.
const LISTED_POST_COLUMNS = `id, author_id, image, image_key, caption_status, caption_error, current_caption_id,
  suggestions, hashtags, caption_model, like_count, view_count, created_at`;
const LISTED_POST_COLUMNS_P = LISTED_POST_COLUMNS.split(',')
  .map((c) => `p.${c.trim()}`)
  .join(', ');

export function sqlitePosts(db: Database.Database, shared: SqliteShared): PostRepo {
  const { addVersionTx, currentCaptionOf, setHashtagKeys } = shared;
  const attentionOf = prepared<[string]>(db, 'SELECT attention FROM posts WHERE id = ?');
  const feedVersionsOf = prepared<[]>(
    db,
    'SELECT c.n AS content, k.n AS counts, e.n AS extras FROM content_version c, counts_version k, extras_version e ' +
      'WHERE c.id = 1 AND k.id = 1 AND e.id = 1',
  );
  const toListedPost = (r: Row) => toPost(r, () => attentionOf.get(r.id as string)?.attention ?? null, false);

  return {
    async create(input) {
      const now = Date.now();
      const id = newId(now);
      db.transaction(() => {
        db.prepare(
          `INSERT INTO posts (id, author_id, image, image_key, caption_status, created_at)
             VALUES (?, ?, ?, ?, 'PENDING', ?)`,
        ).run(id, input.authorId, JSON.stringify(input.image), input.image.detail.key, now);
        if (input.caption != null) addVersionTx(id, input.caption, 'USER');
      })();
      return toPost(db.prepare('SELECT * FROM posts WHERE id = ?').get(id) as Row);
    },
    async findById(id) {
      const r = db.prepare('SELECT * FROM posts WHERE id = ?').get(id) as Row | undefined;
      return r ? toPost(r) : null;
    },
    async findByIds(ids) {
      if (ids.length === 0) return [];
      return (
        db.prepare(`SELECT ${LISTED_POST_COLUMNS} FROM posts WHERE id IN (${placeholders(ids.length)})`).all(...ids) as Row[]
      ).map(toListedPost);
    },
    async list({ first, after, authorId, followedBy, hashtag }) {
      // A hashtag's posts come from its (tag, created_at, post_id) index, newest first, without
      // sorting all of them; other lists walk posts' own (created_at, id) or author index.
      const [from, t, id] = hashtag
        ? [`post_hashtags h JOIN posts p ON p.id = h.post_id`, 'h.created_at', 'h.post_id']
        : ['posts p', 'p.created_at', 'p.id'];
      const where: string[] = [];
      const args: unknown[] = [];
      if (hashtag) {
        where.push('h.tag = ?');
        args.push(hashtag);
      }
      if (authorId) {
        where.push('p.author_id = ?');
        args.push(authorId);
      }
      if (followedBy) {
        where.push('p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = ?)');
        args.push(followedBy);
      }
      if (after) {
        where.push(`(${t} < ? OR (${t} = ? AND ${id} < ?))`);
        args.push(after.createdAt.getTime(), after.createdAt.getTime(), after.id);
      }
      const sql = `SELECT ${LISTED_POST_COLUMNS_P} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                     ORDER BY ${t} DESC, ${id} DESC LIMIT ?`;
      return (db.prepare(sql).all(...args, first) as Row[]).map(toListedPost);
    },
    async delete(id) {
      return db.transaction(() => {
        const r = db.prepare('SELECT * FROM posts WHERE id = ?').get(id) as Row | undefined;
        if (!r) return null;
        db.prepare('DELETE FROM posts WHERE id = ?').run(id); // cascades to captions, translations, likes, views, jobs
        return toPost(r);
      })();
    },
    async feedVersions() {
      return feedVersionsOf.get() as unknown as FeedVersions;
    },
    async countsByIds(ids) {
      if (ids.length === 0) return [];
      return (
        db.prepare(`SELECT id, like_count, view_count FROM posts WHERE id IN (${placeholders(ids.length)})`).all(...ids) as Row[]
      ).map((r) => ({ id: r.id as string, likeCount: r.like_count as number, viewCount: r.view_count as number }));
    },
    async countByHashtag(tag) {
      return (db.prepare('SELECT COUNT(*) AS n FROM post_hashtags WHERE tag = ?').get(tag) as { n: number }).n;
    },
    async search(terms, first) {
      const match = ftsQuery(terms);
      if (!match) return [];
      // Weights: the caption counts most, then hashtags, then translations.
      return (
        db
          .prepare(
            `SELECT ${LISTED_POST_COLUMNS_P} FROM post_fts f
               JOIN post_fts_ids i ON i.id = f.rowid JOIN posts p ON p.id = i.post_id
               WHERE post_fts MATCH ? ORDER BY bm25(post_fts, 3.0, 1.0, 2.0), p.created_at DESC, p.id DESC LIMIT ?`,
          )
          .all(match, first) as Row[]
      ).map(toListedPost);
    },
    async searchHashtags(terms, first) {
      if (terms.words.length === 0) return [];
      // A key range per word: every tag starting with it, from the primary key's index.
      const ranges = terms.words.map(() => '(tag >= ? AND tag < ?)').join(' OR ');
      const args = terms.words.flatMap((w) => [w, `${w}\u{10FFFF}`]);
      return (
        db
          .prepare(`SELECT tag, COUNT(*) AS n FROM post_hashtags WHERE ${ranges} GROUP BY tag ORDER BY n DESC, tag LIMIT ?`)
          .all(...args, first) as Row[]
      ).map((r): HashtagRecord => ({ tag: r.tag as string, postCount: Number(r.n) }));
    },
    async countByImageKey(key) {
      return (db.prepare('SELECT COUNT(*) AS n FROM posts WHERE image_key = ?').get(key) as { n: number }).n;
    },
    async setCaptionStatus(id, status, error = null) {
      db.prepare('UPDATE posts SET caption_status = ?, caption_error = ? WHERE id = ?').run(status, error, id);
    },
    async applyCaptionResult(id, result) {
      return db.transaction(() => {
        const cur = currentCaptionOf.get(id);
        if (!cur) return null;
        db.prepare(
          `UPDATE posts SET caption_status = 'READY', caption_error = NULL, suggestions = ?, hashtags = ?,
               attention = ?, caption_model = ? WHERE id = ?`,
        ).run(
          JSON.stringify(result.suggestions),
          JSON.stringify(result.hashtags),
          result.attention ? JSON.stringify(result.attention) : null,
          result.model,
          id,
        );
        setHashtagKeys(id, result.hashtags);
        const addedVersion = cur.current_caption_id == null ? addVersionTx(id, result.caption, 'MODEL') : null;
        return { post: toPost(db.prepare('SELECT * FROM posts WHERE id = ?').get(id) as Row), addedVersion };
      })();
    },
  };
}
