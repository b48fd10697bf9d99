'use client';

import Link from 'next/link';
import { useSession } from 'next-auth/react';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useClient, useSubscription, type CombinedError } from 'urql';
import type { PostCardFieldsFragment } from '@/graphql/generated/graphql';
import { POST_CARD_UPDATED, POST_TRANSLATIONS } from '@/graphql/operations';
import { humanError } from '@/lib/errors';
import { timeAgo } from '@/lib/media';
import { captionIn, languageName, type CaptionLanguage } from '@/lib/translation';
import { useRefreshWhile } from './language-switcher';
import { PostImage } from './post-image';
import { AuthorLink, HashtagList, LikeButton } from './social';
import { Alert, Button, Spinner } from './ui';

export type FeedPost = PostCardFieldsFragment;

/** Adds `incoming` to `list` (new ones at `where`), updating the posts already there in place. */
export function mergeNewest(list: FeedPost[], incoming: FeedPost[], where: 'start' | 'end'): FeedPost[] {
  const byId = new Map(list.map((p) => [p.id, p]));
  const fresh: FeedPost[] = [];
  for (const p of incoming) {
    if (byId.has(p.id)) byId.set(p.id, { ...byId.get(p.id)!, ...p });
    else fresh.push(p);
  }
  const updated = list.map((p) => byId.get(p.id)!);
  return where === 'start' ? [...fresh, ...updated] : [...updated, ...fresh];
}

/** Cards in a responsive grid. */
export function PostGrid({
  posts,
  language,
  onUpdate,
  testId = 'feed-list',
}: {
  posts: FeedPost[];
  language: CaptionLanguage;
  onUpdate: (p: Partial<FeedPost> & { id: string }) => void;
  testId?: string;
}) {
  return (
    <ul className="grid gap-5 sm:grid-cols-2 lg:grid-cols-3" data-testid={testId}>
      {posts.map((post, i) => (
        <li key={post.id}>
          <FeedCard post={post} priority={i < 3} language={language} onUpdate={onUpdate} />
        </li>
      ))}
    </ul>
  );
}

export interface PostPage {
  posts: FeedPost[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/**
 * A list of posts read a page at a time with a "Load more" button (profiles, hashtag pages).
 * `fetchPage` changes identity when the list should start over.
 */
export function PagedPosts({
  fetchPage,
  language,
  empty,
  label,
}: {
  fetchPage: (after: string | null) => Promise<{ page?: PostPage | undefined; error?: CombinedError | undefined }>;
  language: CaptionLanguage;
  empty: ReactNode;
  label: string;
}) {
  const [posts, setPosts] = useState<FeedPost[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasNext, setHasNext] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      const { page, error: err } = await fetchPage(after);
      setLoading(false);
      if (err || !page) return setError(humanError(err));
      setError(undefined);
      setPosts((prev) => (after ? mergeNewest(prev, page.posts, 'end') : page.posts));
      setCursor(page.endCursor);
      setHasNext(page.hasNextPage);
    },
    [fetchPage],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const onUpdate = useCallback(
    (p: Partial<FeedPost> & { id: string }) => setPosts((prev) => prev.map((x) => (x.id === p.id ? { ...x, ...p } : x))),
    [],
  );

  return (
    <section aria-label={label}>
      {error && (
        <Alert className="mb-4">
          {error}{' '}
          <button type="button" className="font-semibold underline" onClick={() => void load(cursor)}>
            Try again
          </button>
        </Alert>
      )}
      {!loading && !error && posts.length === 0 && (
        <div className="rounded-2xl border border-dashed border-slate-300 p-10 text-center text-muted">{empty}</div>
      )}
      <PostGrid posts={posts} language={language} onUpdate={onUpdate} testId="post-grid" />
      <div className="mt-8 flex min-h-12 justify-center">
        {loading ? (
          <Spinner label="Loading photos" />
        ) : hasNext ? (
          <Button variant="secondary" onClick={() => void load(cursor)}>
            Load more photos
          </Button>
        ) : null}
      </div>
    </section>
  );
}

export function FeedCard({
  post,
  priority,
  language,
  onUpdate,
}: {
  post: FeedPost;
  priority: boolean;
  language: CaptionLanguage;
  onUpdate: (p: Partial<FeedPost> & { id: string }) => void;
}) {
  const { status } = useSession();
  const pending = post.captionStatus === 'PENDING' || post.captionStatus === 'PROCESSING';
  const shown = captionIn(post, language);
  // Follow the post while its caption, or its translation into the chosen language, is on the way.
  useSubscription(
    { query: POST_CARD_UPDATED, variables: { postId: post.id }, pause: !pending && shown.kind !== 'translating' },
    (_prev, data) => {
      onUpdate(data.postUpdated);
      return data;
    },
  );
  const client = useClient();
  useRefreshWhile(shown.kind === 'translating', () => {
    void client
      .query(POST_TRANSLATIONS, { id: post.id }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((res) => res.data?.post && onUpdate(res.data.post));
  });
  const href = `/posts/${post.id}`;
  return (
    <article
      className="group overflow-hidden rounded-2xl border border-line bg-surface shadow-sm transition-shadow focus-within:shadow-md hover:shadow-md"
      data-testid="feed-card"
      data-post-id={post.id}
    >
      {/* The caption below is the keyboard's link to the post; the picture is the pointer's. */}
      <Link href={href} tabIndex={-1} aria-hidden className="block">
        <PostImage post={post} sizes="(min-width: 1024px) 33vw, (min-width: 640px) 50vw, 100vw" priority={priority} />
      </Link>
      <div className="space-y-2 p-4">
        <p className="line-clamp-2 text-base font-medium text-ink" data-testid="feed-caption">
          <Link href={href} className="rounded-sm hover:underline focus-visible:outline-2 focus-visible:outline-brand-700">
            {shown.kind === 'text' ? (
              <span lang={shown.lang} dir="auto" className="user-text">
                {shown.text}
              </span>
            ) : shown.kind === 'unavailable' ? (
              <span lang="en" dir="auto" className="user-text">
                {shown.original}
              </span>
            ) : shown.kind === 'translating' ? (
              <span className="text-muted" data-testid="feed-caption-translating">
                Translating into <span lang={shown.lang}>{languageName(shown.lang)}</span>…
              </span>
            ) : pending ? (
              <span className="text-muted">Writing caption…</span>
            ) : (
              <span className="text-muted">No caption</span>
            )}
          </Link>
        </p>
        <HashtagList tags={post.hashtags.slice(0, 4)} testId="feed-hashtags" />
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm text-muted">
          <AuthorLink author={post.author} testId="feed-author" />
          <span aria-hidden>·</span>
          <time dateTime={post.createdAt}>{timeAgo(post.createdAt)}</time>
          <span className="ml-auto flex items-center gap-3">
            <Link
              href={`${href}#comments`}
              className="hover:underline"
              aria-label={`${post.commentCount} ${post.commentCount === 1 ? 'comment' : 'comments'}`}
            >
              <span aria-hidden className="inline-flex items-center gap-1">
                <svg viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.6">
                  <path
                    d="M4 4h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H9l-4 3v-3H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z"
                    strokeLinejoin="round"
                  />
                </svg>
                {post.commentCount}
              </span>
            </Link>
            {status === 'authenticated' ? (
              <LikeButton post={post} onChange={onUpdate} size="sm" showCount />
            ) : (
              <span>
                <span aria-hidden>♥ </span>
                {post.likeCount}
                <span className="sr-only"> {post.likeCount === 1 ? 'like' : 'likes'}</span>
              </span>
            )}
          </span>
        </div>
      </div>
    </article>
  );
}
