import { isIP } from 'node:net';
import { readOrCreateSecret, resolveDataDir } from '@pixtale/shared/node';
import type { Env } from '@/env';

/** The API believes the visitor address in the first header only with the second (see apps/api/src/limits/client-address.ts). */
export const CLIENT_IP_HEADER = 'x-pixtale-client-ip';
export const PROXY_SECRET_HEADER = 'x-pixtale-proxy-secret';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The visitor's address as this server received the request: the rightmost X-Forwarded-For
 * entry. `npm start` (scripts/start.mjs) overwrites that header with the address it can vouch
 * for (the connection's, or what a TRUST_PROXY proxy says), so a client cannot choose it. Behind
 * another launcher (e.g. plain `next start`, which keeps a client's own header), put a proxy in
 * front that sets X-Forwarded-For itself.
 */
export function visitorAddress(headers: Headers | undefined): string | null {
  const raw = headers?.['x-forwarded-for'];
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  const last = value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
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
