import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** A trust function for proxy-addr: which connecting addresses are proxies whose X-Forwarded-For is believed. */
export type TrustProxy = (addr: string, hop: number) => boolean;

/**
 * TRUST_PROXY (comma-separated addresses, CIDRs or proxy-addr's names loopback, linklocal,
 * uniquelocal) as a trust function; unset trusts no one. Throws on an entry it cannot read.
 */
export function compileTrustProxy(trustProxy: string | undefined): TrustProxy {
  const entries = (trustProxy ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return entries.length ? proxyaddr.compile(entries) : () => false;
}

/** `::ffff:1.2.3.4` and `1.2.3.4` are one client. */
export const normaliseAddress = (addr: string) => addr.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/**
 * The address a server can vouch for: the connection's own, or, when the connection comes from a
 * trusted proxy, the rightmost X-Forwarded-For entry that is not itself a trusted proxy. What a
 * client writes to the left of that is never believed.
 */
export function peerAddress(req: IncomingMessage, trust: TrustProxy): string {
  return normaliseAddress(proxyaddr(req, trust) || 'unknown');
}
