import { createUser, WEB } from './helpers';

/** One credentials sign-in through next-auth's own endpoint, as the login form posts it; returns the error code or null. */
async function signInOnce(email: string, password: string, forwardedFor: string): Promise<string | null> {
  const csrf = await fetch(`${WEB()}/api/auth/csrf`);
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${WEB()}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams({ csrfToken, email, password, intent: 'login', json: 'true' }),
  });
  const { url } = (await res.json()) as { url: string };
  return new URL(url, WEB()).searchParams.get('error');
}

describe('the visitor address the web app forwards to the API', () => {
  test('a client cannot choose it: rotating X-Forwarded-For does not escape the login limit', async () => {
    const user = await createUser('Target');
    const codes: (string | null)[] = [];
    // 10 wrong passwords in a row for one account from one address are allowed (the API's
    // LOGIN_CONSECUTIVE_FAILS_PER_ACCOUNT_AND_ADDRESS); each claims to come from somewhere new.
    for (let i = 1; i <= 11; i++) codes.push(await signInOnce(user.email, 'not the password 1', `203.0.113.${i}`));
    expect(codes.slice(0, 10).every((c) => c?.startsWith('UNAUTHENTICATED'))).toBe(true);
    expect(codes[10]).toMatch(/^RATE_LIMITED:TOO_MANY_LOGIN_FAILURES/);
  });
});
