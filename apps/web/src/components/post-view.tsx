'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useSession } from 'next-auth/react';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useClient, useSubscription, type AnyVariables, type TypedDocumentNode } from 'urql';
import { LIMITS, normalizeUserText } from '@pixtale/shared';
import {
  DELETE_POST,
  EDIT_CAPTION,
  POST,
  POST_TRANSLATIONS,
  POST_UPDATED,
  RECORD_VIEW,
  RETRY_CAPTION,
} from '@/graphql/operations';
import type { PostDetailFieldsFragment as Post } from '@/graphql/generated/graphql';
import { humanError } from '@/lib/errors';
import { forgetNewPost, newPost } from '@/lib/just-posted';
import { formatCount, timeAgo } from '@/lib/media';
import { captionIn, languageName, type CaptionLanguage } from '@/lib/translation';
import { AttentionOverlay, AttentionWords } from './attention';
import { Comments } from './comments';
import { LanguageSwitcher, useCaptionLanguage, useRefreshWhile } from './language-switcher';
import { PostImage } from './post-image';
import { Avatar, AuthorLink, HashtagLink, LikeButton, TextWithHashtags } from './social';
import { Alert, Badge, Button, Card, Spinner, TextArea, cx } from './ui';

/** Sends a mutation; its GraphQL error becomes the page's action error. */
type RunMutation = <Data, Vars extends AnyVariables>(
  query: TypedDocumentNode<Data, Vars>,
  variables: Vars,
) => Promise<Data | undefined>;

export function validateCaption(text: string, current: string | null): string | undefined {
  // The API's normalisation, so what is checked here is what will be stored.
  const t = normalizeUserText(text);
  if (!t)
    return text.trim()
      ? 'The caption needs visible characters (invisible and control characters are removed).'
      : 'The caption cannot be empty.';
  if (t.length > LIMITS.captionMaxLength)
    return `Keep the caption under ${LIMITS.captionMaxLength} characters (now ${t.length}).`;
  if (current !== null && t === normalizeUserText(current)) return 'That is already the caption.';
  return undefined;
}

/** The live caption version (the API's `caption`, else the highest version number). */
export function currentCaption(post: Pick<Post, 'captions' | 'caption'>) {
  if (post.caption) return post.caption;
  return post.captions.reduce<Post['captions'][number] | undefined>(
    (best, c) => (!best || c.version > best.version ? c : best),
    undefined,
  );
}

