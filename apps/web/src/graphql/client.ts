import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

export interface ApiClients {
  client: Client;
  ws: WsClient | undefined;
}

/** The API refused the token: expired, revoked (logged out, maybe on another device) or unknown. */
const ENDED_SESSION_REASONS = new Set(['TOKEN_EXPIRED', 'TOKEN_REVOKED', 'TOKEN_INVALID']);
/** graphql-ws close code for a refused token (the API closes with the error code as the reason). */
export const WS_UNAUTHENTICATED = 4401;

/**
 * One urql client per signed-in identity: queries and mutations over HTTP, subscriptions over
 * graphql-ws on the same path, both carrying the API token from the next-auth session.
 * `onSessionEnded` is called (with the error code, and reason when known) when the API refuses
 * that token, over either transport.
 */
export function createApiClients(opts: {
  apiUrl: string;
  wsUrl: string;
  token?: string | undefined;
  onSessionEnded?: (error: string) => void;
}): ApiClients {
  const authorization = opts.token ? `Bearer ${opts.token}` : undefined;
  const ended = (error: string) => {
    if (authorization) opts.onSessionEnded?.(error);
  };
  const ws =
    typeof window === 'undefined'
      ? undefined
      : createWsClient({
          url: opts.wsUrl,
          lazy: true,
          retryAttempts: Infinity,
          // A refused token stays refused: retrying would only be refused again.
          shouldRetry: (e) => (e as { code?: number } | undefined)?.code !== WS_UNAUTHENTICATED,
          connectionParams: authorization ? { authorization } : {},
          on: {
            closed: (e) => {
              const { code, reason } = e as { code?: number; reason?: string };
              if (code === WS_UNAUTHENTICATED) ended(reason || 'UNAUTHENTICATED');
            },
          },
        });

  const client = new Client({
    url: opts.apiUrl,
    requestPolicy: 'cache-and-network',
    // POST only: Apollo's CSRF protection refuses simple GET requests.
    preferGetMethod: false,
    // Credentials: the API's HttpOnly visitor cookie counts anonymous views once per visitor.
    // apollo-require-preflight: Apollo's CSRF protection accepts multipart requests (updateProfile's avatar) with it.
    fetchOptions: (): RequestInit => ({
      credentials: 'include',
      headers: { 'apollo-require-preflight': 'true', ...(authorization ? { authorization } : {}) },
    }),
    exchanges: [
      mapExchange({
        onError(error) {
          const ext = error.graphQLErrors.find((e) => e.extensions?.code === 'UNAUTHENTICATED')?.extensions;
          if (ext && ENDED_SESSION_REASONS.has(String(ext.reason))) ended(`UNAUTHENTICATED:${String(ext.reason)}`);
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        enableAllOperations: false,
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              if (!ws) return { unsubscribe: () => undefined };
              const dispose = ws.subscribe(input, sink);
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
  return { client, ws };
}
