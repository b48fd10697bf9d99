'use client';

import Link from 'next/link';
import { useSession } from 'next-auth/react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient, useSubscription } from 'urql';
import type { FeedScope } from '@/graphql/generated/graphql';
import { FEED, FEED_UPDATED, POST_DELETED } from '@/graphql/operations';
import { humanError } from '@/lib/errors';
import { LanguageSwitcher, useCaptionLanguage } from './language-switcher';
import { mergeNewest, PostGrid, type FeedPost } from './post-grid';
import { Alert, Button, LinkButton, Spinner, cx } from './ui';

const PAGE_SIZE = 9;

const TABS: Array<{ scope: FeedScope; label: string; href: string }> = [
  { scope: 'EVERYONE', label: 'Everyone', href: '/' },
  { scope: 'FOLLOWING', label: 'Following', href: '/?feed=following' },
];

/** The home feed: everyone's posts, or (signed in) the posts of the people you follow. */
export function Feed({ scope }: { scope: FeedScope }) {
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
      const res = await client.query(FEED, { first: PAGE_SIZE, after, scope }, { requestPolicy: 'network-only' }).toPromise();
      inFlight.current = false;
      setLoading(false);
      if (res.error || !res.data) {
        setError(humanError(res.error));
        return;
      }
      setError(undefined);
      const nodes = res.data.feed.edges.map((e) => e.node);
      setPosts((prev) => (after ? mergeNewest(prev, nodes, 'end') : mergeNewest(nodes, prev, 'end')));
      setCursor(res.data.feed.pageInfo.endCursor ?? null);
      setHasNext(res.data.feed.pageInfo.hasNextPage);
    },
    [client, scope],
  );

  const following = scope === 'FOLLOWING';
  // Whom you follow needs a session: a visitor gets a way to log in instead of an error.
  const needsLogin = following && status === 'unauthenticated';

  useEffect(() => {
    if (status === 'loading' || needsLogin) return;
    setPosts([]);
    void load(null);
  }, [load, status, needsLogin]);

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

  // New posts from everyone arrive live (the Following tab shows them on the next visit).
  useSubscription({ query: FEED_UPDATED, pause: status === 'loading' || following }, (_prev, data) => {
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

  const onUpdate = useCallback(
    (p: Partial<FeedPost> & { id: string }) => setPosts((prev) => prev.map((x) => (x.id === p.id ? { ...x, ...p } : x))),
    [],
  );

  return (
    <section aria-labelledby="feed-title">
      <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 id="feed-title" className="text-2xl font-bold tracking-tight sm:text-3xl">
            {following ? 'From people you follow' : 'Latest photos'}
          </h1>
          <p className="mt-1 text-sm text-muted">Newest first. Every caption starts with our model.</p>
        </div>
        {status === 'authenticated' && <LinkButton href="/upload">Upload a photo</LinkButton>}
      </div>
      {status === 'authenticated' && (
        <nav aria-label="Feeds" className="mb-5">
          <ul className="inline-flex gap-1 rounded-xl border border-line bg-surface p-1">
            {TABS.map((tab) => (
              <li key={tab.scope}>
                <Link
                  href={tab.href}
                  aria-current={tab.scope === scope ? 'page' : undefined}
                  className={cx(
                    'block rounded-lg px-4 py-2 text-sm font-semibold',
                    tab.scope === scope ? 'bg-brand-700 text-white' : 'text-muted hover:bg-slate-100 hover:text-ink',
                  )}
                  data-testid={`feed-tab-${tab.scope.toLowerCase()}`}
                >
                  {tab.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <LanguageSwitcher value={language} onChange={setLanguage} className="mb-5" />
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>
      {needsLogin && (
        <div className="rounded-2xl border border-dashed border-slate-300 p-10 text-center">
          <p className="font-medium">Log in to see photos from the people you follow.</p>
          <LinkButton href="/login?callbackUrl=%2F%3Ffeed%3Dfollowing" className="mt-4">
            Log in
          </LinkButton>
        </div>
      )}
      {error && (
        <Alert className="mb-4">
          {error}{' '}
          <button type="button" className="font-semibold underline" onClick={() => void load(null)}>
            Try again
          </button>
        </Alert>
      )}
      {!loading && !error && !needsLogin && posts.length === 0 && (
        <div className="rounded-2xl border border-dashed border-slate-300 p-10 text-center">
          {following ? (
            <>
              <p className="font-medium">Nothing from people you follow yet.</p>
              <p className="mt-1 text-sm text-muted">Follow people from their profile: select a name on any photo.</p>
            </>
          ) : (
            <>
              <p className="font-medium">No photos yet.</p>
              <p className="mt-1 text-sm text-muted">Be the first to share one.</p>
            </>
          )}
        </div>
      )}
      <PostGrid posts={posts} language={language} onUpdate={onUpdate} />
      <div ref={sentinel} className="mt-8 flex min-h-12 justify-center">
        {loading && !needsLogin ? (
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
