import type { CaptionStatsRecord, CaptionVersionRecord, DailyCountRecord, EngagementRepo } from '../port';
import type { Models } from './models';
import { isDup, toCaption } from './rows';
import type { MongoShared } from './shared';

// Analytics leave out the author's own views and likes.
const NOT_AUTHOR_VIEW = { $expr: { $ne: ['$viewerKey', { $concat: ['user:', '$authorId'] }] } };
const NOT_AUTHOR_LIKE = { $expr: { $ne: ['$userId', '$authorId'] } };

export function mongoEngagement(m: Models, shared: MongoShared): EngagementRepo {
  const { tx } = shared;

  async function statsFor(captions: CaptionVersionRecord[]): Promise<CaptionStatsRecord[]> {
    const ids = captions.map((c) => c.id);
    const [views, likes] = await Promise.all([
      m.View.aggregate<{ _id: string; n: number }>([
        { $match: { captionVersionId: { $in: ids }, ...NOT_AUTHOR_VIEW } },
        { $group: { _id: '$captionVersionId', n: { $sum: 1 } } },
      ]),
      m.Like.aggregate<{ _id: string; n: number }>([
        { $match: { captionVersionId: { $in: ids }, ...NOT_AUTHOR_LIKE } },
        { $group: { _id: '$captionVersionId', n: { $sum: 1 } } },
      ]),
    ]);
    const v = new Map(views.map((x) => [x._id, x.n]));
    const l = new Map(likes.map((x) => [x._id, x.n]));
    return captions.map((c) => ({ caption: c, views: v.get(c.id) ?? 0, likes: l.get(c.id) ?? 0 }));
  }

  return {
    async like(postId, userId, at) {
      try {
        return await tx(async (session) => {
          const p = await m.Post.findById(postId, { currentCaptionId: 1, authorId: 1 }, { session }).lean();
          if (!p) return false;
          await m.Like.create(
            [{ postId, userId, authorId: p.authorId, captionVersionId: p.currentCaptionId ?? null, createdAt: at }],
            { session },
          );
          await m.Post.updateOne({ _id: postId }, { $inc: { likeCount: 1 } }, { session });
          return true;
        });
      } catch (e) {
        if (isDup(e)) return false;
        throw e;
      }
    },
    async unlike(postId, userId) {
      return tx(async (session) => {
        const r = await m.Like.deleteOne({ postId, userId }, { session });
        if (r.deletedCount !== 1) return false;
        await m.Post.updateOne({ _id: postId }, { $inc: { likeCount: -1 } }, { session });
        return true;
      });
    },
    async likedPostIds(userId, postIds) {
      return (await m.Like.find({ userId, postId: { $in: postIds } }, { postId: 1 }).lean()).map((d) => d.postId as string);
    },
    async recordView(postId, viewerKey, at, windowMs, address) {
      try {
        return await tx(async (session) => {
          const p = await m.Post.findById(postId, { currentCaptionId: 1, authorId: 1 }, { session }).lean();
          if (!p) return false;
          // Conditional upsert: matches only when the last counted view is old enough; when a recent
          // mark exists the upsert collides on _id (E11000) and the view is not counted.
          const mark = (key: string, ms: number) =>
            m.ViewMark.updateOne(
              { _id: `${postId}:${key}`, lastCountedAt: { $lte: new Date(at.getTime() - ms) } },
              { $set: { lastCountedAt: at, postId } },
              { upsert: true, session },
            );
          await mark(viewerKey, windowMs);
          if (address) await mark(address.key, address.windowMs);
          await m.View.create(
            [
              {
                postId,
                viewerKey,
                addressKey: address?.key ?? null,
                authorId: p.authorId,
                captionVersionId: p.currentCaptionId ?? null,
                createdAt: at,
              },
            ],
            { session },
          );
          await m.Post.updateOne({ _id: postId }, { $inc: { viewCount: 1 } }, { session });
          return true;
        });
      } catch (e) {
        if (isDup(e)) return false;
        throw e;
      }
    },
    async captionStats(postId) {
      const caps = (await m.CaptionVersion.find({ postId }).sort({ version: 1 }).lean()).map(toCaption);
      return statsFor(caps);
    },
    async captionStatsByAuthor(authorId) {
      const posts = await m.Post.find({ authorId }, { _id: 1 }).sort({ createdAt: -1, _id: -1 }).lean();
      const order = new Map(posts.map((p, i) => [p._id as string, i]));
      const caps = (await m.CaptionVersion.find({ postId: { $in: [...order.keys()] } }).lean())
        .map(toCaption)
        .sort((a, b) => order.get(a.postId)! - order.get(b.postId)! || a.version - b.version);
      return statsFor(caps);
    },
    async dailyByAuthor(authorId, since) {
      const group = (notAuthor: object) => [
        { $match: { authorId, createdAt: { $gte: since }, ...notAuthor } },
        { $group: { _id: { $dateToString: { format: '%Y-%m-%d', date: '$createdAt' } }, n: { $sum: 1 } } },
      ];
      const [views, likes] = await Promise.all([
        m.View.aggregate<{ _id: string; n: number }>(group(NOT_AUTHOR_VIEW)),
        m.Like.aggregate<{ _id: string; n: number }>(group(NOT_AUTHOR_LIKE)),
      ]);
      const days = new Map<string, DailyCountRecord>();
      for (const v of views) days.set(v._id, { day: v._id, views: v.n, likes: 0 });
      for (const l of likes) days.set(l._id, { day: l._id, views: days.get(l._id)?.views ?? 0, likes: l.n });
      return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
    },
    async totalsByAuthor(authorId) {
      const [views, likes] = await Promise.all([
        m.View.countDocuments({ authorId, ...NOT_AUTHOR_VIEW }),
        m.Like.countDocuments({ authorId, ...NOT_AUTHOR_LIKE }),
      ]);
      return { views, likes };
    },
  };
}
