import { createHmac, randomUUID } from 'node:crypto';
import { ErrorReason, LIMITS } from '@pixtale/shared';
import { badInput, conflict, forbidden } from '../common/errors';
import type { PostService } from '../post/post.service';
import type { PubSub } from '../pubsub/pubsub';
import type { CaptionStatsRecord, PostRecord, Store } from '../store';
import { addressOf } from './visitor';

const DAY_MS = 86_400_000;

/** Who is viewing: a signed-in user, or an anonymous visitor (id from the cookie, null when none) at an address. */
export interface ViewerIdentity {
  userId: string | null;
  visitorId: string | null;
  ip: string;
}
const rate = (likes: number, views: number) => (views > 0 ? likes / views : 0);

/** Likes, views and the numbers built from them. */
export class EngagementService {
  constructor(
    private readonly store: Store,
    private readonly posts: PostService,
    private readonly pubsub: PubSub,
    /** Keys the hashes of visitor ids and addresses kept in the views table. */
    private readonly viewKeySecret: string,
  ) {}

  async like(userId: string, postId: string): Promise<PostRecord> {
    await this.posts.require(postId);
    if (!(await this.store.engagement.like(postId, userId, new Date()))) {
      throw conflict('You already like this post', ErrorReason.ALREADY_LIKED);
    }
    this.pubsub.publish('POST_UPDATED', { postId }, postId);
    return this.posts.require(postId);
  }

  async unlike(userId: string, postId: string): Promise<PostRecord> {
    await this.posts.require(postId);
    if (!(await this.store.engagement.unlike(postId, userId))) {
      throw conflict('You do not like this post', ErrorReason.NOT_LIKED);
    }
    this.pubsub.publish('POST_UPDATED', { postId }, postId);
    return this.posts.require(postId);
  }

  /**
   * Counts a view once per viewer per post per window (30 minutes). Anonymous viewers are
   * counted by visitor id, and at most once per post per address per hour, so rotating the
   * cookie or the User-Agent from one address adds nothing. The author's own views never count.
   */
  async view(who: ViewerIdentity, postId: string, at = new Date()): Promise<PostRecord> {
    const post = await this.posts.require(postId);
    if (who.userId === post.authorId) return post;
    const windowMs = LIMITS.viewWindowMinutes * 60_000;
    const counted = who.userId
      ? await this.store.engagement.recordView(postId, `user:${who.userId}`, at, windowMs)
      : await this.store.engagement.recordView(postId, `anon:${this.keyOf(who.visitorId ?? randomUUID())}`, at, windowMs, {
          key: `addr:${this.keyOf(addressOf(who.ip))}`,
          windowMs: LIMITS.anonymousViewAddressWindowMinutes * 60_000,
        });
    if (counted) this.pubsub.publish('POST_UPDATED', { postId }, postId);
    return this.posts.require(postId);
  }

  /** Visitor ids and addresses are stored only as keyed hashes. */
  private keyOf(value: string): string {
    return createHmac('sha256', this.viewKeySecret).update(value).digest('base64url').slice(0, 32);
  }

  /** Per caption version of one post: views, likes, like rate. Author only. */
  async captionAnalytics(userId: string, postId: string) {
    const post = await this.posts.require(postId);
    if (post.authorId !== userId) throw forbidden('Only the author can see the analytics of this post');
    return (await this.store.engagement.captionStats(postId)).map(withRate);
  }

  /** The analytics page: totals, a daily series over `days`, and a per-post per-version table. */
  async summary(userId: string, days: number) {
    if (!Number.isInteger(days) || days < 1 || days > 365) throw badInput('"days" must be between 1 and 365', { field: 'days' });
    const today = new Date(new Date().toISOString().slice(0, 10));
    const since = new Date(today.getTime() - (days - 1) * DAY_MS);
    // The author's own views and likes are left out of every number here (the store's analytics queries).
    const [daily, stats, totals] = await Promise.all([
      this.store.engagement.dailyByAuthor(userId, since),
      this.store.engagement.captionStatsByAuthor(userId),
      this.store.engagement.totalsByAuthor(userId),
    ]);
    const byDay = new Map(daily.map((d) => [d.day, d]));
    const series = Array.from({ length: days }, (_, i) => {
      const day = new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10);
      return { date: day, views: byDay.get(day)?.views ?? 0, likes: byDay.get(day)?.likes ?? 0 };
    });
    const authored = await this.store.posts.list({ first: 10_000, authorId: userId });
    const perPost = authored.map((post) => ({
      post,
      captions: stats.filter((s) => s.caption.postId === post.id).map(withRate),
    }));
    return {
      days,
      totalPosts: authored.length,
      totalViews: totals.views,
      totalLikes: totals.likes,
      likeRate: rate(totals.likes, totals.views),
      daily: series,
      posts: perPost,
    };
  }
}

export function withRate(s: CaptionStatsRecord) {
  return { ...s, likeRate: rate(s.likes, s.views) };
}