export function PostView({ id }: { id: string }) {
  const client = useClient();
  const router = useRouter();
  const { data: session, status: sessionStatus } = useSession();
  // Just uploaded: createPost's answer and the local preview show the photo at once.
  const [justPosted] = useState(() => newPost(id));
  const [post, setPost] = useState<Post | null>(justPosted?.post ?? null);
  useEffect(() => () => forgetNewPost(id), [id]);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [notFound, setNotFound] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>();
  const [activeWord, setActiveWord] = useState<number | null>(null);
  const [language, setLanguage] = useCaptionLanguage();
  const viewed = useRef<string | null>(null);

  const merge = useCallback((p: Partial<Post> & { id: string }) => {
    setPost((prev) => (prev && prev.id === p.id ? { ...prev, ...p } : prev));
  }, []);

  useEffect(() => {
    if (sessionStatus === 'loading') return;
    let live = true;
    void client
      .query(POST, { id }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((res) => {
        if (!live) return;
        if (res.error) return setLoadError(humanError(res.error));
        if (!res.data?.post) return setNotFound(true);
        setPost(res.data.post);
      });
    return () => {
      live = false;
    };
  }, [client, id, sessionStatus]);

  // Views are recorded once per visit (the API also dedupes per viewer for 30 minutes).
  useEffect(() => {
    if (!post || viewed.current === post.id) return;
    viewed.current = post.id;
    void client
      .mutation(RECORD_VIEW, { postId: post.id })
      .toPromise()
      .then((res) => res.data && merge(res.data.recordView));
  }, [client, post, merge]);

  // Caption status, new versions, likes and views arrive live.
  useSubscription({ query: POST_UPDATED, variables: { postId: id }, pause: !post }, (_prev, data) => {
    merge(data.postUpdated);
    return data;
  });

  // The chosen language's translation is on the way: postUpdated brings it; re-read now and then in case
  // it was stored before the subscription was live.
  const awaitingTranslation =
    !!post &&
    captionIn(
      { caption: currentCaption(post) ?? null, translations: post.translations, translationStatus: post.translationStatus },
      language,
    ).kind === 'translating';
  useRefreshWhile(awaitingTranslation, () => {
    void client
      .query(POST_TRANSLATIONS, { id }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((res) => res.data?.post && merge(res.data.post));
  });

  if (notFound) {
    return (
      <Card className="mx-auto max-w-lg p-8 text-center">
        <h1 className="text-xl font-bold">This photo is not here</h1>
        <p className="mt-2 text-muted">It may have been deleted.</p>
        <Link href="/" className="mt-4 inline-block font-semibold text-brand-700 underline">
          Back to the feed
        </Link>
      </Card>
    );
  }
  if (loadError) return <Alert>{loadError}</Alert>;
  if (!post) return <Spinner label="Loading photo" />;

  const isAuthor = session?.user.id === post.author.id;
  const pending = post.captionStatus === 'PENDING' || post.captionStatus === 'PROCESSING';
  const current = currentCaption(post);

  const run: RunMutation = async (query, variables) => {
    setActionError(undefined);
    const res = await client.mutation(query, variables).toPromise();
    if (res.error) {
      setActionError(humanError(res.error));
      return undefined;
    }
    return res.data;
  };

  async function editCaption(text: string): Promise<boolean> {
    const data = await run(EDIT_CAPTION, { postId: post!.id, text: text.trim() });
    if (data) merge(data.editCaption);
    return Boolean(data);
  }

  return (
    <article className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)] lg:items-start">
      <div className="space-y-4 lg:sticky lg:top-20">
        <div className="relative overflow-hidden rounded-2xl border border-line bg-slate-100 shadow-sm" data-testid="post-figure">
          <PostImage post={post} sizes="(min-width: 1024px) 60vw, 100vw" priority placeholder={justPosted?.preview} />
          {post.attention && <AttentionOverlay attention={post.attention} activeIndex={activeWord} />}
        </div>
      </div>

      <div className="space-y-5">
        <div className="flex items-center justify-between gap-3 text-sm text-muted">
          <span className="flex min-w-0 items-center gap-2">
            <Avatar user={post.author} size={32} />
            <span className="min-w-0" data-testid="post-byline">
              <AuthorLink author={post.author} testId="post-author" /> ·{' '}
              <time dateTime={post.createdAt}>{timeAgo(post.createdAt)}</time>
            </span>
          </span>
        </div>

        <LanguageSwitcher value={language} onChange={setLanguage} />

        <CaptionBlock
          post={post}
          language={language}
          pending={pending}
          onRetry={
            isAuthor
              ? async () => {
                  const data = await run(RETRY_CAPTION, { postId: post.id });
                  if (data) merge(data.retryCaption);
                }
              : undefined
          }
        />

        {post.attention && post.attention.words.length > 0 && (
          <AttentionWords attention={post.attention} activeIndex={activeWord} onActive={setActiveWord} />
        )}

        {actionError && <Alert>{actionError}</Alert>}

        <Engagement post={post} canLike={sessionStatus === 'authenticated'} merge={merge} />

        {isAuthor && (post.suggestions.length > 0 || pending) && (
          <Suggestions post={post} pending={pending} onPick={editCaption} />
        )}

        {isAuthor && current && <CaptionEditor key={current.id} current={current.text} onSave={editCaption} />}

        <History post={post} />

        <Comments postId={post.id} postAuthorId={post.author.id} initialCount={post.commentCount} />

        {isAuthor && (
          <DeletePost
            onDelete={async () => {
              const data = await run(DELETE_POST, { postId: post.id });
              if (data?.deletePost) {
                router.push('/');
                router.refresh();
              }
            }}
          />
        )}
      </div>
    </article>
  );
}

