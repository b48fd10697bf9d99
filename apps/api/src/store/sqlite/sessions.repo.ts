import type Database from 'better-sqlite3';
import { newId } from '../ids';
import type { SessionRecord, SessionRepo } from '../port';
import { toSession, type Row } from './rows';

export function sqliteSessions(db: Database.Database): SessionRepo {
  return {
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
  };
}
