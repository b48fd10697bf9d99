import type { CaptionVersionRecord, PostCursor, PostRecord, Store, UserRecord } from '../store';

/** One page of the EVERYONE feed as the store gave it, with the authors and live captions it shows. */
export interface FeedPage {
  /** `first + 1` rows in feed order (the extra one only tells whether more follow). */
  rows: PostRecord[];
  authors: UserRecord[];
  captions: CaptionVersionRecord[];
}

interface CachedPage {
  page: Promise<FeedPage>;
  /** The rows with their like and view counts as of counts version `version`. */
  counted?: { version: number; rows: Promise<PostRecord[]> };
}

/**
 * Pages of the EVERYONE feed shared by every request of this process. A page is kept under the
 * store's content version and its like and view counts under the counts version (both read in one
 * indexed query on every request): a content change drops every page, a count change makes each
 * page read its counts again (one indexed query), so a write from any process, the reader's own
 * like included, is seen on the next request. Per-viewer fields (likedByMe, commentCount, follows)
 * load per request. Concurrent requests for one page share one read. Bounded, oldest page out
 * first. Stores that cannot tell versions (null) get no caching.
 */
export class FeedPageCache {
  private contentVersion: number | null = null;
  private readonly pages = new Map<string, CachedPage>();

  constructor(
    private readonly store: Store,
    private readonly maxPages = 256,
  ) {}

  async page(first: number, after?: PostCursor): Promise<FeedPage> {
    const versions = await this.store.posts.feedVersions();
    if (versions === null) return this.read(first, after);
    const entry = this.entry(versions.content, first, after);
    const page = await entry.page;
    if (entry.counted?.version !== versions.counts) {
      const counted = { version: versions.counts, rows: this.withCounts(page.rows) };
      entry.counted = counted;
      counted.rows.catch(() => {
        if (entry.counted === counted) entry.counted = undefined; // a failed read is not kept
      });
    }
    return { ...page, rows: await entry.counted.rows };
  }

  /**
   * The page's rows with the counts read now, as views over the shared rows (each shared row is the
   * prototype of its counted view), so the counts never go stale inside the content entry.
   */
  private async withCounts(rows: PostRecord[]): Promise<PostRecord[]> {
    const counts = new Map((await this.store.posts.countsByIds(rows.map((r) => r.id))).map((c) => [c.id, c]));
    return rows.map((row) => {
      const fresh = counts.get(row.id);
      return Object.create(row, {
        likeCount: { value: fresh?.likeCount ?? row.likeCount, enumerable: true },
        viewCount: { value: fresh?.viewCount ?? row.viewCount, enumerable: true },
      }) as PostRecord;
    });
  }

  private entry(contentVersion: number, first: number, after?: PostCursor): CachedPage {
    if (contentVersion !== this.contentVersion) {
      this.pages.clear();
      this.contentVersion = contentVersion;
    }
    const key = `${first}|${after ? `${after.createdAt.getTime()}|${after.id}` : ''}`;
    let entry = this.pages.get(key);
    if (!entry) {
      if (this.pages.size >= this.maxPages) this.pages.delete(this.pages.keys().next().value!);
      const created: CachedPage = { page: this.read(first, after) };
      this.pages.set(key, created);
      created.page.catch(() => {
        if (this.pages.get(key) === created) this.pages.delete(key); // a failed read is not kept
      });
      entry = created;
    }
    return entry;
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
