import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { compileTrustProxy, normaliseAddress, peerAddress } from '@pixtale/shared/node';

/** Set by the web app's server on the calls it makes for a visitor (next-auth's logIn/signUp). */
export const CLIENT_IP_HEADER = 'x-pixtale-client-ip';
/** Proves a CLIENT_IP_HEADER comes from the web app: the shared INTERNAL_API_SECRET. */
export const PROXY_SECRET_HEADER = 'x-pixtale-proxy-secret';

export interface ClientAddressOptions {
  /** TRUST_PROXY: comma-separated addresses, CIDRs or proxy-addr names (loopback, uniquelocal...). */
  trustProxy?: string;
  /** INTERNAL_API_SECRET (or the generated one the web app reads from the same data folder). */
  internalSecret: string;
  /** Called when a client-address header arrives without the right secret (it is ignored). */
  onUntrustedHeader?: () => void;
}

export { compileTrustProxy };

const digest = (s: string) => createHash('sha256').update(s).digest();
const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

/**
 * Who the client is, for rate limits and anonymous view counts:
 * 1. the web app's CLIENT_IP_HEADER, only with the right PROXY_SECRET_HEADER;
 * 2. else X-Forwarded-For, only when the connection comes from a TRUST_PROXY address, and
 *    then the rightmost address that is not itself a trusted proxy (what a client writes to
 *    the left of it is never believed);
 * 3. else the connection's own address. Anyone else's X-Forwarded-For is ignored.
 */
export function clientAddressResolver(opts: ClientAddressOptions): (req: IncomingMessage) => string {
  const trust = compileTrustProxy(opts.trustProxy);
  const secret = digest(opts.internalSecret);
  return (req) => {
    const claimed = header(req, CLIENT_IP_HEADER);
    if (claimed) {
      const proof = header(req, PROXY_SECRET_HEADER);
      if (proof && timingSafeEqual(digest(proof), secret) && isIP(claimed)) return normaliseAddress(claimed);
      opts.onUntrustedHeader?.();
    }
    return peerAddress(req, trust);
  };
}
