import { newId } from '../ids';
import type { SessionRecord, SessionRepo } from '../port';
import type { Models } from './models';
import { toSession } from './rows';

export function mongoSessions(m: Models): SessionRepo {
  return {
    async create({ userId, tokenVersion, expiresAt }) {
      const now = new Date();
      const rec: SessionRecord = { id: newId(now.getTime()), userId, tokenVersion, createdAt: now, expiresAt, revokedAt: null };
      // Expired sessions are dropped by the TTL index (models.ts).
      await m.Session.create({ _id: rec.id, userId, tokenVersion, createdAt: now, expiresAt });
      return rec;
    },
    async findById(id) {
      const d = await m.Session.findById(id).lean();
      return d ? toSession(d) : null;
    },
    async revoke(userId, id, at) {
      const live = await m.Session.exists({ _id: id, userId, revokedAt: null });
      if (!live) return false;
      await m.ApiToken.updateMany({ sessionId: id, userId, revokedAt: null }, { $set: { revokedAt: at } });
      const r = await m.Session.updateOne({ _id: id, userId, revokedAt: null }, { $set: { revokedAt: at } });
      return r.modifiedCount === 1;
    },
  };
}
