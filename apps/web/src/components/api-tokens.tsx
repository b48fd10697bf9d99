'use client';

import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useClient } from 'urql';
import { LIMITS, normalizeUserText } from '@pixtale/shared';
import { API_TOKENS, CREATE_API_TOKEN, REVOKE_API_TOKEN } from '@/graphql/operations';
import type { ApiTokenScope, ApiTokensQuery, CreateApiTokenMutation } from '@/graphql/generated/graphql';
import { humanError } from '@/lib/errors';
import { timeAgo } from '@/lib/media';
import { usePublicConfig } from './providers';
import { Alert, Button, Card, Spinner, TextField } from './ui';

export function curlExample(apiUrl: string, token: string): string {
  return [
    `curl ${apiUrl} \\`,
    `  -H 'content-type: application/json' \\`,
    `  -H 'authorization: Bearer ${token}' \\`,
    `  -d '{"query":"{ me { id displayName } feed(first: 5) { edges { node { id caption imageUrl } } } }"}'`,
  ].join('\n');
}

/** What each scope allows, in the words the page uses. */
export const SCOPES: Record<ApiTokenScope, { label: string; detail: string }> = {
  READ: { label: 'Read only', detail: 'Read the feed, posts and your analytics, and follow live updates.' },
  WRITE: { label: 'Read and write', detail: 'Also post, edit captions, like and delete, as you.' },
};

