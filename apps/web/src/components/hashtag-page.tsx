'use client';

import { useCallback, useState } from 'react';
import { useClient } from 'urql';
import { HASHTAG } from '@/graphql/operations';
import { formatCount } from '@/lib/media';
import { useCaptionLanguage } from './language-switcher';
import { PagedPosts } from './post-grid';

const PAGE_SIZE = 12;

/** `/tags/<tag>`: the posts whose live hashtags include the tag, newest first. */
export function HashtagPage({ tag }: { tag: string }) {
  const client = useClient();
  const [language] = useCaptionLanguage();
  const [count, setCount] = useState<number | null>(null);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const res = await client.query(HASHTAG, { tag, first: PAGE_SIZE, after }, { requestPolicy: 'network-only' }).toPromise();
      const hashtag = res.data?.hashtag;
      if (res.data) setCount(hashtag?.postCount ?? 0);
      // No post has the tag (yet): an empty page, not an error.
      const posts = hashtag?.posts;
      return {
        error: res.error,
        page: res.data
          ? {
              posts: posts?.edges.map((e) => e.node) ?? [],
              endCursor: posts?.pageInfo.endCursor ?? null,
              hasNextPage: posts?.pageInfo.hasNextPage ?? false,
            }
          : undefined,
      };
    },
    [client, tag],
  );

  return (
    <div>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight sm:text-3xl" data-testid="hashtag-title">
          <span dir="auto" className="user-text">
            #{tag}
          </span>
        </h1>
        <p className="mt-1 text-sm text-muted" aria-live="polite">
          {count === null ? '\u00a0' : `${formatCount(count)} ${count === 1 ? 'photo' : 'photos'}, newest first`}
        </p>
      </div>
      <PagedPosts
        fetchPage={fetchPage}
        language={language}
        label={`Photos tagged #${tag}`}
        empty={`No photos are tagged #${tag} yet.`}
      />
    </div>
  );
}
