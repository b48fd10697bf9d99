'use client';

import { signOut } from 'next-auth/react';
import { useCallback, useState } from 'react';
import { useClient } from 'urql';
import { LOG_OUT, LOG_OUT_EVERYWHERE } from '@/graphql/operations';
import { errorCode, humanError } from '@/lib/errors';
import { Alert, Button, Card } from './ui';

/**
 * Logging out ends the API session first (so the token in this browser's cookie stops working
 * anywhere it was copied to), then next-auth's. Returns an error message when the API could not
 * end the session(s); a session the API had already ended counts as ended.
 */
export function useLogOut() {
  const client = useClient();
  return useCallback(
    async (everywhere = false): Promise<string | undefined> => {
      const res = await client.mutation(everywhere ? LOG_OUT_EVERYWHERE : LOG_OUT, {}).toPromise();
      const failed = res.error && errorCode(res.error) !== 'UNAUTHENTICATED';
      // "Everywhere" must not pretend: stay signed in and say why. Plain log out still clears this browser.
      if (failed && everywhere) return humanError(res.error);
      await signOut({ callbackUrl: '/login' });
      return undefined;
    },
    [client],
  );
}

export function LogOutButton() {
  const logOut = useLogOut();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        void logOut().finally(() => setBusy(false));
      }}
    >
      {busy ? 'Logging out…' : 'Log out'}
    </Button>
  );
}

/** Account page: end every session on every device, and every API token. */
export function LogOutEverywhere() {
  const logOut = useLogOut();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  async function run() {
    setBusy(true);
    setError(undefined);
    const problem = await logOut(true);
    setBusy(false);
    if (problem) {
      setError(problem);
      setConfirming(false);
    }
  }

  return (
    <Card className="p-5 sm:p-6">
      <h2 className="text-lg font-semibold">Sessions</h2>
      <p className="mt-1 text-sm text-muted">
        Lost a device, or signed in somewhere you should not have? Logging out everywhere ends every session of yours, this one
        included, and revokes all your API tokens.
      </p>
      {error && <Alert className="mt-4">{error}</Alert>}
      <div className="mt-4">
        {confirming ? (
          <div className="flex flex-wrap gap-2" role="group" aria-label="Log out everywhere?">
            <Button variant="danger" disabled={busy} onClick={() => void run()}>
              {busy ? 'Logging out everywhere…' : 'Yes, log out everywhere'}
            </Button>
            <Button variant="ghost" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        ) : (
          <Button variant="secondary" onClick={() => setConfirming(true)}>
            Log out everywhere
          </Button>
        )}
      </div>
    </Card>
  );
}
