import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
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

/**
 * The web app's launcher stamps each request with the visitor's address and this proof (an HMAC
 * with INTERNAL_API_SECRET), after removing any copies a client sent; the app believes the address
 * only with the proof, so no other way of serving it (plain `next start`, a client's own headers)
 * can choose the address that login limits count.
 */
export const VISITOR_HEADER = 'x-pixtale-visitor';
export const VISITOR_PROOF_HEADER = 'x-pixtale-visitor-proof';

export function visitorProof(address: string, secret: string): string {
  return createHmac('sha256', secret).update(`pixtale visitor ${address}`).digest('base64url');
}

/** The stamped address when its proof checks out, else null. */
export function verifiedVisitor(
  headers: Record<string, string | string[] | undefined> | undefined,
  secret: string,
): string | null {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
  const address = one(headers?.[VISITOR_HEADER]);
  const proof = one(headers?.[VISITOR_PROOF_HEADER]);
  if (!address || !proof || !isIP(address)) return null;
  const expected = Buffer.from(visitorProof(address, secret));
  const given = Buffer.from(proof);
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : null;
}
