import { readOrCreateSecret, resolveDataDir, verifiedVisitor } from '@pixtale/shared/node';
import type { Env } from '@/env';

/** The API believes the visitor address in the first header only with the second (see apps/api/src/limits/client-address.ts). */
export const CLIENT_IP_HEADER = 'x-pixtale-client-ip';
export const PROXY_SECRET_HEADER = 'x-pixtale-proxy-secret';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The visitor's address, as `npm start`'s launcher (scripts/start.mjs) stamped it with a proof
 * made with INTERNAL_API_SECRET; null without a valid proof (e.g. under `next dev` or plain
 * `next start`), so no header a client sends can choose the address that login limits count.
 */
export function visitorAddress(headers: Headers | undefined, secret: string): string | null {
  return verifiedVisitor(headers, secret);
}

/** Headers that tell the API which visitor a server-to-server call is for (none when unknown). */
export function forwardVisitor(headers: Headers | undefined, env: Env): Record<string, string> {
  // Development: the API generated (or will read) the same file in the shared data folder.
  const secret = env.internalApiSecret ?? readOrCreateSecret(resolveDataDir(env.dataDirVars), 'internal-api-secret');
  const address = visitorAddress(headers, secret);
  return address ? { [CLIENT_IP_HEADER]: address, [PROXY_SECRET_HEADER]: secret } : {};
}
