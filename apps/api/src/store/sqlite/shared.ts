import type Database from 'better-sqlite3';
import type { CaptionSource } from '@pixtale/shared';
import { hashtagKeys } from '../hashtags';
import { newId } from '../ids';
import type { CaptionVersionRecord } from '../port';
import type { Row } from './rows';

/** A statement prepared once, typed by its parameters. */
export interface Prepared<T extends unknown[]> {
  get(...a: T): Row | undefined;
  all(...a: T): Row[];
  run(...a: T): Database.RunResult;
}

export const prepared = <T extends unknown[]>(db: Database.Database, sql: string): Prepared<T> => {
  const st = db.prepare(sql);
  return {
    get: (...a: T) => st.get(...a) as Row | undefined,
    all: (...a: T) => st.all(...a) as Row[],
    run: (...a: T) => st.run(...a),
  };
};

/** What several repositories share (posts, captions, engagement). */
export interface SqliteShared {
  /** The post's live caption version (`current_caption_id`); no row when there is no such post. */
  currentCaptionOf: Prepared<[string]>;
  /** Adds the next caption version and makes it live; joins the caller's transaction. */
  addVersionTx: (postId: string, text: string, source: CaptionSource) => CaptionVersionRecord;
  setHashtagKeys: (postId: string, hashtags: readonly string[]) => void;
}

export function sqliteShared(db: Database.Database): SqliteShared {
  const currentCaptionOf = prepared<[string]>(db, 'SELECT current_caption_id FROM posts WHERE id = ?');

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

  return { currentCaptionOf, addVersionTx, setHashtagKeys };
}
