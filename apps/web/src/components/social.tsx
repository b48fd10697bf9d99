'use client';

import Link from 'next/link';
import { Fragment, useState } from 'react';
import { useClient } from 'urql';
import type { AuthorFieldsFragment, ProfileFieldsFragment } from '@/graphql/generated/graphql';
import { FOLLOW, LIKE_POST, UNFOLLOW, UNLIKE_POST } from '@/graphql/operations';
import { humanError } from '@/lib/errors';
import { hashtagHref, splitHashtags, tagKey } from '@/lib/hashtags';
import { formatCount, mediaUrl } from '@/lib/media';
import { usePublicConfig } from './providers';
import { Button, cx } from './ui';

/** A user's picture, or their initial on a tinted disc; decorative next to their name. */
export function Avatar({
  user,
  size = 40,
  className,
}: {
  user: Pick<AuthorFieldsFragment, 'displayName' | 'avatarUrl'>;
  size?: number;
  className?: string;
}) {
  const { apiUrl } = usePublicConfig();
  const style = { width: size, height: size };
  if (user.avatarUrl) {
    return (
      // eslint-disable-next-line @next/next/no-img-element -- media is served by the API, already resized
      <img
        src={mediaUrl(user.avatarUrl, apiUrl)}
        alt=""
        width={size}
        height={size}
        style={style}
        className={cx('shrink-0 rounded-full bg-slate-100 object-cover', className)}
      />
    );
  }
  const initial = Array.from(user.displayName.trim())[0]?.toUpperCase() ?? '?';
  return (
    <span
      aria-hidden
      style={{ ...style, fontSize: size * 0.42 }}
      className={cx('grid shrink-0 place-items-center rounded-full bg-brand-100 font-semibold text-brand-800', className)}
    >
      {initial}
    </span>
  );
}

/** An author's name as a link to their profile. */
export function AuthorLink({
  author,
  className,
  testId,
}: {
  author: Pick<AuthorFieldsFragment, 'id' | 'displayName'>;
  className?: string;
  testId?: string;
}) {
  return (
    <Link
      href={`/u/${author.id}`}
      dir="auto"
      className={cx('user-text min-w-0 font-semibold text-ink hover:underline', className)}
      data-testid={testId}
    >
      {author.displayName}
    </Link>
  );
}

/** `#tag` as a link to its hashtag page. */
export function HashtagLink({ tag, className }: { tag: string; className?: string }) {
  return (
    <Link href={hashtagHref(tag)} className={cx('font-medium text-brand-700 hover:underline', className)}>
      <span dir="auto" className="user-text">
        #{tagKey(tag)}
      </span>
    </Link>
  );
}

/** Hashtags as chips linking to their pages. */
export function HashtagList({ tags, className, testId }: { tags: readonly string[]; className?: string; testId?: string }) {
  if (tags.length === 0) return null;
  return (
    <ul className={cx('flex flex-wrap gap-1.5', className)} aria-label="Hashtags" data-testid={testId}>
      {tags.map((tag) => (
        <li key={tag}>
          <HashtagLink tag={tag} className="inline-block rounded-full bg-brand-50 px-2.5 py-1 text-sm text-brand-800" />
        </li>
      ))}
    </ul>
  );
}

/** User text with its `#tags` as links (captions, comments, bios). */
export function TextWithHashtags({ text }: { text: string }) {
  return (
    <>
      {splitHashtags(text).map((part, i) =>
        part.tag ? <HashtagLink key={i} tag={part.tag} /> : <Fragment key={i}>{part.text}</Fragment>,
      )}
    </>
  );
}

type Likeable = { id: string; likeCount: number; likedByMe: boolean };

/**
 * Like/unlike. Optimistic: the heart and count flip at once and go back, with a message, when the
 * API refuses.
 */
export function LikeButton({
  post,
  onChange,
  size = 'md',
  showCount = false,
}: {
  post: Likeable;
  onChange: (p: Likeable) => void;
  size?: 'sm' | 'md';
  showCount?: boolean;
}) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  async function toggle() {
    const before = { id: post.id, likeCount: post.likeCount, likedByMe: post.likedByMe };
    setBusy(true);
    setError(undefined);
    onChange({
      id: post.id,
      likedByMe: !before.likedByMe,
      likeCount: Math.max(0, before.likeCount + (before.likedByMe ? -1 : 1)),
    });
    const res = before.likedByMe
      ? await client.mutation(UNLIKE_POST, { postId: post.id }).toPromise()
      : await client.mutation(LIKE_POST, { postId: post.id }).toPromise();
    setBusy(false);
    const fresh =
      res.data && ('likePost' in res.data ? res.data.likePost : 'unlikePost' in res.data ? res.data.unlikePost : undefined);
    if (res.error || !fresh) {
      onChange(before);
      setError(`Could not ${before.likedByMe ? 'unlike' : 'like'} this photo: ${humanError(res.error)}`);
      return;
    }
    onChange(fresh);
  }

  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button
        variant={post.likedByMe ? 'primary' : 'secondary'}
        size={size}
        aria-pressed={post.likedByMe}
        aria-label={showCount ? `Like (${post.likeCount} ${post.likeCount === 1 ? 'like' : 'likes'})` : undefined}
        onClick={() => void toggle()}
        disabled={busy}
        data-testid="like-button"
      >
        <span aria-hidden>{post.likedByMe ? '♥' : '♡'}</span>
        {showCount ? <span aria-hidden>{formatCount(post.likeCount)}</span> : post.likedByMe ? 'Liked' : 'Like'}
      </Button>
      {error && (
        <span role="alert" className="text-sm font-medium text-red-700" data-testid="like-error">
          {error}
        </span>
      )}
    </span>
  );
}

/** Follow/unfollow a user; the API's answer brings the new counts. */
export function FollowButton({ user, onChange }: { user: ProfileFieldsFragment; onChange: (u: ProfileFieldsFragment) => void }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  async function toggle() {
    setBusy(true);
    setError(undefined);
    const res = user.viewerFollows
      ? await client.mutation(UNFOLLOW, { userId: user.id }).toPromise()
      : await client.mutation(FOLLOW, { userId: user.id }).toPromise();
    setBusy(false);
    const fresh = res.data && ('follow' in res.data ? res.data.follow : 'unfollow' in res.data ? res.data.unfollow : undefined);
    if (res.error || !fresh) return setError(humanError(res.error));
    onChange(fresh);
  }

  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button
        variant={user.viewerFollows ? 'secondary' : 'primary'}
        aria-pressed={user.viewerFollows}
        onClick={() => void toggle()}
        disabled={busy}
        data-testid="follow-button"
      >
        {user.viewerFollows ? 'Following' : 'Follow'}
      </Button>
      {error && (
        <span role="alert" className="text-sm font-medium text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}
