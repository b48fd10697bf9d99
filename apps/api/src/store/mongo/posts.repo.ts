import { newId } from '../ids';
import type { HashtagRecord, PostRepo } from '../port';
import type { Models } from './models';
import { toPost, type Doc } from './rows';
import { byPrefixScore, escapeRegex, PREFIX_CANDIDATES, prefixFilter, textSearch } from './search';
import type { MongoShared } from './shared';

export function mongoPosts(m: Models, shared: MongoShared): PostRepo {
  const { tx, addVersion, refreshPostSearch } = shared;

  return {
    async create(input) {
      const now = new Date();
      const id = newId(now.getTime());
      await tx(async (session) => {
        await m.Post.create(
          [
            {
              _id: id,
              authorId: input.authorId,
              image: input.image,
              imageKey: input.image.detail.key,
              captionStatus: 'PENDING',
              createdAt: now,
            },
          ],
          { session },
        );
        if (input.caption != null) await addVersion(session, id, input.caption, 'USER');
        await refreshPostSearch(session, id);
      });
      return toPost((await m.Post.findById(id).lean())!);
    },
    async findById(id) {
      const d = await m.Post.findById(id).lean();
      return d ? toPost(d) : null;
    },
    async findByIds(ids) {
      return (await m.Post.find({ _id: { $in: ids } }).lean()).map(toPost);
    },
    async list({ first, after, authorId, followedBy, hashtag }) {
      const filter: Doc = {};
      if (authorId) filter.authorId = authorId;
      if (hashtag) filter.tags = hashtag;
      if (followedBy) {
        const followees = (await m.Follow.find({ followerId: followedBy }, { followeeId: 1 }).lean()).map(
          (d) => d.followeeId as string,
        );
        filter.authorId = authorId ? (followees.includes(authorId) ? authorId : { $in: [] }) : { $in: followees };
      }
      if (after) filter.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }];
      return (await m.Post.find(filter).sort({ createdAt: -1, _id: -1 }).limit(first).lean()).map(toPost);
    },
    async delete(id) {
      return tx(async (session) => {
        const d = await m.Post.findOneAndDelete({ _id: id }, { session }).lean();
        if (!d) return null;
        await Promise.all([
          m.CaptionVersion.deleteMany({ postId: id }, { session }),
          m.Like.deleteMany({ postId: id }, { session }),
          m.View.deleteMany({ postId: id }, { session }),
          m.ViewMark.deleteMany({ postId: id }, { session }),
          m.Job.deleteMany({ postId: id }, { session }),
          m.Translation.deleteMany({ postId: id }, { session }),
          m.Comment.deleteMany({ postId: id }, { session }),
        ]);
        return toPost(d);
      });
    },
    async feedVersions() {
      // No triggers here: a version kept by every write path (or a change stream) is still to do.
      return null;
    },
    async countsByIds(ids) {
      if (ids.length === 0) return [];
      const docs = await m.Post.find({ _id: { $in: [...ids] } }, { likeCount: 1, viewCount: 1 }).lean();
      return docs.map((d) => ({ id: String(d._id), likeCount: d.likeCount ?? 0, viewCount: d.viewCount ?? 0 }));
    },
    async countByImageKey(key) {
      return m.Post.countDocuments({ imageKey: key });
    },
    async countByHashtag(tag) {
      return m.Post.countDocuments({ tags: tag });
    },
    async search(terms, first) {
      if (terms.words.length === 0) return [];
      const ranked = await m.Post.find(
        { $text: { $search: textSearch(terms) }, ...prefixFilter('words', terms) },
        { score: { $meta: 'textScore' } },
      )
        .sort({ score: { $meta: 'textScore' }, createdAt: -1, _id: -1 })
        .limit(first)
        .lean();
      if (ranked.length >= first) return ranked.map(toPost);
      // Prefix matches that are not whole words ("bicy" for "bicycle"): $text has no prefix search.
      const more = await m.Post.find({ _id: { $nin: ranked.map((d) => d._id) }, ...prefixFilter('words', terms) })
        .sort({ createdAt: -1, _id: -1 })
        .limit(PREFIX_CANDIDATES)
        .lean();
      return [...ranked, ...byPrefixScore(more, terms).slice(0, first - ranked.length)].map(toPost);
    },
    async searchHashtags(terms, first) {
      if (terms.words.length === 0) return [];
      const starts = terms.words.map((w) => new RegExp(`^${escapeRegex(w)}`));
      const rows = await m.Post.aggregate<{ _id: string; n: number }>([
        { $match: { tags: { $in: starts } } },
        { $unwind: '$tags' },
        { $match: { tags: { $in: starts } } },
        { $group: { _id: '$tags', n: { $sum: 1 } } },
        { $sort: { n: -1, _id: 1 } },
        { $limit: first },
      ]);
      return rows.map((r): HashtagRecord => ({ tag: r._id, postCount: r.n }));
    },
    async setCaptionStatus(id, status, error = null) {
      await m.Post.updateOne({ _id: id }, { $set: { captionStatus: status, captionError: error } });
    },
    async applyCaptionResult(id, result) {
      return tx(async (session) => {
        const d = await m.Post.findById(id, null, { session }).lean();
        if (!d) return null;
        await m.Post.updateOne(
          { _id: id },
          {
            $set: {
              captionStatus: 'READY',
              captionError: null,
              suggestions: result.suggestions,
              hashtags: result.hashtags,
              attention: result.attention,
              captionModel: result.model,
            },
          },
          { session },
        );
        const addedVersion = d.currentCaptionId == null ? await addVersion(session, id, result.caption, 'MODEL') : null;
        await refreshPostSearch(session, id);
        return { post: toPost((await m.Post.findById(id, null, { session }).lean())!), addedVersion };
      });
    },
  };
}
