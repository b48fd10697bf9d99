import type Database from 'better-sqlite3';
import { hashtagKeys } from '../hashtags';

/**
 * A migration: SQL, or SQL plus a backfill for what SQL cannot compute (run in the same
 * transaction, after the SQL).
 */
export type Migration = string | { sql: string; backfill(db: Database.Database): void };

/**
 * Rebuilds one post's search document (post_fts, see migration 4) from its live caption, that
 * caption's translations and its live hashtags; `post` is an SQL expression for the post id.
 * Does nothing for a post that no longer exists. (No INSERT OR IGNORE: in a trigger, the outer
 * statement's conflict policy would replace it.)
 */
const refreshPostSearch = (post: string) => `
    INSERT INTO post_fts_ids (post_id) SELECT id FROM posts
      WHERE id = ${post} AND NOT EXISTS (SELECT 1 FROM post_fts_ids WHERE post_id = ${post});
    DELETE FROM post_fts WHERE rowid = (SELECT id FROM post_fts_ids WHERE post_id = ${post});
    INSERT INTO post_fts (rowid, caption, translations, hashtags)
      SELECT i.id, COALESCE(c.text, ''),
        COALESCE((SELECT group_concat(t.text, ' ') FROM caption_translations t WHERE t.caption_id = p.current_caption_id), ''),
        COALESCE((SELECT group_concat(j.value, ' ') FROM json_each(p.hashtags) j), '')
      FROM posts p JOIN post_fts_ids i ON i.post_id = p.id LEFT JOIN caption_versions c ON c.id = p.current_caption_id
      WHERE p.id = ${post};`;

const refreshUserSearch = (user: string) => `
    INSERT INTO user_fts_ids (user_id) SELECT id FROM users
      WHERE id = ${user} AND NOT EXISTS (SELECT 1 FROM user_fts_ids WHERE user_id = ${user});
    DELETE FROM user_fts WHERE rowid = (SELECT id FROM user_fts_ids WHERE user_id = ${user});
    INSERT INTO user_fts (rowid, display_name)
      SELECT i.id, u.display_name FROM users u JOIN user_fts_ids i ON i.user_id = u.id WHERE u.id = ${user};`;

/**
 * Ordered, append-only schema migrations. The database's `user_version` is the number
 * of migrations applied. Never edit a shipped migration: add a new one.
 */