/** The live caption: its box is as tall as what it shows. */
function CaptionBlock({
  post,
  language,
  pending,
  onRetry,
}: {
  post: Post;
  language: CaptionLanguage;
  pending: boolean;
  onRetry?: (() => void) | undefined;
}) {
  const current = currentCaption(post);
  const shown = captionIn(
    { caption: current ?? null, translations: post.translations, translationStatus: post.translationStatus },
    language,
  );
  return (
    <section aria-labelledby="caption-title">
      <h1 id="caption-title" className="sr-only">
        Caption
      </h1>
      <div
        className="flex flex-col justify-center rounded-2xl border border-line bg-surface p-5 shadow-sm"
        aria-live="polite"
        aria-busy={(pending && !current) || shown.kind === 'translating'}
        data-testid="caption-box"
        data-status={post.captionStatus}
        data-language={language}
      >
        {current && shown.kind === 'translating' ? (
          <div data-testid="caption-translating">
            <p className="flex items-center gap-2 text-base font-medium text-brand-800">
              <span aria-hidden className="size-2.5 animate-ping rounded-full bg-brand-600" />
              Translating into <span lang={shown.lang}>{languageName(shown.lang)}</span>…
            </p>
            <p className="user-text mt-2 text-base text-muted" lang="en" dir="auto">
              {current.text}
            </p>
          </div>
        ) : current && (shown.kind === 'text' || shown.kind === 'unavailable') ? (
          <>
            <p
              className="user-text text-xl font-semibold leading-snug text-ink"
              dir="auto"
              data-testid="caption-text"
              lang={shown.kind === 'text' ? shown.lang : 'en'}
            >
              <TextWithHashtags text={shown.kind === 'text' ? shown.text : current.text} />
            </p>
            <p className="mt-2 text-xs text-muted">
              <Badge tone={current.source === 'MODEL' ? 'brand' : 'user'}>
                {current.source === 'MODEL' ? 'Written by our model' : 'Written by the author'}
              </Badge>{' '}
              version {current.version}
              {shown.kind === 'unavailable' && (
                <>
                  {' · '}
                  <span data-testid="caption-untranslated-note">
                    no <span lang={shown.lang}>{languageName(shown.lang)}</span> translation is available, this is the original
                  </span>
                </>
              )}
              {shown.kind === 'text' && shown.translated && (
                <>
                  {' · '}
                  <span data-testid="caption-translated-note">
                    machine-translated from English: “
                    <span lang="en" dir="auto" className="user-text">
                      {current.text}
                    </span>
                    ”
                  </span>
                </>
              )}
            </p>
          </>
        ) : pending ? (
          <div data-testid="caption-writing">
            <p className="flex items-center gap-2 text-base font-medium text-brand-800">
              <span aria-hidden className="size-2.5 animate-ping rounded-full bg-brand-600" />
              Writing caption…
            </p>
            <div aria-hidden className="mt-3 space-y-2">
              <div className="skeleton h-4 w-11/12" />
              <div className="skeleton h-4 w-2/3" />
            </div>
          </div>
        ) : (
          <div data-testid="caption-failed">
            <p className="text-base text-red-800">We could not write a caption for this photo.</p>
            {onRetry && (
              <Button size="sm" variant="secondary" className="mt-3" onClick={onRetry}>
                Try captioning again
              </Button>
            )}
          </div>
        )}
      </div>
      <ul className="mt-3 flex min-h-7 flex-wrap gap-1.5" aria-label="Hashtags" data-testid="hashtags">
        {post.hashtags.length > 0
          ? post.hashtags.map((tag) => (
              <li key={tag}>
                <HashtagLink tag={tag} className="inline-block rounded-full bg-brand-50 px-2.5 py-1 text-sm text-brand-800" />
              </li>
            ))
          : pending && (
              <li aria-hidden className="flex gap-1.5">
                <span className="skeleton inline-block h-7 w-16 rounded-full" />
                <span className="skeleton inline-block h-7 w-20 rounded-full" />
                <span className="skeleton inline-block h-7 w-14 rounded-full" />
              </li>
            )}
      </ul>
    </section>
  );
}

function Engagement({
  post,
  canLike,
  merge,
}: {
  post: Post;
  canLike: boolean;
  merge: (p: Partial<Post> & { id: string }) => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-4">
      {canLike ? (
        <LikeButton post={post} onChange={merge} />
      ) : (
        <Link href={`/login?callbackUrl=/posts/${post.id}`} className="text-sm font-semibold text-brand-700 underline">
          Log in to like
        </Link>
      )}
      <p className="text-sm text-muted" aria-live="polite">
        <span data-testid="like-count" className="font-semibold text-ink">
          {formatCount(post.likeCount)}
        </span>{' '}
        {post.likeCount === 1 ? 'like' : 'likes'} ·{' '}
        <span data-testid="view-count" className="font-semibold text-ink">
          {formatCount(post.viewCount)}
        </span>{' '}
        {post.viewCount === 1 ? 'view' : 'views'}
      </p>
    </div>
  );
}

