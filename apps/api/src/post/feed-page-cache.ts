import type { CaptionVersionRecord, PostCursor, PostRecord, Store, UserRecord } from '../store';

/** One page of the EVERYONE feed as the store gave it, with the authors and live captions it shows. */
export interface FeedPage {
  /** `first + 1` rows in feed order (the extra one only tells whether more follow). */
  rows: PostRecord[];
  authors: UserRecord[];
  captions: CaptionVersionRecord[];
}

/**
 * Pages of the EVERYONE feed shared by every request of this process. A page is kept under the
 * store's contentVersion (one indexed row, read on every request) and dropped as soon as it
 * changes, so a write from any process is seen on the next request. Like and view counts are
 * read fresh for every request (the reader's own like included), so they never empty the cache.
 * Per-viewer fields (likedByMe, commentCount, follows) load per request. Concurrent requests for
 * one page share one read. Bounded, oldest page out first. Stores that cannot tell a version
 * (null) get no caching.
 */
export class FeedPageCache {
  private version: number | null = null;
  private readonly pages = new Map<string, Promise<FeedPage>>();

  constructor(
    private readonly store: Store,
    private readonly maxPages = 256,
  ) {}

  async page(first: number, after?: PostCursor): Promise<FeedPage> {
    const version = await this.store.posts.contentVersion();
    if (version === null) return this.read(first, after);
    const page = await this.cached(version, first, after);
    return { ...page, rows: await this.withFreshCounts(page.rows) };
  }

  /**
   * Likes and views change far more often than anything else a page shows, so they are not part
   * of the version: each request reads them (one indexed query) and sees them over the shared rows
   * (each shared row is the prototype of its per-request view, which has its own counts).
   */
  private async withFreshCounts(rows: PostRecord[]): Promise<PostRecord[]> {
    const counts = new Map((await this.store.posts.countsByIds(rows.map((r) => r.id))).map((c) => [c.id, c]));
    return rows.map((row) => {
      const fresh = counts.get(row.id);
      return Object.create(row, {
        likeCount: { value: fresh?.likeCount ?? row.likeCount, enumerable: true },
        viewCount: { value: fresh?.viewCount ?? row.viewCount, enumerable: true },
      }) as PostRecord;
    });
  }

  private cached(version: number, first: number, after?: PostCursor): Promise<FeedPage> {
    if (version !== this.version) {
      this.pages.clear();
      this.version = version;
    }
    const key = `${first}|${after ? `${after.createdAt.getTime()}|${after.id}` : ''}`;
    let page = this.pages.get(key);
    if (!page) {
      if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value!);
      page = this.read(first, after);
      this.pages.set(key, page);
      const pending = page;
      pending.catch(() => {
        if (this.pages.get(key) === pending) this.pages.delete(key); // a failed read is not kept
      });
    }
    return page;
  }

  private async read(first: number, after?: PostCursor): Promise<FeedPage> {
    const { posts, users, captions } = this.store;
    const rows = await posts.list({ first, after });
    const captionIds = rows.flatMap((r) => (r.currentCaptionId ? [r.currentCaptionId] : []));
    const [authors, live] = await Promise.all([
      users.findByIds([...new Set(rows.map((r) => r.authorId))]),
      captions.findByIds(captionIds),
    ]);
    return { rows, authors, captions: live };
  }
}
