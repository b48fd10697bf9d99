import { newId } from '../ids';
import type { ApiTokenRecord, ApiTokenRepo } from '../port';
import type { Models } from './models';
import { toToken } from './rows';

export function mongoApiTokens(m: Models): ApiTokenRepo {
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
      await m.ApiToken.create({ _id: t.id, userId, name, tokenHash, scope, sessionId, tokenVersion, createdAt: t.createdAt });
      return t;
    },
    async findByHash(tokenHash) {
      const d = await m.ApiToken.findOne({ tokenHash }).lean();
      return d ? toToken(d) : null;
    },
    async listByUser(userId) {
      return (await m.ApiToken.find({ userId }).sort({ createdAt: -1 }).lean()).map(toToken);
    },
    async revoke(userId, id) {
      const r = await m.ApiToken.updateOne({ _id: id, userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
      return r.modifiedCount === 1;
    },
    async touch(id, at) {
      await m.ApiToken.updateOne({ _id: id }, { $set: { lastUsedAt: at } });
    },
  };
}
