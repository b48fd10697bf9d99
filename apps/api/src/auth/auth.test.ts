import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AuthService } from './auth.service';
import { createHarness, type Harness } from '../testing/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const SIGN_UP = 'mutation($e:String!,$p:String!,$n:String!){ signUp(email:$e,password:$p,displayName:$n){ token user { id email displayName createdAt } } }';
const LOG_IN = 'mutation($e:String!,$p:String!){ logIn(email:$e,password:$p){ token user { id email } } }';
const ME = '{ me { id email displayName } }';
const code = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;
const reason = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.reason;

describe('accounts', () => {
  test('sign up, log in, me with the session token', async () => {
    const up = await h.gql<{ signUp: { token: string; user: { id: string; email: string } } }>(SIGN_UP, {
      e: 'Zoe@Example.com', p: 'tulips and 7 ducks', n: ' Zoe ',
    });
    expect(up.errors).toBeUndefined();
    expect(up.data!.signUp.user).toMatchObject({ email: 'zoe@example.com', displayName: 'Zoe' });
    const login = await h.gql<{ logIn: { token: string; user: { id: string } } }>(LOG_IN, { e: 'ZOE@example.com', p: 'tulips and 7 ducks' });
    expect(login.data!.logIn.user.id).toBe(up.data!.signUp.user.id);
    const me = await h.gql<{ me: { email: string } }>(ME, {}, login.data!.logIn.token);
    expect(me.data!.me.email).toBe('zoe@example.com');
    expect((await h.gql(ME)).data).toEqual({ me: null });
  });

  test('the password is stored as an argon2id hash, never in clear', async () => {
    await h.gql(SIGN_UP, { e: 'hash@example.com', p: 'my secret 99 words', n: 'H' });
    const u = await h.app.deps.store.users.findByEmail('hash@example.com');
    expect(u?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(u?.passwordHash).not.toContain('my secret');
  });

  test('wrong password and unknown email: UNAUTHENTICATED, same message', async () => {
    await h.gql(SIGN_UP, { e: 'wp@example.com', p: 'right pass 123', n: 'W' });
    const wrong = await h.gql(LOG_IN, { e: 'wp@example.com', p: 'wrong pass 123' });
    const unknown = await h.gql(LOG_IN, { e: 'nobody@example.com', p: 'wrong pass 123' });
    expect([code(wrong), reason(wrong)]).toEqual(['UNAUTHENTICATED', 'WRONG_CREDENTIALS']);
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
  });

  test('duplicate email (any case): CONFLICT EMAIL_TAKEN, nothing written', async () => {
    await h.gql(SIGN_UP, { e: 'dup@example.com', p: 'first pass 123', n: 'D' });
    const again = await h.gql(SIGN_UP, { e: 'DUP@example.com', p: 'second pass 123', n: 'D2' });
    expect([code(again), reason(again)]).toEqual(['CONFLICT', 'EMAIL_TAKEN']);
    expect((await h.app.deps.store.users.findByEmail('dup@example.com'))?.displayName).toBe('D');
  });

  test.each([['short1'], ['password123'], ['aaaaaaaaaaaa'], ['onlyletters']])('weak password %p: BAD_USER_INPUT WEAK_PASSWORD', async (p) => {
    const r = await h.gql(SIGN_UP, { e: `weak${p}@example.com`, p, n: 'W' });
    expect([code(r), reason(r)]).toEqual(['BAD_USER_INPUT', 'WEAK_PASSWORD']);
    expect(await h.app.deps.store.users.findByEmail(`weak${p}@example.com`)).toBeNull();
  });

  test('invalid email and empty display name: BAD_USER_INPUT', async () => {
    expect(code(await h.gql(SIGN_UP, { e: 'not-an-email', p: 'good pass 123', n: 'X' }))).toBe('BAD_USER_INPUT');
    expect(code(await h.gql(SIGN_UP, { e: 'ok@example.com', p: 'good pass 123', n: '   ' }))).toBe('BAD_USER_INPUT');
  });

  test('missing token on a protected operation: UNAUTHENTICATED', async () => {
    const r = await h.gql('mutation { createApiToken(name: "x") { id } }');
    expect(code(r)).toBe('UNAUTHENTICATED');
  });

  test('expired and forged session tokens: UNAUTHENTICATED with reason', async () => {
    const { id } = await h.signUp('Exp');
    const user = (await h.app.deps.store.users.findById(id))!;
    const expired = await h.app.deps.services.auth.issueSession(user, -10);
    const r = await h.gql(ME, {}, expired);
    expect([code(r), reason(r)]).toEqual(['UNAUTHENTICATED', 'TOKEN_EXPIRED']);
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(id).setIssuer('pixtale')
      .setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(40)));
    const f = await h.gql(ME, {}, forged);
    expect([code(f), reason(f)]).toEqual(['UNAUTHENTICATED', 'TOKEN_INVALID']);
    expect(code(await h.gql('mutation { createApiToken(name: "x") { id } }', {}, expired))).toBe('UNAUTHENTICATED');
  });
});