export function ApiTokens() {
  const client = useClient();
  const { apiUrl } = usePublicConfig();
  const [tokens, setTokens] = useState<ApiTokensQuery['apiTokens'] | null>(null);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<ApiTokenScope>('READ');
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [created, setCreated] = useState<CreateApiTokenMutation['createApiToken'] | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const createdRef = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    const res = await client.query(API_TOKENS, {}, { requestPolicy: 'network-only' }).toPromise();
    if (res.error) setError(humanError(res.error));
    else setTokens(res.data?.apiTokens ?? []);
  }, [client]);

  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (created) createdRef.current?.focus();
  }, [created]);

  async function create(e: FormEvent) {
    e.preventDefault();
    const n = normalizeUserText(name);
    if (!n)
      return setNameError(
        name.trim()
          ? 'The name needs visible characters (invisible and control characters are removed).'
          : 'Give the token a name, like the app that will use it.',
      );
    if (n.length > LIMITS.apiTokenNameMaxLength)
      return setNameError(`Keep the name under ${LIMITS.apiTokenNameMaxLength} characters.`);
    setNameError(undefined);
    setError(undefined);
    setBusy(true);
    const res = await client.mutation(CREATE_API_TOKEN, { name: n, scope }).toPromise();
    setBusy(false);
    if (res.error || !res.data) return setError(humanError(res.error));
    setCreated(res.data.createApiToken);
    setCopied(false);
    setName('');
    void load();
  }

  async function revoke(id: string) {
    setError(undefined);
    const res = await client.mutation(REVOKE_API_TOKEN, { id }).toPromise();
    setConfirming(null);
    if (res.error) return setError(humanError(res.error));
    if (created?.id === id) setCreated(null);
    void load();
  }

  return (
    <div className="space-y-6">
      <Card className="p-5 sm:p-6">
        <h2 className="text-lg font-semibold">API tokens</h2>
        <p className="mt-1 text-sm text-muted">
          Tokens let your own scripts and third-party apps use the Pixtale API as you. Each token is shown once. It works until
          you revoke it, log out of this session (tokens end with the session they were made in) or log out everywhere.
        </p>
        {error && <Alert className="mt-4">{error}</Alert>}
        <form onSubmit={create} className="mt-5 flex flex-col gap-3 sm:flex-row sm:flex-wrap sm:items-start" noValidate>
          <div className="flex-1">
            <TextField
              label="Token name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              error={nameError}
              placeholder="e.g. my-photo-bot"
              maxLength={LIMITS.apiTokenNameMaxLength}
            />
          </div>
          <fieldset className="sm:order-last sm:basis-full">
            <legend className="text-sm font-medium text-ink">Access</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-2">
              {(Object.keys(SCOPES) as ApiTokenScope[]).map((s) => (
                <label
                  key={s}
                  className="flex cursor-pointer gap-3 rounded-lg border border-line p-3 text-sm has-[:checked]:border-brand-700 has-[:checked]:bg-brand-50"
                >
                  <input
                    type="radio"
                    name="scope"
                    value={s}
                    checked={scope === s}
                    onChange={() => setScope(s)}
                    className="mt-0.5 accent-brand-700"
                  />
                  <span>
                    <span className="block font-medium text-ink">{SCOPES[s].label}</span>
                    <span className="block text-muted">{SCOPES[s].detail}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <Button type="submit" disabled={busy} className="sm:mt-7">
            {busy ? 'Creating…' : 'Create token'}
          </Button>
        </form>

        {created?.token && (
          <div
            ref={createdRef}
            tabIndex={-1}
            className="mt-5 space-y-3 rounded-xl border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900"
            data-testid="new-token"
          >
            <p className="font-semibold">
              Copy your new token “
              <span dir="auto" className="user-text">
                {created.name}
              </span>
              ” ({SCOPES[created.scope].label.toLowerCase()}) now. It will not be shown again.
            </p>
            <div className="flex flex-col gap-2 sm:flex-row">
              <code
                className="block flex-1 overflow-x-auto rounded-lg bg-white px-3 py-2 font-mono text-xs text-ink"
                data-testid="token-value"
              >
                {created.token}
              </code>
              <Button
                variant="secondary"
                size="sm"
                onClick={async () => {
                  try {
                    await navigator.clipboard.writeText(created.token!);
                    setCopied(true);
                  } catch {
                    setCopied(false);
                  }
                }}
              >
                {copied ? 'Copied' : 'Copy'}
              </Button>
            </div>
            <div>
              <p className="mb-1 font-medium">Try it with curl:</p>
              <pre
                className="overflow-x-auto rounded-lg bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100"
                data-testid="curl-example"
              >
                {curlExample(apiUrl, created.token)}
              </pre>
            </div>
            <Button variant="secondary" size="sm" onClick={() => setCreated(null)}>
              I have saved it
            </Button>
          </div>
        )}
      </Card>

      <Card className="p-5 sm:p-6">
        <h2 className="text-lg font-semibold">Your tokens</h2>
        {tokens === null ? (
          <div className="mt-4">
            <Spinner label="Loading tokens" />
          </div>
        ) : tokens.length === 0 ? (
          <p className="mt-3 text-sm text-muted">No tokens yet.</p>
        ) : (
          <ul className="mt-3 divide-y divide-line" data-testid="token-list">
            {tokens.map((t) => (
              <li key={t.id} className="flex flex-wrap items-center gap-3 py-3">
                <div className="min-w-0 flex-1">
                  <p dir="auto" className="user-text truncate font-medium">
                    {t.name}
                  </p>
                  <p className="text-xs text-muted">
                    <span className="font-medium text-ink" data-testid="token-scope">
                      {SCOPES[t.scope].label}
                    </span>
                    {' · '}Created {timeAgo(t.createdAt)}
                    {t.lastUsedAt ? ` · last used ${timeAgo(t.lastUsedAt)}` : ' · never used'}
                  </p>
                </div>
                {t.revokedAt ? (
                  <span className="text-sm font-medium text-muted">Revoked</span>
                ) : confirming === t.id ? (
                  <div className="flex gap-2" role="group" aria-label={`Revoke ${t.name}?`}>
                    <Button variant="danger" size="sm" onClick={() => void revoke(t.id)}>
                      Yes, revoke
                    </Button>
                    <Button variant="ghost" size="sm" onClick={() => setConfirming(null)}>
                      Cancel
                    </Button>
                  </div>
                ) : (
                  <Button variant="secondary" size="sm" onClick={() => setConfirming(t.id)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
