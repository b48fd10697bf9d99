import type { Readable } from 'node:stream';
import { checkUserText, ErrorReason, LIMITS } from '@pixtale/shared';
import { badInput, conflict, forbidden, notFound } from '../common/errors';
import { connectionOf, pageArgs } from '../common/pagination';
import { FeedPageCache } from './feed-page-cache';
import { readLimited, type MediaService } from '../media/media.service';
import type { Logger } from 'pino';
import type { CaptionerProvider } from '../caption/captioner';
import type { JobQueue } from '../jobs/job-queue';
import type { PubSub } from '../pubsub/pubsub';
import type { PostImage, PostRecord, Store } from '../store';

export interface PostServiceOptions {
  store: Store;
  media: MediaService;
  pubsub: PubSub;
  /** Queues the caption and translation jobs that posts and caption edits call for. */
  queue: JobQueue;
  maxUploadBytes: number;
  /** Suggests hashtags for an edited caption (@pixtale/ml's captioner, loaded lazily). */
  captioner?: CaptionerProvider;
  logger?: Logger;
}

export interface UploadLike {
  createReadStream(): Readable;
}

/** Normalises caption text (`normalizeUserText`), refuses it when nothing visible is left, enforces the length limit. */
export function cleanCaption(text: string): string {
  const checked = checkUserText(text, { label: 'Caption', maxLength: LIMITS.captionMaxLength });
  if (!checked.ok) throw badInput(checked.message, { field: 'text' });
  return checked.text;
}

/** Posts: upload, feed, delete, caption edits and caption retries. */
export class PostService {
  private readonly everyone: FeedPageCache;

  constructor(private readonly o: PostServiceOptions) {
    this.everyone = new FeedPageCache(o.store);
  }

  async get(id: string): Promise<PostRecord | null> {
    return this.o.store.posts.findById(id);
  }

  async require(id: string): Promise<PostRecord> {
    const post = await this.o.store.posts.findById(id);
    if (!post) throw notFound('Post', id);
    return post;
  }

  private async requireOwn(userId: string, postId: string, action: string): Promise<PostRecord> {
    const post = await this.require(postId);
    if (post.authorId !== userId) throw forbidden(`Only the author can ${action} this post`);
    return post;
  }

  /**
   * Validates and normalises the image, then writes post + caption version + their caption and
   * translation jobs in one store transaction. Nothing is written when validation fails; files written for a
   * post that could not be stored are removed.
   */
  async create(authorId: string, upload: Promise<UploadLike> | UploadLike, caption?: string | null): Promise<PostRecord> {
    const text = caption == null || caption.trim() === '' ? null : cleanCaption(caption);
    const file = await upload;
    const bytes = await readLimited(file.createReadStream(), this.o.maxUploadBytes);
    // The files stay pinned until the post is stored, so a concurrent delete of a post with the
    // same image cannot remove them in between.
    let stored: PostImage | undefined;
    let post: PostRecord;
    try {
      post = await this.o.media.ingestWhile(bytes, (image) => {
        stored = image;
        return this.o.queue.transaction(async (tx, queue) => {
          const created = await tx.posts.create({ authorId, image, caption: text });
          await queue.queueCaption(created.id);
          if (created.currentCaptionId) await queue.queueTranslation({ id: created.currentCaptionId, postId: created.id });
          return created;
        });
      });
    } catch (e) {
      if (stored) await this.removeFilesIfUnused(stored);
      throw e;
    }
    this.o.pubsub.publish('FEED_UPDATED', { postId: post.id });
    return post;
  }

  /**
   * A page of posts, newest first: all of them, or one author's (`authorId`), or those by the users
   * `followedBy` follows, or those whose live hashtags include `hashtag` (a key: see hashtagKey).
   */
  async feed(first: number, after?: string | null, filter: { authorId?: string; followedBy?: string; hashtag?: string } = {}) {
    const page = pageArgs(first, after);
    const rows = await this.o.store.posts.list({ first: page.first + 1, after: page.after, ...filter });
    return connectionOf(rows, page.first);
  }

  /**
   * Everyone's posts, newest first, from the shared page cache (feed-page-cache.ts), with the
   * page's authors and live captions for the caller's loaders.
   */
  async everyoneFeed(first: number, after?: string | null) {
    const args = pageArgs(first, after);
    const page = await this.everyone.page(args.first + 1, args.after);
    return { connection: connectionOf(page.rows, args.first), authors: page.authors, captions: page.captions };
  }

  async delete(userId: string, postId: string): Promise<boolean> {
    await this.requireOwn(userId, postId, 'delete');
    const deleted = await this.o.store.posts.delete(postId); // with its comments
    if (!deleted) return false;
    await this.removeFilesIfUnused(deleted.image);
    this.o.pubsub.publish('POST_DELETED', { postId });
    return true;
  }

  /** Identical uploads share one set of content-addressed files: remove them with the last post using them. */
  private async removeFilesIfUnused(image: PostImage) {
    await this.o.media.removeUnused(image, async () => (await this.o.store.posts.countByImageKey(image.detail.key)) > 0);
  }

  async editCaption(userId: string, postId: string, text: string): Promise<PostRecord> {
    const clean = cleanCaption(text);
    const post = await this.requireOwn(userId, postId, 'edit the caption of');
    const hashtags = await this.hashtagsFor(post, clean);
    await this.o.queue.transaction(async (tx, queue) =>
      queue.queueTranslation(await tx.captions.addVersion(postId, clean, 'USER', { hashtags })),
    );
    this.o.pubsub.publish('POST_UPDATED', { postId }, postId);
    return this.require(postId);
  }

  /**
   * Hashtags follow the live caption: the author's own `#tags` as written, then the model's
   * suggestions for the image and this caption. Without a model here, the author's tags alone
   * (never the tags of an older caption).
   */
  async hashtagsFor(post: PostRecord, caption: string): Promise<string[]> {
    try {
      if (!this.o.captioner) throw new Error('no captioner configured');
      const captioner = await this.o.captioner();
      return await captioner.suggestHashtags(this.o.media.pathOf(post.image.detailJpeg), caption);
    } catch (e) {
      this.o.logger?.warn({ err: e, postId: post.id }, "hashtag model unavailable: keeping only the author's own hashtags");
      return import('@pixtale/ml').then((ml) => ml.authorHashtags(caption)).catch(() => []);
    }
  }

  /** Queues a new caption job for a post whose captioning FAILED (checked in the same transaction: one job however many retries race). */
  async retryCaption(userId: string, postId: string): Promise<PostRecord> {
    await this.requireOwn(userId, postId, 'retry captioning');
    await this.o.queue.transaction(async (tx, queue) => {
      const post = await tx.posts.findById(postId);
      if (!post) throw notFound('Post', postId);
      if (post.captionStatus !== 'FAILED') {
        throw conflict(`Caption is ${post.captionStatus}, only FAILED captions can be retried`, ErrorReason.CAPTION_NOT_FAILED);
      }
      await queue.queueCaption(postId);
      await tx.posts.setCaptionStatus(postId, 'PENDING', null);
    });
    this.o.pubsub.publish('POST_UPDATED', { postId }, postId);
    return this.require(postId);
  }
}
