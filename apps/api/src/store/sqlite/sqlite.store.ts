import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ApiTokenScope, CaptionSource, CaptionStatus } from '@pixtale/shared';
import { ensurePrivateDir, makePrivate, PRIVATE_FILE_MODE } from '../../common/private-files';
import { hashtagKeys } from '../hashtags';
import { newId, newLeaseToken } from '../ids';
import { asyncTransactions } from './async-transaction';
import { migrate } from './migrations';
import { cacheStatements } from './statement-cache';
import {
  DuplicateError,
  type ApiTokenRecord,
  type AttentionRecord,
  type CaptionStatsRecord,
  type CaptionVersionRecord,
  type CommentRecord,
  type DailyCountRecord,
  type HashtagRecord,
  type JobKind,
  type JobRecord,
  type JobStatus,
  type PostRecord,
  type SessionRecord,
  type SearchTerms,
  type Store,
  type TranslationRecord,
  type UserRecord,
} from '../port';

type Row = Record<string, unknown>;

const date = (v: unknown): Date => new Date(v as number);
const dateOrNull = (v: unknown): Date | null => (v == null ? null : new Date(v as number));
const json = <T>(v: unknown, fallback: T): T => (v == null ? fallback : (JSON.parse(v as string) as T));

function toUser(r: Row): UserRecord {
  return {
    id: r.id as string,
    email: r.email as string,
    displayName: r.display_name as string,
    passwordHash: (r.password_hash as string | null) ?? null,
    bio: (r.bio as string | null) ?? '',
    avatar: json(r.avatar, null),
    createdAt: date(r.created_at),
    tokenVersion: r.token_version as number,
  };
}

