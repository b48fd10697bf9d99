import type Database from 'better-sqlite3';
import { newId } from '../ids';
import { DuplicateError, type UserRecord, type UserRepo } from '../port';
import { ftsQuery, isUnique, placeholders, toUser, type Row } from './rows';

export function sqliteUsers(db: Database.Database): UserRepo {
  return {
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
        db.prepare("SELECT COUNT(*) AS n FROM users WHERE json_extract(avatar, '$.key') = ? AND avatar IS NOT NULL").get(key) as {
          n: number;
        }
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
  };
}
