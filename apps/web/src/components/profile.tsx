'use client';

import Link from 'next/link';
import { useSession } from 'next-auth/react';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { LIMITS, normalizeUserText } from '@pixtale/shared';
import type { ProfileFieldsFragment } from '@/graphql/generated/graphql';
import { UPDATE_PROFILE, USER_POSTS, USER_PROFILE } from '@/graphql/operations';
import { humanError } from '@/lib/errors';
import { ACCEPT, checkFile } from '@/lib/image-check';
import { formatCount } from '@/lib/media';
import { useCaptionLanguage } from './language-switcher';
import { PagedPosts } from './post-grid';
import { Avatar, FollowButton, TextWithHashtags } from './social';
import { Alert, Button, Card, Spinner, TextArea, TextField } from './ui';

const PAGE_SIZE = 12;

/** A person's page: picture, name, bio, counts, follow button and their posts; editable by its owner. */
export function Profile({ id }: { id: string }) {
  const client = useClient();
  const { data: session, status } = useSession();
  const [user, setUser] = useState<ProfileFieldsFragment | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [editing, setEditing] = useState(false);
  const [language] = useCaptionLanguage();
  const editButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (status === 'loading') return;
    let live = true;
    void client
      .query(USER_PROFILE, { id }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((res) => {
        if (!live) return;
        if (res.error) return setError(humanError(res.error));
        if (!res.data?.user) return setNotFound(true);
        setUser(res.data.user);
      });
    return () => {
      live = false;
    };
  }, [client, id, status]);

  const fetchPage = useCallback(
    async (after: string | null) => {
      const res = await client.query(USER_POSTS, { id, first: PAGE_SIZE, after }, { requestPolicy: 'network-only' }).toPromise();
      const posts = res.data?.user?.posts;
      return {
        error: res.error,
        page: posts && {
          posts: posts.edges.map((e) => e.node),
          endCursor: posts.pageInfo.endCursor ?? null,
          hasNextPage: posts.pageInfo.hasNextPage,
        },
      };
    },
    [client, id],
  );

  if (notFound) {
    return (
      <Card className="mx-auto max-w-lg p-8 text-center">
        <h1 className="text-xl font-bold">This person is not here</h1>
        <p className="mt-2 text-muted">The account may have been removed.</p>
        <Link href="/" className="mt-4 inline-block font-semibold text-brand-700 underline">
          Back to the feed
        </Link>
      </Card>
    );
  }
  if (error) return <Alert>{error}</Alert>;
  if (!user) return <Spinner label="Loading profile" />;

  const isMe = session?.user.id === user.id;
  const counts = [
    { label: user.postCount === 1 ? 'post' : 'posts', value: user.postCount, testId: 'profile-posts' },
    { label: user.followerCount === 1 ? 'follower' : 'followers', value: user.followerCount, testId: 'profile-followers' },
    { label: 'following', value: user.followingCount, testId: 'profile-following' },
  ];

  return (
    <div className="space-y-8">
      <section aria-labelledby="profile-name" className="flex flex-col gap-5 sm:flex-row sm:items-start">
        <Avatar user={user} size={112} />
        <div className="min-w-0 flex-1 space-y-3">
          <div className="flex flex-wrap items-center gap-3">
            <h1
              id="profile-name"
              dir="auto"
              className="user-text text-2xl font-bold tracking-tight sm:text-3xl"
              data-testid="profile-name"
            >
              {user.displayName}
            </h1>
            {isMe ? (
              <Button ref={editButton} variant="secondary" size="sm" onClick={() => setEditing(true)} disabled={editing}>
                Edit profile
              </Button>
            ) : status === 'authenticated' ? (
              <FollowButton user={user} onChange={setUser} />
            ) : (
              <Link href={`/login?callbackUrl=/u/${user.id}`} className="text-sm font-semibold text-brand-700 underline">
                Log in to follow
              </Link>
            )}
          </div>
          <ul className="flex flex-wrap gap-x-6 gap-y-1 text-sm text-muted" aria-label="Counts">
            {counts.map((c) => (
              <li key={c.testId}>
                <span className="font-semibold text-ink" data-testid={c.testId}>
                  {formatCount(c.value)}
                </span>{' '}
                {c.label}
              </li>
            ))}
          </ul>
          {user.bio && (
            <p dir="auto" className="user-text max-w-prose whitespace-pre-line text-ink" data-testid="profile-bio">
              <TextWithHashtags text={user.bio} />
            </p>
          )}
        </div>
      </section>

      {isMe && editing && (
        <EditProfile
          user={user}
          onDone={(fresh) => {
            if (fresh) setUser(fresh);
            setEditing(false);
            requestAnimationFrame(() => editButton.current?.focus());
          }}
        />
      )}

      <section aria-labelledby="profile-posts-title">
        <h2 id="profile-posts-title" className="mb-4 text-lg font-semibold">
          Photos
        </h2>
        <PagedPosts
          fetchPage={fetchPage}
          language={language}
          label={`Photos by ${user.displayName}`}
          empty={isMe ? 'You have not shared a photo yet.' : 'No photos yet.'}
        />
      </section>
    </div>
  );
}