function toSession(r: Row): SessionRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    tokenVersion: r.token_version as number,
    createdAt: date(r.created_at),
    expiresAt: date(r.expires_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

function toComment(r: Row): CommentRecord {
  return {
    id: r.id as string,
    postId: r.post_id as string,
    authorId: r.author_id as string,
    text: r.text as string,
    createdAt: date(r.created_at),
  };
}

/**
 * An FTS5 query from search terms: each word quoted (a string, so nothing in it is syntax) as a
 * prefix (`"bicy"*`), all required. Null when there is nothing to search for.
 */
function ftsQuery(terms: SearchTerms): string | null {
  if (terms.words.length === 0) return null;
  return terms.words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(' ');
}

function toToken(r: Row): ApiTokenRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    name: r.name as string,
    tokenHash: r.token_hash as string,
    scope: r.scope as ApiTokenScope,
    sessionId: (r.session_id as string | null) ?? null,
    tokenVersion: r.token_version as number,
    createdAt: date(r.created_at),
    lastUsedAt: dateOrNull(r.last_used_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

/** `readAttention` gives the row's attention JSON; lists pass one that reads it from the table. */
function toPost(r: Row, readAttention: () => unknown = () => r.attention): PostRecord {
  const post: PostRecord = {
    id: r.id as string,
    authorId: r.author_id as string,
    image: json(r.image, null as never),
    captionStatus: r.caption_status as CaptionStatus,
    captionError: (r.caption_error as string | null) ?? null,
    currentCaptionId: (r.current_caption_id as string | null) ?? null,
    suggestions: json(r.suggestions, []),
    hashtags: json(r.hashtags, []),
    attention: null,
    captionModel: (r.caption_model as string | null) ?? null,
    likeCount: r.like_count as number,
    viewCount: r.view_count as number,
    createdAt: date(r.created_at),
  };
  // The attention map (8x8 weights per caption word, about 10 kB of JSON) is parsed on first
  // read: lists such as the feed read many rows and rarely ask for it.
  let attention: AttentionRecord | null | undefined;
  Object.defineProperty(post, 'attention', {
    enumerable: true,
    get: () => (attention === undefined ? (attention = json<AttentionRecord | null>(readAttention(), null)) : attention),
    set: (v: AttentionRecord | null) => {
      attention = v;
    },
  });
  return post;
}

function toCaption(r: Row): CaptionVersionRecord {
  return {
    id: r.id as string,
    postId: r.post_id as string,
    text: r.text as string,
    source: r.source as CaptionSource,
    version: r.version as number,
    createdAt: date(r.created_at),
  };
}

function toJob(r: Row): JobRecord {
  return {
    id: r.id as string,
    kind: r.kind as JobKind,
    postId: r.post_id as string,
    captionId: (r.caption_id as string | null) ?? null,
    status: r.status as JobStatus,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    runAt: date(r.run_at),
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseToken: (r.lease_token as string | null) ?? null,
    leaseExpiresAt: dateOrNull(r.lease_expires_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

function toTranslation(r: Row): TranslationRecord {
  return {
    captionId: r.caption_id as string,
    postId: r.post_id as string,
    language: r.language as string,
    text: r.text as string,
    model: r.model as string,
    createdAt: date(r.created_at),
  };
}

function toStats(r: Row): CaptionStatsRecord {
  return { caption: toCaption(r), views: r.views as number, likes: r.likes as number };
}

// No `instanceof Error` here: errors from the native module may come from another realm (jest).
const isUnique = (e: unknown) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((e as { code?: unknown })?.code ?? ''));

// Analytics leave out the author's own views and likes (`v`/`l` joined with their post `p`).
const NOT_AUTHOR_VIEW = `v.viewer_key <> 'user:' || p.author_id`;
const NOT_AUTHOR_LIKE = 'l.user_id <> p.author_id';

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/**
 * Opens (creating if needed) the embedded SQLite store: WAL journal, foreign keys on,
 * migrations applied. `file` may be ':memory:'.
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
  db.pragma('journal_mode = WAL');
  // Databases created by earlier versions were 644.
  if (file !== ':memory:') makePrivate(file, `${file}-wal`, `${file}-shm`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);

  const q = <T extends unknown[]>(sql: string) => {
    const st = db.prepare(sql);
    return {
      get: (...a: T) => st.get(...a) as Row | undefined,
      all: (...a: T) => st.all(...a) as Row[],
      run: (...a: T) => st.run(...a),
    };
  };

  const currentCaptionOf = q<[string]>('SELECT current_caption_id FROM posts WHERE id = ?');

  // Lists leave out the attention column (about 10 kB per captioned post, and a feed page
  // never shows it): a listed post reads its attention from the table on first access.
  const LISTED_POST_COLUMNS = `id, author_id, image, image_key, caption_status, caption_error, current_caption_id,
    suggestions, hashtags, caption_model, like_count, view_count, created_at`;
  const LISTED_POST_COLUMNS_P = LISTED_POST_COLUMNS.split(',')
    .map((c) => `p.${c.trim()}`)
    .join(', ');
  const attentionOf = q<[string]>('SELECT attention FROM posts WHERE id = ?');
  const toListedPost = (r: Row) => toPost(r, () => attentionOf.get(r.id as string)?.attention ?? null);

  const addVersionTx = db.transaction((postId: string, text: string, source: CaptionSource): CaptionVersionRecord => {
    const max = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM caption_versions WHERE post_id = ?').get(postId) as {
      v: number;
    };
    const rec: CaptionVersionRecord = {
      id: newId(),
      postId,
      text,
      source,
      version: max.v + 1,
      createdAt: new Date(),
    };
    db.prepare('INSERT INTO caption_versions (id, post_id, text, source, version, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      rec.id,
      postId,
      text,
      source,
      rec.version,
      rec.createdAt.getTime(),
    );
    db.prepare('UPDATE posts SET current_caption_id = ? WHERE id = ?').run(rec.id, postId);
    return rec;
  });

  const transactions = asyncTransactions(db);

  const NO_LEASE = 'lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL';
  /** Updates a job only while `lease` holds it (PROCESSING, same token); true when it did. */
  const leased = (lease: { id: string; token: string }, set: string, ...args: unknown[]) =>
    db
      .prepare(`UPDATE jobs SET ${set}, updated_at = ? WHERE id = ? AND lease_token = ? AND status = 'PROCESSING'`)
      .run(...args, Date.now(), lease.id, lease.token).changes === 1;

  /** Keeps post_hashtags (keys of the live hashtags) in step with posts.hashtags; inside the caller's transaction. */
  function setHashtagKeys(postId: string, hashtags: readonly string[]) {
    db.prepare('DELETE FROM post_hashtags WHERE post_id = ?').run(postId);
    const post = db.prepare('SELECT created_at FROM posts WHERE id = ?').get(postId) as Row | undefined;
    if (!post) return;
    for (const tag of hashtagKeys(hashtags)) {
      db.prepare('INSERT OR IGNORE INTO post_hashtags (post_id, tag, created_at) VALUES (?, ?, ?)').run(
        postId,
        tag,
        post.created_at,
      );
    }
  }

  const store: Store = {
    kind: 'sqlite',

    users: {
      async create({ email, displayName, passwordHash }) {
        const u: UserRecord = {
          id: newId(),
          email,
          displayName,
          passwordHash,
          bio: '',
          avatar: null,
          createdAt: new Date(),
          tokenVersion: 0,
        };
        try {
          db.prepare(
            'INSERT INTO users (id, email, email_lower, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          ).run(u.id, email, email.toLowerCase(), displayName, passwordHash, u.createdAt.getTime());
        } catch (e) {
          if (isUnique(e)) throw new DuplicateError('email');
          throw e;
        }
        return u;
      },
      async findById(id) {
        const r = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
        return r ? toUser(r) : null;
      },
      async findByIds(ids) {
        if (ids.length === 0) return [];
        return (db.prepare(`SELECT * FROM users WHERE id IN (${placeholders(ids.length)})`).all(...ids) as Row[]).map(toUser);
      },
      async findByEmail(email) {
        const r = db.prepare('SELECT * FROM users WHERE email_lower = ?').get(email.toLowerCase()) as Row | undefined;
        return r ? toUser(r) : null;
      },
      async revokeAllSessions(userId, at) {
        return db.transaction(() => {
          const r = db
            .prepare('UPDATE users SET token_version = token_version + 1 WHERE id = ? RETURNING token_version')
            .get(userId) as Row | undefined;
          db.prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(at.getTime(), userId);
          db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL').run(at.getTime(), userId);
          return (r?.token_version as number | undefined) ?? 0;
        })();
      },
      async updateProfile(id, patch) {
        return db.transaction(() => {
          if (patch.displayName !== undefined)
            db.prepare('UPDATE users SET display_name = ? WHERE id = ?').run(patch.displayName, id);
          if (patch.bio !== undefined) db.prepare('UPDATE users SET bio = ? WHERE id = ?').run(patch.bio, id);
          if (patch.avatar !== undefined) {
            db.prepare('UPDATE users SET avatar = ? WHERE id = ?').run(patch.avatar ? JSON.stringify(patch.avatar) : null, id);
          }
          const r = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
          return r ? toUser(r) : null;
        })();
      },
      async countByAvatarKey(key) {
        return (
          db
            .prepare("SELECT COUNT(*) AS n FROM users WHERE json_extract(avatar, '$.key') = ? AND avatar IS NOT NULL")
            .get(key) as { n: number }
        ).n;
      },
      async stats(ids) {
        if (ids.length === 0) return [];
        const list = placeholders(ids.length);
        return (
          db
            .prepare(
              `SELECT u.id,
                 (SELECT COUNT(*) FROM posts p WHERE p.author_id = u.id) AS posts,
                 (SELECT COUNT(*) FROM follows f WHERE f.followee_id = u.id) AS followers,
                 (SELECT COUNT(*) FROM follows f WHERE f.follower_id = u.id) AS following
               FROM users u WHERE u.id IN (${list})`,
            )
            .all(...ids) as Row[]
        ).map((r) => ({
          userId: r.id as string,
          postCount: Number(r.posts),
          followerCount: Number(r.followers),
          followingCount: Number(r.following),
        }));
      },
      async search(terms, first) {
        const match = ftsQuery(terms);
        if (!match) return [];
        return (
          db
            .prepare(
              `SELECT u.* FROM user_fts f JOIN user_fts_ids i ON i.id = f.rowid JOIN users u ON u.id = i.user_id
               WHERE user_fts MATCH ? ORDER BY bm25(user_fts), u.created_at, u.id LIMIT ?`,
            )
            .all(match, first) as Row[]
        ).map(toUser);
      },
    },

    follows: {
      async follow(followerId, followeeId, at) {
        const res = db
          .prepare('INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)')
          .run(followerId, followeeId, at.getTime());
        return res.changes === 1;
      },
      async unfollow(followerId, followeeId) {
        return (
          db.prepare('DELETE FROM follows WHERE follower_id = ? AND followee_id = ?').run(followerId, followeeId).changes === 1
        );
      },
      async followedIds(followerId, userIds) {
        if (userIds.length === 0) return [];
        return (
          db
            .prepare(`SELECT followee_id FROM follows WHERE follower_id = ? AND followee_id IN (${placeholders(userIds.length)})`)
            .all(followerId, ...userIds) as Row[]
        ).map((r) => r.followee_id as string);
      },
    },

    comments: {
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
        return (db.prepare(`SELECT * FROM comments WHERE id IN (${placeholders(ids.length)})`).all(...ids) as Row[]).map(
          toComment,
        );
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
    },

    sessions: {
      async create({ userId, tokenVersion, expiresAt }) {
        const now = Date.now();
        const rec: SessionRecord = { id: newId(now), userId, tokenVersion, createdAt: new Date(now), expiresAt, revokedAt: null };
        db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(now - 24 * 3600_000);
        db.prepare('INSERT INTO sessions (id, user_id, token_version, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
          rec.id,
          userId,
          tokenVersion,
          now,
          expiresAt.getTime(),
        );
        return rec;
      },
      async findById(id) {
        const r = db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
        return r ? toSession(r) : null;
      },
      async revoke(userId, id, at) {
        return db.transaction(() => {
          const res = db
            .prepare('UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL')
            .run(at.getTime(), id, userId);
          if (res.changes !== 1) return false;
          db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE session_id = ? AND user_id = ? AND revoked_at IS NULL').run(
            at.getTime(),
            id,
            userId,
          );
          return true;
        })();
      },
    },

    apiTokens: {
      async create({ userId, name, tokenHash, scope, sessionId, tokenVersion }) {
        const t: ApiTokenRecord = {
          id: newId(),
          userId,
          name,
          tokenHash,
          scope,
          sessionId,
          tokenVersion,
          createdAt: new Date(),
          lastUsedAt: null,
          revokedAt: null,
        };
        db.prepare(
          'INSERT INTO api_tokens (id, user_id, name, token_hash, scope, session_id, token_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(t.id, userId, name, tokenHash, scope, sessionId, tokenVersion, t.createdAt.getTime());
        return t;
      },
      async findByHash(tokenHash) {
        const r = db.prepare('SELECT * FROM api_tokens WHERE token_hash = ?').get(tokenHash) as Row | undefined;
        return r ? toToken(r) : null;
      },
      async listByUser(userId) {
        return (db.prepare('SELECT * FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC').all(userId) as Row[]).map(
          toToken,
        );
      },
      async revoke(userId, id) {
        const res = db
          .prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL')
          .run(Date.now(), id, userId);
        return res.changes === 1;
      },
      async touch(id, at) {
        db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at.getTime(), id);
      },
    },

    posts: {
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
    },

    captions: {
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
            .prepare(
              `SELECT * FROM caption_versions WHERE post_id IN (${placeholders(postIds.length)}) ORDER BY post_id, version`,
            )
            .all(...postIds) as Row[]
        ).map(toCaption);
      },
    },

    engagement: {
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
    },

    translations: {
      async save({ captionId, language, text, model }) {
        return db.transaction(() => {
          const c = db.prepare('SELECT post_id FROM caption_versions WHERE id = ?').get(captionId) as Row | undefined;
          if (!c) return null;
          const now = Date.now();
          db.prepare(
            `INSERT INTO caption_translations (caption_id, post_id, language, text, model, created_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (caption_id, language) DO UPDATE SET text = excluded.text, model = excluded.model, created_at = excluded.created_at`,
          ).run(captionId, c.post_id, language, text, model, now);
          return toTranslation(
            db
              .prepare('SELECT * FROM caption_translations WHERE caption_id = ? AND language = ?')
              .get(captionId, language) as Row,
          );
        })();
      },
      async listByCaptions(captionIds) {
        if (captionIds.length === 0) return [];
        return (
          db
            .prepare(
              `SELECT * FROM caption_translations WHERE caption_id IN (${placeholders(captionIds.length)}) ORDER BY caption_id, language`,
            )
            .all(...captionIds) as Row[]
        ).map(toTranslation);
      },
    },

    // ---- The one job queue (all kinds): leases, heartbeats, back-off, crash recovery ----
    jobs: {
      async enqueue({ kind, postId, captionId = null, maxAttempts }) {
        const now = Date.now();
        const id = newId(now);
        db.prepare(
          `INSERT INTO jobs (id, kind, post_id, caption_id, status, attempts, max_attempts, run_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?)`,
        ).run(id, kind, postId, captionId, maxAttempts, now, now, now);
        return toJob(db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row);
      },
      async claim(kinds, owner, now, leaseMs) {
        if (kinds.length === 0) return null;
        const t = now.getTime();
        return db
          .transaction(() => {
            const r = db
              .prepare(
                `SELECT id FROM jobs WHERE kind IN (${placeholders(kinds.length)})
                 AND ((status = 'PENDING' AND run_at <= ?) OR (status = 'PROCESSING' AND lease_expires_at < ?))
               ORDER BY created_at, id LIMIT 1`,
              )
              .get(...kinds, t, t) as Row | undefined;
            if (!r) return null;
            db.prepare(
              `UPDATE jobs SET status = 'PROCESSING', attempts = attempts + 1, lease_owner = ?, lease_token = ?,
               lease_expires_at = ?, updated_at = ? WHERE id = ?`,
            ).run(owner, newLeaseToken(), t + leaseMs, t, r.id);
            return toJob(db.prepare('SELECT * FROM jobs WHERE id = ?').get(r.id) as Row);
          })
          .immediate();
      },
      async heartbeat(lease, now, leaseMs) {
        return leased(lease, 'lease_expires_at = ?', now.getTime() + leaseMs);
      },
      async complete(lease) {
        return leased(lease, `status = 'DONE', ${NO_LEASE}`);
      },
      async fail(lease, error, retryAt) {
        return leased(
          lease,
          `status = ?, last_error = ?, run_at = COALESCE(?, run_at), ${NO_LEASE}`,
          retryAt ? 'PENDING' : 'FAILED',
          error,
          retryAt ? retryAt.getTime() : null,
        );
      },
      async release(lease) {
        return leased(lease, `status = 'PENDING', attempts = MAX(attempts - 1, 0), ${NO_LEASE}`);
      },
      async findByPost(postId, kind) {
        const rows = kind
          ? db.prepare('SELECT * FROM jobs WHERE post_id = ? AND kind = ? ORDER BY created_at, id').all(postId, kind)
          : db.prepare('SELECT * FROM jobs WHERE post_id = ? ORDER BY created_at, id').all(postId);
        return (rows as Row[]).map(toJob);
      },
      async findByCaptions(captionIds) {
        if (captionIds.length === 0) return [];
        return (
          db
            .prepare(`SELECT * FROM jobs WHERE caption_id IN (${placeholders(captionIds.length)}) ORDER BY created_at, id`)
            .all(...captionIds) as Row[]
        ).map(toJob);
      },
      async countByStatus(kind) {
        const out: Record<JobStatus, number> = { PENDING: 0, PROCESSING: 0, DONE: 0, FAILED: 0 };
        const rows = kind
          ? db.prepare('SELECT status, COUNT(*) AS n FROM jobs WHERE kind = ? GROUP BY status').all(kind)
          : db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all();
        for (const r of rows as Row[]) out[r.status as JobStatus] = r.n as number;
        return out;
      },
    },

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