describe('API tokens', () => {
  test('created once, stored hashed, authenticates, listed without secret, revoked stops working', async () => {
    const { token } = await h.signUp('Dev');
    const c = await h.gql<{ createApiToken: { id: string; name: string; token: string } }>(
      'mutation { createApiToken(name: "my script") { id name token createdAt } }', {}, token,
    );
    const api = c.data!.createApiToken;
    expect(api.token).toMatch(/^pxt_[A-Za-z0-9_-]{40,}$/);
    const stored = await h.app.deps.store.apiTokens.findByHash(
      (await import('node:crypto')).createHash('sha256').update(api.token).digest('hex'),
    );
    expect(stored?.id).toBe(api.id);
    expect(JSON.stringify(stored)).not.toContain(api.token);
    const me = await h.gql<{ me: { displayName: string } }>(ME, {}, api.token);
    expect(me.data!.me.displayName).toBe('Dev');
    const list = await h.gql<{ apiTokens: { id: string; token: string | null }[] }>('{ apiTokens { id token } }', {}, token);
    expect(list.data!.apiTokens).toEqual([{ id: api.id, token: null }]);
    const rev = await h.gql<{ revokeApiToken: boolean }>('mutation($id:ID!){ revokeApiToken(id:$id) }', { id: api.id }, token);
    expect(rev.data!.revokeApiToken).toBe(true);
    const after = await h.gql(ME, {}, api.token);
    expect([code(after), reason(after)]).toEqual(['UNAUTHENTICATED', 'TOKEN_REVOKED']);
  });

  test("cannot revoke someone else's token", async () => {
    const a = await h.signUp('A');
    const b = await h.signUp('B');
    const c = await h.gql<{ createApiToken: { id: string; token: string } }>('mutation { createApiToken(name: "a") { id token } }', {}, a.token);
    const rev = await h.gql<{ revokeApiToken: boolean }>('mutation($id:ID!){ revokeApiToken(id:$id) }', { id: c.data!.createApiToken.id }, b.token);
    expect(rev.data!.revokeApiToken).toBe(false);
    expect((await h.gql(ME, {}, c.data!.createApiToken.token)).errors).toBeUndefined();
  });
});

describe('Google sign-in', () => {
  test('a verified Google ID token maps to the user with the same email; unverified is refused', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const { createLocalJWKSet } = await import('jose');
    const auth = new AuthService(h.app.deps.store, {
      jwtSecret: h.env.JWT_SECRET, jwtTtlSeconds: 3600, googleClientId: 'client-1', googleKeys: createLocalJWKSet({ keys: [jwk] }),
    });
    const existing = await h.signUp('Gmail');
    const idToken = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://accounts.google.com')
        .setAudience('client-1').setExpirationTime('5m').setSubject('g-1').sign(privateKey);
    const r = await auth.signInWithGoogle(await idToken({ email: existing.email.toUpperCase(), email_verified: true }));
    expect(r.user.id).toBe(existing.id);
    const fresh = await auth.signInWithGoogle(await idToken({ email: 'newgoogle@example.com', email_verified: true, name: 'New G' }));
    expect(fresh.user).toMatchObject({ email: 'newgoogle@example.com', displayName: 'New G', passwordHash: null });
    await expect(auth.signInWithGoogle(await idToken({ email: 'x@example.com', email_verified: false }))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(auth.signInWithGoogle('garbage')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
