'use client';

import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import { useClient } from 'urql';
import { LIMITS } from '@pixtale/shared';
import type { SearchQuery } from '@/graphql/generated/graphql';
import { SEARCH } from '@/graphql/operations';
import { humanError } from '@/lib/errors';
import { hashtagHref, tagKey } from '@/lib/hashtags';
import { formatCount } from '@/lib/media';
import { useCaptionLanguage } from './language-switcher';
import { PostGrid, type FeedPost } from './post-grid';
import { Avatar } from './social';
import { Alert, Spinner } from './ui';

const FIRST = 20;

/** `/search?q=`: posts, people and hashtags matching the words typed (the API ranks them). */
export function SearchResults({ query }: { query: string }) {
  const client = useClient();
  const [language] = useCaptionLanguage();
  const [results, setResults] = useState<SearchQuery['search'] | null>(null);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    if (!query) return;
    let live = true;
    void client
      .query(SEARCH, { query: query.slice(0, LIMITS.searchQueryMaxLength), first: FIRST }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((res) => {
        if (!live) return;
        if (res.error || !res.data) return setError(humanError(res.error));
        setResults(res.data.search);
      });
    return () => {
      live = false;
    };
  }, [client, query]);

  const onUpdate = useCallback(
    (p: Partial<FeedPost> & { id: string }) =>
      setResults((prev) => prev && { ...prev, posts: prev.posts.map((x) => (x.id === p.id ? { ...x, ...p } : x)) }),
    [],
  );

  const total = results ? results.posts.length + results.users.length + results.hashtags.length : 0;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl">
          {query ? (
            <>
              Results for “
              <span dir="auto" className="user-text">
                {query}
              </span>
              ”
            </>
          ) : (
            'Search'
          )}
        </h1>
        <p className="mt-1 text-sm text-muted" aria-live="polite">
          {!query
            ? 'Search captions, people and hashtags with the box at the top of the page.'
            : results
              ? total === 0
                ? 'Nothing matches. Try fewer or shorter words: "bicy" finds "bicycle".'
                : `${total} ${total === 1 ? 'result' : 'results'}`
              : '\u00a0'}
        </p>
      </div>
      {error && <Alert>{error}</Alert>}
      {query && !results && !error && <Spinner label="Searching" />}
      {results && results.users.length > 0 && (
        <section aria-labelledby="search-people">
          <h2 id="search-people" className="mb-3 text-lg font-semibold">
            People
          </h2>
          <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="search-people">
            {results.users.map((u) => (
              <li key={u.id}>
                <Link
                  href={`/u/${u.id}`}
                  className="flex items-center gap-3 rounded-2xl border border-line bg-surface p-3 shadow-sm hover:border-brand-500"
                >
                  <Avatar user={u} size={48} />
                  <span className="min-w-0">
                    <span dir="auto" className="user-text block truncate font-semibold text-ink">
                      {u.displayName}
                    </span>
                    <span className="block text-sm text-muted">
                      {formatCount(u.followerCount)} {u.followerCount === 1 ? 'follower' : 'followers'}
                    </span>
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {results && results.hashtags.length > 0 && (
        <section aria-labelledby="search-hashtags">
          <h2 id="search-hashtags" className="mb-3 text-lg font-semibold">
            Hashtags
          </h2>
          <ul className="flex flex-wrap gap-2" data-testid="search-hashtags">
            {results.hashtags.map((h) => (
              <li key={h.tag}>
                <Link
                  href={hashtagHref(h.tag)}
                  className="inline-flex items-center gap-2 rounded-full bg-brand-50 px-3 py-1.5 text-sm font-medium text-brand-800 hover:bg-brand-100"
                >
                  <span dir="auto" className="user-text">
                    #{tagKey(h.tag)}
                  </span>
                  <span className="text-xs text-brand-800">
                    {formatCount(h.postCount)} {h.postCount === 1 ? 'photo' : 'photos'}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      )}
      {results && results.posts.length > 0 && (
        <section aria-labelledby="search-posts">
          <h2 id="search-posts" className="mb-3 text-lg font-semibold">
            Posts
          </h2>
          <PostGrid posts={results.posts} language={language} onUpdate={onUpdate} testId="search-posts" />
        </section>
      )}
    </div>
  );
}