function EditProfile({ user, onDone }: { user: ProfileFieldsFragment; onDone: (fresh?: ProfileFieldsFragment) => void }) {
  const client = useClient();
  const { update } = useSession();
  const [name, setName] = useState(user.displayName);
  const [bio, setBio] = useState(user.bio);
  const [avatar, setAvatar] = useState<File | null>(null);
  const [errors, setErrors] = useState<{ name?: string; bio?: string; avatar?: string; form?: string }>({});
  const [saving, setSaving] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    // The API's normalisation, so what is checked here is what will be stored.
    const n = normalizeUserText(name);
    const b = normalizeUserText(bio);
    const problems: typeof errors = {};
    if (!n) problems.name = 'Your name needs visible characters.';
    else if (n.length > LIMITS.displayNameMaxLength)
      problems.name = `Keep your name under ${LIMITS.displayNameMaxLength} characters.`;
    if (b.length > LIMITS.bioMaxLength) problems.bio = `Keep your bio under ${LIMITS.bioMaxLength} characters (now ${b.length}).`;
    if (avatar) {
      const check = await checkFile(avatar, LIMITS.maxUploadBytes);
      if (!check.ok) problems.avatar = check.message;
    }
    setErrors(problems);
    if (Object.keys(problems).length) return;
    setSaving(true);
    const res = await client
      .mutation(UPDATE_PROFILE, {
        ...(n !== user.displayName ? { displayName: n } : {}),
        ...(b !== user.bio ? { bio: b } : {}),
        ...(avatar ? { avatar } : {}),
      })
      .toPromise();
    setSaving(false);
    if (res.error || !res.data) return setErrors({ form: humanError(res.error) });
    // The header shows the session's name: keep it in step.
    if (n !== user.displayName) await update({ name: n });
    onDone(res.data.updateProfile);
  }

  return (
    <Card className="max-w-xl p-5 sm:p-6">
      <form onSubmit={(e) => void submit(e)} className="space-y-4" noValidate aria-labelledby="edit-profile-title">
        <h2 id="edit-profile-title" className="text-lg font-semibold">
          Edit profile
        </h2>
        {errors.form && <Alert>{errors.form}</Alert>}
        <TextField
          label="Display name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
          autoFocus
          autoComplete="nickname"
        />
        <TextArea
          label="Bio"
          value={bio}
          onChange={(e) => setBio(e.target.value)}
          error={errors.bio}
          hint={`${normalizeUserText(bio).length}/${LIMITS.bioMaxLength} characters. #tags become links.`}
        />
        <TextField
          label="Profile picture"
          type="file"
          accept={ACCEPT}
          onChange={(e) => setAvatar(e.target.files?.[0] ?? null)}
          error={errors.avatar}
          hint="JPEG, PNG, WebP, GIF or HEIC; shown as a square."
        />
        <div className="flex gap-2">
          <Button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save profile'}
          </Button>
          <Button variant="ghost" onClick={() => onDone()}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