function Suggestions({ post, pending, onPick }: { post: Post; pending: boolean; onPick: (text: string) => Promise<boolean> }) {
  const [picking, setPicking] = useState<string | null>(null);
  return (
    <section aria-labelledby="suggestions-title" className="rounded-2xl border border-line bg-surface p-4">
      <h2 id="suggestions-title" className="text-sm font-semibold">
        Other captions the model considered
      </h2>
      <p className="mt-0.5 text-sm text-muted">Pick one to use it instead.</p>
      <ul className="mt-3 space-y-2" data-testid="suggestions">
        {pending && post.suggestions.length === 0
          ? [0, 1, 2].map((i) => (
              <li key={i} aria-hidden>
                <div className="skeleton h-11 w-full" />
              </li>
            ))
          : post.suggestions.map((s) => {
              const isCurrent = s.text.trim() === post.caption?.text.trim();
              return (
                <li key={s.text}>
                  <button
                    type="button"
                    disabled={isCurrent || picking !== null}
                    onClick={async () => {
                      setPicking(s.text);
                      await onPick(s.text);
                      setPicking(null);
                    }}
                    className={cx(
                      'flex min-h-11 w-full items-center justify-between gap-3 rounded-lg border px-3 py-2 text-left text-sm transition-colors',
                      isCurrent
                        ? 'border-brand-700 bg-brand-50 text-brand-800'
                        : 'border-line hover:border-brand-500 hover:bg-brand-50',
                    )}
                  >
                    <span dir="auto" className="user-text min-w-0">
                      {s.text}
                    </span>
                    <span className="shrink-0 text-xs font-semibold text-muted">
                      {isCurrent ? 'In use' : picking === s.text ? 'Saving…' : 'Use this'}
                    </span>
                  </button>
                </li>
              );
            })}
      </ul>
    </section>
  );
}

function CaptionEditor({ current, onSave }: { current: string | null; onSave: (text: string) => Promise<boolean> }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(current ?? '');
  const [error, setError] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  const openButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  useEffect(() => {
    if (wasEditing.current && !editing) openButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  function cancel() {
    setEditing(false);
    setError(undefined);
    setText(current ?? '');
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problem = validateCaption(text, current);
    setError(problem);
    if (problem) return;
    setSaving(true);
    const ok = await onSave(text);
    setSaving(false);
    if (ok) setEditing(false);
  }

  if (!editing) {
    return (
      <Button
        ref={openButton}
        variant="secondary"
        onClick={() => {
          setText(current ?? '');
          setEditing(true);
        }}
      >
        Edit caption
      </Button>
    );
  }
  return (
    <form onSubmit={submit} className="space-y-3 rounded-2xl border border-line bg-surface p-4" noValidate>
      <TextArea
        label="Your caption"
        value={text}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && cancel()}
        error={error}
        hint={`${text.trim().length}/${LIMITS.captionMaxLength} characters. Saving keeps the old version in the history.`}
      />
      <div className="flex gap-2">
        <Button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save caption'}
        </Button>
        <Button variant="ghost" onClick={cancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function History({ post }: { post: Post }) {
  if (post.captions.length === 0) return null;
  const versions = [...post.captions].sort((a, b) => b.version - a.version);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title" className="mb-2 text-sm font-semibold">
        Caption history
      </h2>
      <ol className="divide-y divide-line rounded-2xl border border-line bg-surface" data-testid="caption-history">
        {versions.map((c, i) => (
          <li key={c.id} className="flex flex-col gap-1 p-3 text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <span className="font-semibold">v{c.version}</span>
              <Badge tone={c.source === 'MODEL' ? 'brand' : 'user'}>{c.source === 'MODEL' ? 'Model' : 'Author'}</Badge>
              {i === 0 && <Badge>Live</Badge>}
              <time className="ml-auto text-xs text-muted" dateTime={c.createdAt}>
                {timeAgo(c.createdAt)}
              </time>
            </div>
            <p dir="auto" className={cx('user-text', i === 0 ? 'text-ink' : 'text-muted')}>
              {c.text}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}

function DeletePost({ onDelete }: { onDelete: () => Promise<void> }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <>
      <Button variant="ghost" className="text-red-700" onClick={() => dialog.current?.showModal()}>
        Delete post
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby="delete-title"
        className="m-auto w-[min(26rem,calc(100vw-2rem))] rounded-2xl border border-line bg-surface p-6 text-ink shadow-xl backdrop:bg-slate-900/50"
      >
        <h2 id="delete-title" className="text-lg font-bold">
          Delete this post?
        </h2>
        <p className="mt-2 text-sm text-muted">The photo, its captions, likes and views are removed for good.</p>
        <div className="mt-5 flex justify-end gap-2">
          <Button variant="secondary" autoFocus onClick={() => dialog.current?.close()}>
            Keep it
          </Button>
          <Button
            variant="danger"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await onDelete();
              setBusy(false);
              dialog.current?.close();
            }}
          >
            {busy ? 'Deleting…' : 'Delete'}
          </Button>
        </div>
      </dialog>
    </>
  );
}