export const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX api_tokens_user ON api_tokens(user_id, created_at);
  CREATE TABLE posts (
    id TEXT PRIMARY KEY,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    image TEXT NOT NULL,
    image_key TEXT NOT NULL,
    caption_status TEXT NOT NULL,
    caption_error TEXT,
    current_caption_id TEXT,
    suggestions TEXT NOT NULL DEFAULT '[]',
    hashtags TEXT NOT NULL DEFAULT '[]',
    attention TEXT,
    caption_model TEXT,
    like_count INTEGER NOT NULL DEFAULT 0,
    view_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX posts_feed ON posts(created_at DESC, id DESC);
  CREATE INDEX posts_author ON posts(author_id, created_at DESC, id DESC);
  CREATE INDEX posts_image_key ON posts(image_key);
  CREATE TABLE caption_versions (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (post_id, version)
  );
  CREATE TABLE likes (
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    caption_version_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
  );
  CREATE INDEX likes_user ON likes(user_id, post_id);
  CREATE INDEX likes_caption ON likes(caption_version_id);
  CREATE TABLE views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    viewer_key TEXT NOT NULL,
    caption_version_id TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX views_viewer ON views(post_id, viewer_key, created_at DESC);
  CREATE INDEX views_caption ON views(caption_version_id);
  CREATE TABLE caption_jobs (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX caption_jobs_runnable ON caption_jobs(status, run_at, created_at);
  CREATE INDEX caption_jobs_post ON caption_jobs(post_id);
  `,
  // 2: caption translations (one row per caption version and language) and their durable jobs.
  `
  CREATE TABLE caption_translations (
    caption_id TEXT NOT NULL REFERENCES caption_versions(id) ON DELETE CASCADE,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    model TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (caption_id, language)
  );
  CREATE INDEX caption_translations_post ON caption_translations(post_id);
  CREATE TABLE translation_jobs (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    caption_id TEXT NOT NULL REFERENCES caption_versions(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX translation_jobs_runnable ON translation_jobs(status, run_at, created_at);
  CREATE INDEX translation_jobs_caption ON translation_jobs(caption_id);
  CREATE INDEX translation_jobs_post ON translation_jobs(post_id);
  `,
  // 3: anonymous views remember the client address they were counted for (one per address per hour).
  `
  ALTER TABLE views ADD COLUMN address_key TEXT;
  CREATE INDEX views_address ON views(post_id, address_key, created_at DESC);
  `,
  // 4: revocable sessions (logOut), a per-user token version (logOutEverywhere), API token scopes
  // and the session each token was made in. Tokens from before keep the access they had (WRITE).
  `
  ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE INDEX sessions_expires ON sessions(expires_at);
  ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'WRITE';
  ALTER TABLE api_tokens ADD COLUMN session_id TEXT;
  ALTER TABLE api_tokens ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX api_tokens_session ON api_tokens(session_id);
  `,
  // 5: profiles (bio, avatar), follows, comments, hashtag keys of live hashtags, full-text search.
  {
    sql: `
  ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
  ALTER TABLE users ADD COLUMN avatar TEXT;
  CREATE INDEX users_avatar_key ON users(json_extract(avatar, '$.key')) WHERE avatar IS NOT NULL;
  CREATE TABLE follows (
    follower_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    followee_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
  );
  CREATE INDEX follows_followee ON follows(followee_id, follower_id);
  CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX comments_post ON comments(post_id, created_at, id);
  -- Keys (lower-cased, no '#') of each post's live hashtags, written by the store with them.
  CREATE TABLE post_hashtags (
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tag, created_at, post_id)
  );
  CREATE INDEX post_hashtags_post ON post_hashtags(post_id);
  -- Full-text search. FTS rows are keyed by an INTEGER PRIMARY KEY per post or user (stable, unlike
  -- an implicit rowid), and kept in sync by the triggers below on every write.
  CREATE TABLE post_fts_ids (id INTEGER PRIMARY KEY, post_id TEXT NOT NULL UNIQUE REFERENCES posts(id) ON DELETE CASCADE);
  CREATE VIRTUAL TABLE post_fts USING fts5(caption, translations, hashtags, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
  CREATE TABLE user_fts_ids (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE);
  CREATE VIRTUAL TABLE user_fts USING fts5(display_name, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
  CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN ${refreshPostSearch('NEW.id')} END;
  CREATE TRIGGER posts_search_update AFTER UPDATE OF current_caption_id, hashtags ON posts BEGIN ${refreshPostSearch('NEW.id')} END;
  CREATE TRIGGER posts_search_delete BEFORE DELETE ON posts BEGIN
    DELETE FROM post_fts WHERE rowid = (SELECT id FROM post_fts_ids WHERE post_id = OLD.id);
  END;
  CREATE TRIGGER caption_translations_search_insert AFTER INSERT ON caption_translations BEGIN ${refreshPostSearch('NEW.post_id')} END;
  CREATE TRIGGER caption_translations_search_update AFTER UPDATE ON caption_translations BEGIN ${refreshPostSearch('NEW.post_id')} END;
  CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN ${refreshUserSearch('NEW.id')} END;
  CREATE TRIGGER users_search_update AFTER UPDATE OF display_name ON users BEGIN ${refreshUserSearch('NEW.id')} END;
  CREATE TRIGGER users_search_delete BEFORE DELETE ON users BEGIN
    DELETE FROM user_fts WHERE rowid = (SELECT id FROM user_fts_ids WHERE user_id = OLD.id);
  END;
  -- Existing posts and users: ids, then documents (the same statements the triggers run).
  INSERT INTO post_fts_ids (post_id) SELECT id FROM posts ORDER BY created_at, id;
  INSERT INTO post_fts (rowid, caption, translations, hashtags)
    SELECT i.id, COALESCE(c.text, ''),
      COALESCE((SELECT group_concat(t.text, ' ') FROM caption_translations t WHERE t.caption_id = p.current_caption_id), ''),
      COALESCE((SELECT group_concat(j.value, ' ') FROM json_each(p.hashtags) j), '')
    FROM posts p JOIN post_fts_ids i ON i.post_id = p.id LEFT JOIN caption_versions c ON c.id = p.current_caption_id;
  INSERT INTO user_fts_ids (user_id) SELECT id FROM users ORDER BY created_at, id;
  INSERT INTO user_fts (rowid, display_name) SELECT i.id, u.display_name FROM users u JOIN user_fts_ids i ON i.user_id = u.id;
  `,
    // Hashtag keys are lower-cased in JavaScript: SQLite's lower() only folds ASCII.
    backfill(db) {
      const insert = db.prepare('INSERT OR IGNORE INTO post_hashtags (post_id, tag, created_at) VALUES (?, ?, ?)');
      for (const p of db.prepare("SELECT id, hashtags, created_at FROM posts WHERE hashtags <> '[]'").all() as {
        id: string;
        hashtags: string;
        created_at: number;
      }[]) {
        for (const tag of hashtagKeys(JSON.parse(p.hashtags) as string[])) insert.run(p.id, tag, p.created_at);
      }
    },
  },
  // 6: one job queue: caption and translation jobs move into `jobs` (with their kind and a lease
  // token per claim), pending and leased ones included, and the two old tables go.
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    caption_id TEXT REFERENCES caption_versions(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    lease_owner TEXT,
    lease_token TEXT,
    lease_expires_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX jobs_runnable ON jobs(status, run_at, created_at);
  CREATE INDEX jobs_leased ON jobs(status, lease_expires_at);
  CREATE INDEX jobs_post ON jobs(post_id);
  CREATE INDEX jobs_caption ON jobs(caption_id);
  INSERT INTO jobs (id, kind, post_id, caption_id, status, attempts, max_attempts, run_at, lease_owner, lease_expires_at,
                    last_error, created_at, updated_at)
    SELECT id, 'caption', post_id, NULL, status, attempts, max_attempts, run_at, lease_owner, lease_expires_at,
           last_error, created_at, updated_at FROM caption_jobs;
  INSERT INTO jobs (id, kind, post_id, caption_id, status, attempts, max_attempts, run_at, lease_owner, lease_expires_at,
                    last_error, created_at, updated_at)
    SELECT id, 'translation', post_id, caption_id, status, attempts, max_attempts, run_at, lease_owner, lease_expires_at,
           last_error, created_at, updated_at FROM translation_jobs;
  DROP TABLE caption_jobs;
  DROP TABLE translation_jobs;
  `,
  // 7: a content version the triggers bump on every change to what a feed page shows (posts but not
  // their like/view counts, which pages read fresh; caption versions; authors' names and pictures),
  // in the writer's own transaction:
  // API processes cache feed pages under it (post/feed-page-cache.ts) and never serve one after a
  // change. Sign-ups, sessions and token versions (users' other columns) leave it alone.
  `
  CREATE TABLE content_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT INTO content_version (id, n) VALUES (1, 0);
  CREATE TRIGGER posts_insert_bumps_content_version AFTER INSERT ON posts BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER posts_update_bumps_content_version
    AFTER UPDATE OF author_id, image, image_key, caption_status, caption_error, current_caption_id, suggestions,
                    hashtags, attention, caption_model, created_at ON posts
    BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER posts_delete_bumps_content_version AFTER DELETE ON posts BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER caption_versions_insert_bumps_content_version AFTER INSERT ON caption_versions BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER caption_versions_update_bumps_content_version AFTER UPDATE ON caption_versions BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER caption_versions_delete_bumps_content_version AFTER DELETE ON caption_versions BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER users_update_bumps_content_version AFTER UPDATE OF display_name, avatar ON users BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER users_delete_bumps_content_version AFTER DELETE ON users BEGIN UPDATE content_version SET n = n + 1 WHERE id = 1; END;
  `,
  // 8: a second version for the like and view counts, read in the same query as the content
  // version: a process keeps a page's counts until a count changes instead of reading them on
  // every request (a read-mostly feed then costs one version query per request).
  `
  CREATE TABLE counts_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT INTO counts_version (id, n) VALUES (1, 0);
  CREATE TRIGGER posts_counts_bump_counts_version AFTER UPDATE OF like_count, view_count ON posts
    BEGIN UPDATE counts_version SET n = n + 1 WHERE id = 1; END;
  `,
  // 9: a third version for what a post shows beyond its row, its caption and its author: the
  // translations of its captions, where their translation jobs are (status only: lease renewals do
  // not count) and its comments, so results read from them can be shared between viewers too
  // (shared-results.ts) without moving the content version the feed-page cache is kept under.
  `
  CREATE TABLE extras_version (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT INTO extras_version (id, n) VALUES (1, 0);
  CREATE TRIGGER translations_insert_bump_extras_version AFTER INSERT ON caption_translations
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER translations_update_bump_extras_version AFTER UPDATE ON caption_translations
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER translations_delete_bump_extras_version AFTER DELETE ON caption_translations
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER translation_jobs_insert_bump_extras_version AFTER INSERT ON jobs WHEN NEW.kind = 'translation'
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER translation_jobs_status_bump_extras_version AFTER UPDATE OF status ON jobs
    WHEN NEW.kind = 'translation' AND NEW.status IS NOT OLD.status
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER translation_jobs_delete_bump_extras_version AFTER DELETE ON jobs WHEN OLD.kind = 'translation'
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER comments_insert_bump_extras_version AFTER INSERT ON comments
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER comments_delete_bump_extras_version AFTER DELETE ON comments
    BEGIN UPDATE extras_version SET n = n + 1 WHERE id = 1; END;
  `,
];

/**
 * Applies the migrations not yet applied (up to `to`: tests build older databases), each in its own
 * transaction. Several processes may start together on one database: each step takes the write
 * lock first (BEGIN IMMEDIATE; the others wait, busy_timeout) and reads user_version under it, so
 * every migration runs once, by whoever gets there first. Returns how many ran here.
 */
export function migrate(db: Database.Database, to = MIGRATIONS.length): number {
  const step = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current >= to) return false;
    const m = MIGRATIONS[current]!;
    db.exec(typeof m === 'string' ? m : m.sql);
    if (typeof m !== 'string') m.backfill(db);
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  let ran = 0;
  while (step.immediate()) ran++;
  return ran;
}
