import { parseEnv } from '@/env';
import { buildAuthOptions } from './auth';

describe('buildAuthOptions', () => {
  it('offers only email + password when Google is not configured', () => {
    const opts = buildAuthOptions(parseEnv({}));
    expect(opts.providers.map((p) => p.id)).toEqual(['credentials']);
  });

  it('adds Google when both GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are set', () => {
    const opts = buildAuthOptions(parseEnv({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 's' }));
    expect(opts.providers.map((p) => p.id)).toEqual(['credentials', 'google']);
  });

  it('refuses Google profiles without a verified email', async () => {
    const opts = buildAuthOptions(parseEnv({}));
    const signIn = opts.callbacks!.signIn!;
    const account = { provider: 'google', type: 'oauth', providerAccountId: '1' } as never;
    expect(await signIn({ account, profile: { email: 'a@b.co', email_verified: false } } as never)).toBe(false);
    expect(await signIn({ account, profile: { email: 'a@b.co', email_verified: true } } as never)).toBe(true);
  });

  it('keeps the API token in the JWT and exposes it on the session', async () => {
    const opts = buildAuthOptions(parseEnv({}));
    const token = await opts.callbacks!.jwt!({
      token: { name: 'Ada', email: 'a@b.co' },
      user: { id: 'u1', apiToken: 'tok' },
    } as never);
    expect(token).toMatchObject({ sub: 'u1', apiToken: 'tok' });
    const session = await opts.callbacks!.session!({ session: { user: {}, expires: '' }, token } as never);
    expect(session).toMatchObject({ apiToken: 'tok', user: { id: 'u1', name: 'Ada', email: 'a@b.co' } });
  });
});
