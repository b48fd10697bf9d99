'use client';

import Link from 'next/link';
import { useSession } from 'next-auth/react';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useClient, useSubscription } from 'urql';
import { LIMITS, normalizeUserText } from '@pixtale/shared';
import type { CommentFieldsFragment } from '@/graphql/generated/graphql';
import { ADD_COMMENT, COMMENT_ADDED, COMMENT_DELETED, COMMENTS, DELETE_COMMENT } from '@/graphql/operations';
import { humanError } from '@/lib/errors';
import { timeAgo } from '@/lib/media';
import { Avatar, AuthorLink, TextWithHashtags } from './social';
import { Alert, Button, Spinner, TextArea } from './ui';

const PAGE_SIZE = 20;

export function validateComment(text: string): string | undefined {
  // The API's normalisation, so what is checked here is what will be stored.
  const t = normalizeUserText(text);
  if (!t)
    return text.trim()
      ? 'The comment needs visible characters (invisible and control characters are removed).'
      : 'Write something first.';
  if (t.length > LIMITS.commentMaxLength)
    return `Keep the comment under ${LIMITS.commentMaxLength} characters (now ${t.length}).`;
  return undefined;
}

/** Adds comments not yet listed (by id), keeping the list oldest first as the API sends it. */
function withComments(list: CommentFieldsFragment[], incoming: CommentFieldsFragment[]): CommentFieldsFragment[] {
  const known = new Set(list.map((c) => c.id));
  return [...list, ...incoming.filter((c) => !known.has(c.id))];
}

/**
 * A post's comments, oldest first, a page at a time; new ones arrive live (commentAdded). The
 * comment's author and the post's owner may delete it.
 */
export function Comments({ postId, postAuthorId, initialCount }: { postId: string; postAuthorId: string; initialCount: number }) {
  const client = useClient();
  const { data: session, status } = useSession();
  // One state, so a comment and the count change together (and once, even when a comment comes both
  // from our own mutation and from the subscription).
  const [{ comments, count }, setState] = useState<{ comments: CommentFieldsFragment[]; count: number }>({
    comments: [],
    count: initialCount,
  });
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasNext, setHasNext] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | undefined>();
  const [announce, setAnnounce] = useState('');

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      const res = await client
        .query(COMMENTS, { postId, first: PAGE_SIZE, after }, { requestPolicy: 'network-only' })
        .toPromise();
      setLoading(false);
      const page = res.data?.post?.comments;
      if (res.error || !page) return setError(humanError(res.error));
      setError(undefined);
      const total = res.data?.post?.commentCount ?? 0;
      setState((prev) => ({
        count: total,
        comments: withComments(
          after ? prev.comments : [],
          page.edges.map((e) => e.node),
        ),
      }));
      setCursor(page.pageInfo.endCursor ?? null);
      setHasNext(page.pageInfo.hasNextPage);
    },
    [client, postId],
  );

  useEffect(() => {
    if (status === 'loading') return;
    void load(null);
  }, [load, status]);

  const added = useCallback((c: CommentFieldsFragment) => {
    setState((prev) =>
      prev.comments.some((x) => x.id === c.id) ? prev : { count: prev.count + 1, comments: [...prev.comments, c] },
    );
  }, []);

  useSubscription({ query: COMMENT_ADDED, variables: { postId }, pause: status === 'loading' }, (_prev, data) => {
    added(data.commentAdded);
    if (data.commentAdded.author.id !== session?.user.id) setAnnounce(`New comment from ${data.commentAdded.author.displayName}`);
    return data;
  });

  const removed = useCallback((id: string) => {
    setState((prev) =>
      prev.comments.some((x) => x.id === id)
        ? { count: Math.max(0, prev.count - 1), comments: prev.comments.filter((x) => x.id !== id) }
        : prev,
    );
  }, []);

  useSubscription({ query: COMMENT_DELETED, variables: { postId }, pause: status === 'loading' }, (_prev, data) => {
    removed(data.commentDeleted);
    return data;
  });

  const myId = session?.user.id;
  return (
    <section aria-labelledby="comments-title" id="comments" className="scroll-mt-24 space-y-4" data-testid="comments">
      <h2 id="comments-title" className="text-lg font-semibold">
        Comments <span className="font-normal text-muted">({count})</span>
      </h2>
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>
      {error && <Alert>{error}</Alert>}
      {comments.length === 0 && !loading && !error && <p className="text-sm text-muted">No comments yet.</p>}
      {comments.length > 0 && (
        <ol className="divide-y divide-line rounded-2xl border border-line bg-surface" data-testid="comment-list">
          {comments.map((c) => (
            <CommentItem
              key={c.id}
              comment={c}
              canDelete={!!myId && (myId === c.author.id || myId === postAuthorId)}
              onDeleted={() => removed(c.id)}
            />
          ))}
        </ol>
      )}
      {loading ? (
        <Spinner label="Loading comments" />
      ) : (
        hasNext && (
          <Button variant="secondary" size="sm" onClick={() => void load(cursor)}>
            Show more comments
          </Button>
        )
      )}
      {status === 'authenticated' ? (
        <CommentForm postId={postId} onAdded={added} />
      ) : status === 'unauthenticated' ? (
        <p className="text-sm">
          <Link href={`/login?callbackUrl=/posts/${postId}`} className="font-semibold text-brand-700 underline">
            Log in to comment
          </Link>
        </p>
      ) : null}
    </section>
  );
}

