'use client';

import type { Session } from 'next-auth';
import { SessionProvider, signOut, useSession } from 'next-auth/react';
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { Provider as UrqlProvider } from 'urql';
import type { PublicConfig } from '@/env';
import { createApiClients } from '@/graphql/client';

const ConfigContext = createContext<PublicConfig | null>(null);

export function usePublicConfig(): PublicConfig {
  const cfg = useContext(ConfigContext);
  if (!cfg) throw new Error('usePublicConfig must be used inside <Providers>');
  return cfg;
}

function ApiProvider({ children }: { children: ReactNode }) {
  const cfg = usePublicConfig();
  const { data } = useSession();
  const token = data?.apiToken;
  // A new identity gets a new client: no cached data or socket leaks across users.
  const clients = useMemo(() => {
    let signingOut = false;
    // The API ended this session (logged out elsewhere, expired): end the browser's too, once.
    const onSessionEnded = (error: string) => {
      if (signingOut) return;
      signingOut = true;
      void signOut({
        callbackUrl: `/login?error=${encodeURIComponent(error)}&callbackUrl=${encodeURIComponent(location.pathname)}`,
      });
    };
    return createApiClients({ apiUrl: cfg.apiUrl, wsUrl: cfg.wsUrl, token, onSessionEnded });
  }, [cfg, token]);
  useEffect(() => () => void clients.ws?.dispose(), [clients]);
  return <UrqlProvider value={clients.client}>{children}</UrqlProvider>;
}

export function Providers({ session, config, children }: { session: Session | null; config: PublicConfig; children: ReactNode }) {
  return (
    <ConfigContext.Provider value={config}>
      <SessionProvider session={session} refetchOnWindowFocus={false}>
        <ApiProvider>{children}</ApiProvider>
      </SessionProvider>
    </ConfigContext.Provider>
  );
}
