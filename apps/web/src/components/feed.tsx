'use client';

import Link from 'next/link';
import { useSession } from 'next-auth/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient, useSubscription } from 'urql';
import { FEED, FEED_UPDATED, POST_CARD_UPDATED, POST_DELETED, POST_TRANSLATIONS } from '@/graphql/operations';
import type { PostCardFieldsFragment as FeedPost } from '@/graphql/generated/graphql';
import { humanError } from '@/lib/errors';
import { formatCount, timeAgo } from '@/lib/media';
import { captionIn, languageName, type CaptionLanguage } from '@/lib/translation';
import { LanguageSwitcher, useCaptionLanguage, useRefreshWhile } from './language-switcher';
import { PostImage } from './post-image';
import { Alert, Button, LinkButton, Spinner } from './ui';

const PAGE_SIZE = 9;

function mergeNewest(list: FeedPost[], incoming: FeedPost[], where: 'start' | 'end'): FeedPost[] {
  const byId = new Map(list.map((p) => [p.id, p]));
  const fresh: FeedPost[] = [];
  for (const p of incoming) {
    if (byId.has(p.id)) byId.set(p.id, { ...byId.get(p.id)!, ...p });
    else fresh.push(p);
  }
  const updated = list.map((p) => byId.get(p.id)!);
  return where === 'start' ? [...fresh, ...updated] : [...updated, ...fresh];
}

export function Feed() {
  const client = useClient();
  const { status } = useSession();
  const [posts, setPosts] = useState<FeedPost[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasNext, setHasNext] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [announce, setAnnounce] = useState('');
  const [language, setLanguage] = useCaptionLanguage();
  const sentinel = useRef<HTMLDivElement>(null);
  const inFlight = useRef(false);

  const load = useCallback(
    async (after: string | null) => {
      if (inFlight.current) return;
      inFlight.current = true;
      setLoading(true);
      const res = await client
        .query(FEED, { first: PAGE_SIZE, after }, { requestPolicy: 'network-only' })
        .toPromise();
      inFlight.current = false;
      setLoading(false);
      if (res.error || !res.data) {
        setError(humanError(res.error));
        return;
      }
      setError(undefined);
      const nodes = res.data.feed.edges.map((e) => e.node);
      setPosts((prev) => (after ? mergeNewest(prev, nodes, 'end') : mergeNewest(nodes, prev, 'end')));
      setCursor(res.data.feed.pageInfo.endCursor);
      setHasNext(res.data.feed.pageInfo.hasNextPage);
    },
    [client],
  );

  useEffect(() => {
    if (status === 'loading') return;
    setPosts([]);
    void load(null);
  }, [load, status]);

  // Infinite scroll: load the next page as the sentinel nears the viewport.
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNext) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void load(cursor);
      },
      { rootMargin: '300px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [cursor, hasNext, load]);

  // New posts from everyone arrive live.
  useSubscription({ query: FEED_UPDATED, pause: status === 'loading' }, (_prev, data) => {
    setPosts((prev) => {
      const known = prev.some((p) => p.id === data.feedUpdated.id);
      if (!known) setAnnounce(`New post from ${data.feedUpdated.author.displayName}`);
      return mergeNewest(prev, [data.feedUpdated], 'start');
    });
    return data;
  });

  useSubscription({ query: POST_DELETED, pause: status === 'loading' }, (_prev, data) => {
    setPosts((prev) => prev.filter((p) => p.id !== data.postDeleted));
    return data;
  });

  const onUpdate = useCallback((p: FeedPost) => setPosts((prev) => prev.map((x) => (x.id === p.id ? { ...x, ...p } : x))), []);

  return (
    <section aria-labelledby="feed-title">
      <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 id="feed-title" className="text-2xl font-bold tracking-tight sm:text-3xl">
            Latest photos
          </h1>
          <p className="mt-1 text-sm text-muted">Newest first. Every caption starts with our model.</p>
        </div>
        {status === 'authenticated' && <LinkButton href="/upload">Upload a photo</LinkButton>}
      </div>
      <LanguageSwitcher value={language} onChange={setLanguage} className="mb-5" />
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>
      {error && (
        <Alert className="mb-4">
          {error}{' '}
          <button type="button" className="font-semibold underline" onClick={() => void load(null)}>
            Try again
          </button>
        </Alert>
      )}
      {!loading && !error && posts.length === 0 && (
        <div className="rounded-2xl border border-dashed border-slate-300 p-10 text-center">
          <p className="font-medium">No photos yet.</p>
          <p className="mt-1 text-sm text-muted">Be the first to share one.</p>
        </div>
      )}
      <ul className="grid gap-5 sm:grid-cols-2 lg:grid-cols-3" data-testid="feed-list">
        {posts.map((post, i) => (
          <li key={post.id}>
            <FeedCard post={post} priority={i < 3} language={language} onUpdate={onUpdate} />
          </li>
        ))}
      </ul>
      <div ref={sentinel} className="mt-8 flex min-h-12 justify-center">
        {loading ? (
          <Spinner label="Loading photos" />
        ) : hasNext ? (
          <Button variant="secondary" onClick={() => void load(cursor)}>
            Load more photos
          </Button>
        ) : posts.length > 0 ? (
          <p className="text-sm text-muted">You have reached the end.</p>
        ) : null}
      </div>
    </section>
  );
}

function FeedCard({
  post,
  priority,
  language,
  onUpdate,
}: {
  post: FeedPost;
  priority: boolean;
  language: CaptionLanguage;
  onUpdate: (p: FeedPost) => void;
}) {
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
      .then((res) => res.data?.post && onUpdate({ ...post, ...res.data.post }));
  });
  return (
    <article
      className="group overflow-hidden rounded-2xl border border-line bg-surface shadow-sm transition-shadow focus-within:shadow-md hover:shadow-md"
      data-testid="feed-card"
      data-post-id={post.id}
    >
      <Link href={`/posts/${post.id}`} className="block focus-visible:outline-offset-[-4px]">
        <PostImage post={post} sizes="(min-width: 1024px) 33vw, (min-width: 640px) 50vw, 100vw" priority={priority} />
        <div className="space-y-2 p-4">
          <p className="line-clamp-2 min-h-12 text-base font-medium text-ink" data-testid="feed-caption">
            {shown.kind === 'text' ? (
              <span lang={shown.lang} dir="auto" className="user-text">{shown.text}</span>
            ) : shown.kind === 'unavailable' ? (
              <span lang="en" dir="auto" className="user-text">{shown.original}</span>
            ) : shown.kind === 'translating' ? (
              <span className="text-muted" data-testid="feed-caption-translating">
                Translating into <span lang={shown.lang}>{languageName(shown.lang)}</span>…
              </span>
            ) : pending ? (
              <span className="text-muted">Writing caption…</span>
            ) : (
              <span className="text-muted">No caption</span>
            )}
          </p>
          <p className="flex flex-wrap items-center gap-x-3 text-sm text-muted">
            <span dir="auto" className="user-text min-w-0" data-testid="feed-author">{post.author.displayName}</span>
            <span aria-hidden>·</span>
            <time dateTime={post.createdAt}>{timeAgo(post.createdAt)}</time>
            <span className="ml-auto" aria-label={`${post.likeCount} likes`}>
              ♥ {formatCount(post.likeCount)}
            </span>
          </p>
        </div>
      </Link>
    </article>
  );
}
