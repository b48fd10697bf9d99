import type { CaptionRepo } from '../port';
import type { Models } from './models';
import { toCaption } from './rows';
import type { MongoShared } from './shared';

export function mongoCaptions(m: Models, shared: MongoShared): CaptionRepo {
  const { tx, addVersion, refreshPostSearch } = shared;

  return {
    async addVersion(postId, text, source, opts) {
      return tx(async (session) => {
        const rec = await addVersion(session, postId, text, source);
        if (opts?.hashtags) await m.Post.updateOne({ _id: postId }, { $set: { hashtags: opts.hashtags } }, { session });
        await refreshPostSearch(session, postId);
        return rec;
      });
    },
    async findById(id) {
      const d = await m.CaptionVersion.findById(id).lean();
      return d ? toCaption(d) : null;
    },
    async findByIds(ids) {
      return (await m.CaptionVersion.find({ _id: { $in: ids } }).lean()).map(toCaption);
    },
    async listByPosts(postIds) {
      return (
        await m.CaptionVersion.find({ postId: { $in: postIds } })
          .sort({ postId: 1, version: 1 })
          .lean()
      ).map(toCaption);
    },
  };
}
