import type { AsyncLocalStorage } from 'node:async_hooks';
import mongoose, { type ClientSession } from 'mongoose';
import type { CaptionSource } from '@pixtale/shared';
import { hashtagKeys } from '../hashtags';
import { newId } from '../ids';
import type { CaptionVersionRecord } from '../port';
import type { Models } from './models';
import { prefixWords } from './search';

/** What several repositories share: transactions, new caption versions, a post's search fields. */
export type MongoShared = ReturnType<typeof mongoShared>;

export function mongoShared(conn: mongoose.Connection, m: Models) {
  const transactionStorage = (
    mongoose as unknown as { transactionAsyncLocalStorage?: AsyncLocalStorage<{ session?: ClientSession }> }
  ).transactionAsyncLocalStorage;
  /** Runs `fn` in a transaction, or in the one already open (MongoDB has no nested transactions). */
  const tx = <T>(fn: (session: ClientSession) => Promise<T>): Promise<T> => {
    const open = transactionStorage?.getStore()?.session;
    return open ? fn(open) : conn.transaction(fn);
  };

  async function addVersion(session: ClientSession, postId: string, text: string, source: CaptionSource) {
    const last = await m.CaptionVersion.findOne({ postId }, { version: 1 }, { session }).sort({ version: -1 }).lean();
    const rec: CaptionVersionRecord = {
      id: newId(),
      postId,
      text,
      source,
      version: ((last?.version as number | undefined) ?? 0) + 1,
      createdAt: new Date(),
    };
    await m.CaptionVersion.create([{ _id: rec.id, postId, text, source, version: rec.version, createdAt: rec.createdAt }], {
      session,
    });
    await m.Post.updateOne({ _id: postId }, { $set: { currentCaptionId: rec.id } }, { session });
    return rec;
  }

  /**
   * Rebuilds a post's search document (live caption, its translations, live hashtags), its words
   * for prefix search and its hashtag keys. Called in the transaction of every write that changes them.
   */
  async function refreshPostSearch(session: ClientSession | undefined, postId: string) {
    const p = await m.Post.findById(postId, { currentCaptionId: 1, hashtags: 1 }, { session }).lean();
    if (!p) return;
    // One after the other: a transaction's session takes one operation at a time.
    const caption = p.currentCaptionId
      ? await m.CaptionVersion.findById(p.currentCaptionId, { text: 1 }, { session }).lean()
      : null;
    const translations = p.currentCaptionId
      ? await m.Translation.find({ captionId: p.currentCaptionId }, { text: 1 }, { session }).sort({ language: 1 }).lean()
      : [];
    const hashtags: string[] = p.hashtags ?? [];
    const search = {
      caption: (caption?.text as string | undefined) ?? '',
      translations: translations.map((t) => t.text as string).join(' '),
      hashtags: hashtags.map((t) => t.replace(/^#+/, '')).join(' '),
    };
    await m.Post.updateOne(
      { _id: postId },
      {
        $set: {
          search,
          words: prefixWords(`${search.caption} ${search.translations} ${search.hashtags}`),
          tags: hashtagKeys(hashtags),
        },
      },
      { session },
    );
  }

  return { tx, addVersion, refreshPostSearch };
}
