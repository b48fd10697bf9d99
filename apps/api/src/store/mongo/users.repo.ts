import { newId } from '../ids';
import { DuplicateError, type UserRecord, type UserRepo } from '../port';
import type { Models } from './models';
import { isDup, toUser, type Doc } from './rows';
import { prefixFilter, prefixWords, textSearch } from './search';

export function mongoUsers(m: Models): UserRepo {
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
        await m.User.create({
          _id: u.id,
          email,
          emailLower: email.toLowerCase(),
          displayName,
          nameWords: prefixWords(displayName),
          passwordHash,
          createdAt: u.createdAt,
          tokenVersion: 0,
        });
      } catch (e) {
        if (isDup(e)) throw new DuplicateError('email');
        throw e;
      }
      return u;
    },
    async findById(id) {
      const d = await m.User.findById(id).lean();
      return d ? toUser(d) : null;
    },
    async findByIds(ids) {
      return (await m.User.find({ _id: { $in: ids } }).lean()).map(toUser);
    },
    async findByEmail(email) {
      const d = await m.User.findOne({ emailLower: email.toLowerCase() }).lean();
      return d ? toUser(d) : null;
    },
    async revokeAllSessions(userId, at) {
      // The version first: it alone refuses every older session and token, so the marks below
      // (what the account page shows) may lag or be retried without a gap in protection.
      const u = await m.User.findOneAndUpdate({ _id: userId }, { $inc: { tokenVersion: 1 } }, { returnDocument: 'after' }).lean();
      await m.Session.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } });
      await m.ApiToken.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } });
      return u?.tokenVersion ?? 0;
    },
    async updateProfile(id, patch) {
      const set: Doc = {};
      if (patch.displayName !== undefined)
        Object.assign(set, { displayName: patch.displayName, nameWords: prefixWords(patch.displayName) });
      if (patch.bio !== undefined) set.bio = patch.bio;
      if (patch.avatar !== undefined) set.avatar = patch.avatar;
      const d = Object.keys(set).length
        ? await m.User.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean()
        : await m.User.findById(id).lean();
      return d ? toUser(d) : null;
    },
    async countByAvatarKey(key) {
      return m.User.countDocuments({ 'avatar.key': key });
    },
    async stats(ids) {
      const group = (field: string) => [
        { $match: { [field]: { $in: [...ids] } } },
        { $group: { _id: `$${field}`, n: { $sum: 1 } } },
      ];
      const [users, posts, followers, following] = await Promise.all([
        m.User.find({ _id: { $in: ids } }, { _id: 1 }).lean(),
        m.Post.aggregate<{ _id: string; n: number }>(group('authorId')),
        m.Follow.aggregate<{ _id: string; n: number }>(group('followeeId')),
        m.Follow.aggregate<{ _id: string; n: number }>(group('followerId')),
      ]);
      const map = (rows: { _id: string; n: number }[]) => new Map(rows.map((r) => [r._id, r.n]));
      const [p, fr, fg] = [map(posts), map(followers), map(following)];
      return users.map((u) => {
        const id = u._id as string;
        return { userId: id, postCount: p.get(id) ?? 0, followerCount: fr.get(id) ?? 0, followingCount: fg.get(id) ?? 0 };
      });
    },
    async search(terms, first) {
      if (terms.words.length === 0) return [];
      const ranked = await m.User.find(
        { $text: { $search: textSearch(terms) }, ...prefixFilter('nameWords', terms) },
        { score: { $meta: 'textScore' } },
      )
        .sort({ score: { $meta: 'textScore' }, createdAt: 1, _id: 1 })
        .limit(first)
        .lean();
      if (ranked.length >= first) return ranked.map(toUser);
      // Prefix matches that are not whole words ("ann" for "Annabel"): $text has no prefix search.
      const more = await m.User.find({ _id: { $nin: ranked.map((d) => d._id) }, ...prefixFilter('nameWords', terms) })
        .sort({ createdAt: 1, _id: 1 })
        .limit(first - ranked.length)
        .lean();
      return [...ranked, ...more].map(toUser);
    },
  };
}
