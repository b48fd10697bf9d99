import type Database from 'better-sqlite3';
import { newId } from '../ids';
import type { ApiTokenRecord, ApiTokenRepo } from '../port';
import { toToken, type Row } from './rows';

export function sqliteApiTokens(db: Database.Database): ApiTokenRepo {
  return {
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
  };
}
