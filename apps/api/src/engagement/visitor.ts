import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';

/** HttpOnly cookie holding an anonymous visitor's random id; only view counting reads it. */
export const VISITOR_COOKIE = 'pixtale_visitor';
const VISITOR_ID = /^[A-Za-z0-9_-]{32}$/;
const ONE_YEAR_MS = 365 * 86_400_000;

/**
 * The anonymous visitor id of an HTTP request: the cookie's when well-formed, else a new random
 * one, set on the response (HttpOnly, SameSite=Lax, only sent to /graphql). A forged or fresh id
 * buys nothing: anonymous views also count at most once per address per hour.
 */
export function httpVisitorId(
  cookieHeader: string | undefined,
  secure: boolean,
  setCookie: (cookie: string) => void,
): () => string {
  let id: string | undefined;
  return () => {
    if (id) return id;
    const sent = parseCookies(cookieHeader ?? '')[VISITOR_COOKIE];
    if (sent && VISITOR_ID.test(sent)) return (id = sent);
    id = randomBytes(24).toString('base64url');
    setCookie(
      serializeCookie(VISITOR_COOKIE, id, {
        maxAge: ONE_YEAR_MS / 1000,
        path: '/graphql',
        expires: new Date(Date.now() + ONE_YEAR_MS),
        httpOnly: true,
        secure,
        sameSite: 'lax',
      }),
    );
    return id;
  };
}

/**
 * What "one address" means for view counting: an IPv4 address, or the /64 prefix of an IPv6
 * address (one host or home network gets a whole /64 and can pick any address in it).
 */
export function addressOf(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!net.isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
