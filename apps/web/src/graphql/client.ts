import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

export interface ApiClients {
  client: Client;
  ws: WsClient | undefined;
}

/**
 * One urql client per signed-in identity: queries and mutations over HTTP, subscriptions over
 * graphql-ws on the same path, both carrying the API token from the next-auth session.
 */
export function createApiClients(opts: { apiUrl: string; wsUrl: string; token?: string | undefined }): ApiClients {
  const authorization = opts.token ? `Bearer ${opts.token}` : undefined;
  const ws =
    typeof window === 'undefined'
      ? undefined
      : createWsClient({
          url: opts.wsUrl,
          lazy: true,
          retryAttempts: Infinity,
          shouldRetry: () => true,
          connectionParams: authorization ? { authorization } : {},
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
