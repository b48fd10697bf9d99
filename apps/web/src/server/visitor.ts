import { isIP } from 'node:net';
import { readOrCreateSecret, resolveDataDir } from '@pixtale/shared/node';
import type { Env } from '@/env';

/** The API believes the visitor address in the first header only with the second (see apps/api/src/limits/client-address.ts). */
export const CLIENT_IP_HEADER = 'x-pixtale-client-ip';
export const PROXY_SECRET_HEADER = 'x-pixtale-proxy-secret';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The visitor's address as this server received the request: the rightmost X-Forwarded-For
 * entry. `next start` sets that header to the connection's address when it is absent, and a
 * proxy in front appends the address it saw, so the rightmost entry is the one a client cannot
 * choose, provided the web app is reached only through such a proxy or directly without one
 * (a client's own X-Forwarded-For is kept by `next start`: see README "Security").
 */
export function visitorAddress(headers: Headers | undefined): string | null {
  const raw = headers?.['x-forwarded-for'];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  const last = value?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
  return last && isIP(last.replace(/^\[|\]$/g, '')) ? last.replace(/^\[|\]$/g, '') : null;
}

/** Headers that tell the API which visitor a server-to-server call is for (none when unknown). */
export function forwardVisitor(headers: Headers | undefined, env: Env): Record<string, string> {
  const address = visitorAddress(headers);
  if (!address) return {};
  // Development: the API generated (or will read) the same file in the shared data folder.
  const secret = env.internalApiSecret ?? readOrCreateSecret(resolveDataDir(env.dataDirVars), 'internal-api-secret');
  return { [CLIENT_IP_HEADER]: address, [PROXY_SECRET_HEADER]: secret };
}
