import type { TranslationRepo } from '../port';
import type { Models } from './models';
import { toTranslation } from './rows';
import type { MongoShared } from './shared';

export function mongoTranslations(m: Models, shared: MongoShared): TranslationRepo {
  const { refreshPostSearch } = shared;

  return {
    async save({ captionId, language, text, model }) {
      const c = await m.CaptionVersion.findById(captionId, { postId: 1 }).lean();
      if (!c) return null;
      const d = await m.Translation.findOneAndUpdate(
        { _id: `${captionId}:${language}` },
        { $set: { captionId, postId: c.postId, language, text, model, createdAt: new Date() } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      // The post may have been deleted between the lookup and the write: drop the orphan.
      if (!(await m.CaptionVersion.exists({ _id: captionId }))) {
        await m.Translation.deleteOne({ _id: `${captionId}:${language}` });
        return null;
      }
      await refreshPostSearch(undefined, c.postId as string);
      return toTranslation(d!);
    },
    async listByCaptions(captionIds) {
      if (captionIds.length === 0) return [];
      return (
        await m.Translation.find({ captionId: { $in: captionIds } })
          .sort({ captionId: 1, language: 1 })
          .lean()
      ).map(toTranslation);
    },
  };
}