function CommentItem({
  comment,
  canDelete,
  onDeleted,
}: {
  comment: CommentFieldsFragment;
  canDelete: boolean;
  onDeleted: () => void;
}) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  async function remove() {
    setBusy(true);
    setError(undefined);
    const res = await client.mutation(DELETE_COMMENT, { id: comment.id }).toPromise();
    setBusy(false);
    if (res.error || !res.data?.deleteComment) return setError(humanError(res.error));
    onDeleted();
  }
  return (
    <li className="flex gap-3 p-3" data-testid="comment" data-comment-id={comment.id}>
      <Avatar user={comment.author} size={32} />
      <div className="min-w-0 flex-1 text-sm">
        <p className="flex flex-wrap items-baseline gap-x-2">
          <AuthorLink author={comment.author} testId="comment-author" />
          <time className="text-xs text-muted" dateTime={comment.createdAt}>
            {timeAgo(comment.createdAt)}
          </time>
          {canDelete && (
            <button
              type="button"
              onClick={() => void remove()}
              disabled={busy}
              className="ml-auto rounded text-xs font-semibold text-red-700 hover:underline focus-visible:outline-2 focus-visible:outline-brand-700 disabled:opacity-60"
            >
              {busy ? 'Deleting…' : 'Delete'}
              <span className="sr-only"> comment by {comment.author.displayName}</span>
            </button>
          )}
        </p>
        <p dir="auto" className="user-text mt-0.5 whitespace-pre-line text-ink" data-testid="comment-text">
          <TextWithHashtags text={comment.text} />
        </p>
        {error && (
          <p role="alert" className="mt-1 text-sm font-medium text-red-700">
            {error}
          </p>
        )}
      </div>
    </li>
  );
}

function CommentForm({ postId, onAdded }: { postId: string; onAdded: (c: CommentFieldsFragment) => void }) {
  const client = useClient();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [sending, setSending] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = validateComment(text);
    setError(problem);
    if (problem) return field.current?.focus();
    setSending(true);
    const res = await client.mutation(ADD_COMMENT, { postId, text: normalizeUserText(text) }).toPromise();
    setSending(false);
    if (res.error || !res.data) return setError(humanError(res.error));
    onAdded(res.data.addComment);
    setText('');
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-2" noValidate>
      <TextArea
        ref={field}
        label="Add a comment"
        value={text}
        rows={2}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Enter sends, Shift+Enter starts a new line (as in chat apps).
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            e.currentTarget.form?.requestSubmit();
          }
        }}
        error={error}
        hint={`${normalizeUserText(text).length}/${LIMITS.commentMaxLength} characters.`}
        data-testid="comment-input"
      />
      <Button type="submit" size="sm" disabled={sending}>
        {sending ? 'Posting…' : 'Post comment'}
      </Button>
    </form>
  );
}
