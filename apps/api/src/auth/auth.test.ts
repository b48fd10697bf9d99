import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { AuthService } from './auth.service';
import { createApp } from '../server';
import { createHarness, type Harness } from '../testing/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const SIGN_UP =
  'mutation($e:String!,$p:String!,$n:String!){ signUp(email:$e,password:$p,displayName:$n){ token user { id email displayName createdAt } } }';
const LOG_IN = 'mutation($e:String!,$p:String!){ logIn(email:$e,password:$p){ token user { id email } } }';
const ME = '{ me { id email displayName } }';
const code = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;
const reason = (r: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.reason;

describe('accounts', () => {
  test('sign up, log in, me with the session token', async () => {
    const up = await h.gql<{ signUp: { token: string; user: { id: string; email: string } } }>(SIGN_UP, {
      e: 'Zoe@Example.com',
      p: 'tulips and 7 ducks',
      n: ' Zoe ',
    });
    expect(up.errors).toBeUndefined();
    expect(up.data!.signUp.user).toMatchObject({ email: 'zoe@example.com', displayName: 'Zoe' });
    const login = await h.gql<{ logIn: { token: string; user: { id: string } } }>(LOG_IN, {
      e: 'ZOE@example.com',
      p: 'tulips and 7 ducks',
    });
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

  test.each([['short1'], ['password123'], ['aaaaaaaaaaaa'], ['onlyletters'], ['Passw0rd!'], ['qwerty123!'], ['12345678a']])(
    "guessable password %p: BAD_USER_INPUT WEAK_PASSWORD with the estimator's feedback",
    async (p) => {
      const e = `weak-${Buffer.from(p).toString('hex')}@example.com`;
      const r = await h.gql(SIGN_UP, { e, p, n: 'W' });
      expect([code(r), reason(r)]).toEqual(['BAD_USER_INPUT', 'WEAK_PASSWORD']);
      const ext = r.errors![0]!.extensions as { score: number; feedback: { warning: string; suggestions: string[] } };
      expect(ext.score).toBeLessThan(3);
      expect(ext.feedback.warning || ext.feedback.suggestions[0]).toBeTruthy();
      expect(r.errors![0]!.message).toContain(ext.feedback.warning);
      expect(await h.app.deps.store.users.findByEmail(e)).toBeNull();
    },
  );

  test('a password made of the display name and email is guessable', async () => {
    const r = await h.gql(SIGN_UP, { e: 'rosalind.okonkwo@example.com', p: 'rosalind.okonkwo', n: 'Rosalind Okonkwo' });
    expect(reason(r)).toBe('WEAK_PASSWORD');
  });

  test('invalid email and empty display name: BAD_USER_INPUT', async () => {
    expect(code(await h.gql(SIGN_UP, { e: 'not-an-email', p: 'good pass 123', n: 'X' }))).toBe('BAD_USER_INPUT');
    expect(code(await h.gql(SIGN_UP, { e: 'ok@example.com', p: 'good pass 123', n: '   ' }))).toBe('BAD_USER_INPUT');
  });

  test('missing token on a protected operation: UNAUTHENTICATED', async () => {
    const r = await h.gql('mutation { createApiToken(name: "x", scope: READ) { id } }');
    expect(code(r)).toBe('UNAUTHENTICATED');
  });

  test('expired and forged session tokens: UNAUTHENTICATED with reason', async () => {
    const { id } = await h.signUp('Exp');
    const user = (await h.app.deps.store.users.findById(id))!;
    const expired = await h.app.deps.services.auth.issueSession(user, -10);
    const r = await h.gql(ME, {}, expired);
    expect([code(r), reason(r)]).toEqual(['UNAUTHENTICATED', 'TOKEN_EXPIRED']);
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(id)
      .setIssuer('pixtale')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    const f = await h.gql(ME, {}, forged);
    expect([code(f), reason(f)]).toEqual(['UNAUTHENTICATED', 'TOKEN_INVALID']);
    expect(code(await h.gql('mutation { createApiToken(name: "x", scope: READ) { id } }', {}, expired))).toBe('UNAUTHENTICATED');
  });
});

describe('API tokens', () => {
  test('created once, stored hashed, authenticates, listed without secret, revoked stops working', async () => {
    const { token } = await h.signUp('Dev');
    const c = await h.gql<{ createApiToken: { id: string; name: string; token: string } }>(
      'mutation { createApiToken(name: "my script", scope: WRITE) { id name token scope createdAt } }',
      {},
      token,
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
    const list = await h.gql<{ apiTokens: { id: string; token: string | null; scope: string }[] }>(
      '{ apiTokens { id token scope } }',
      {},
      token,
    );
    expect(list.data!.apiTokens).toEqual([{ id: api.id, token: null, scope: 'WRITE' }]);
    const rev = await h.gql<{ revokeApiToken: boolean }>('mutation($id:ID!){ revokeApiToken(id:$id) }', { id: api.id }, token);
    expect(rev.data!.revokeApiToken).toBe(true);
    const after = await h.gql(ME, {}, api.token);
    expect([code(after), reason(after)]).toEqual(['UNAUTHENTICATED', 'TOKEN_REVOKED']);
  });

  test("cannot revoke someone else's token", async () => {
    const a = await h.signUp('A');
    const b = await h.signUp('B');
    const c = await h.gql<{ createApiToken: { id: string; token: string } }>(
      'mutation { createApiToken(name: "a", scope: READ) { id token } }',
      {},
      a.token,
    );
    const rev = await h.gql<{ revokeApiToken: boolean }>(
      'mutation($id:ID!){ revokeApiToken(id:$id) }',
      { id: c.data!.createApiToken.id },
      b.token,
    );
    expect(rev.data!.revokeApiToken).toBe(false);
    expect((await h.gql(ME, {}, c.data!.createApiToken.token)).errors).toBeUndefined();
  });
});

const LOG_OUT = 'mutation { logOut }';
const LOG_OUT_EVERYWHERE = 'mutation { logOutEverywhere }';
const CREATE_TOKEN = 'mutation($n: String!, $s: ApiTokenScope!){ createApiToken(name: $n, scope: $s) { id token scope } }';

async function newToken(session: string, scope: 'READ' | 'WRITE' = 'WRITE') {
  const r = await h.gql<{ createApiToken: { id: string; token: string; scope: string } }>(
    CREATE_TOKEN,
    { n: `t-${scope}`, s: scope },
    session,
  );
  if (r.errors) throw r.errors[0];
  return r.data!.createApiToken;
}
async function logIn(email: string) {
  const r = await h.gql<{ logIn: { token: string } }>(LOG_IN, { e: email, p: 'correct horse 42' });
  return r.data!.logIn.token;
}
const meOf = async (token: string) => {
  const r = await h.gql<{ me: { id: string } }>(ME, {}, token);
  return r.errors ? `${code(r)}:${reason(r)}` : r.data!.me.id;
};

describe('session secret and lifetime', () => {
  const secretFile = () => path.join(h.dataDir, 'jwt-secret');
  const sign = (claims: { sub: string; jti?: string; iat: number; exp: number }, secret: string) => {
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer('pixtale')
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp);
    if (claims.jti) jwt.setJti(claims.jti);
    return jwt.sign(new TextEncoder().encode(secret));
  };
  /** A real, live session of a real user, so only the property under test can make a token fail. */
  async function liveSession() {
    const u = await h.signUp('Forge');
    const user = (await h.app.deps.store.users.findById(u.id))!;
    const session = await h.app.deps.store.sessions.create({
      userId: u.id,
      tokenVersion: user.tokenVersion,
      expiresAt: new Date(Date.now() + 3600_000),
    });
    return { sub: u.id, jti: session.id };
  }
  const now = () => Math.floor(Date.now() / 1000);

  test('without JWT_SECRET, a random secret is generated into the data folder (600) and kept across restarts', async () => {
    expect(h.env.JWT_SECRET).toBeUndefined();
    const secret = fs.readFileSync(secretFile(), 'utf8');
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(secretFile()).mode & 0o777).toBe(0o600);
    const { token } = await h.signUp('Restart');
    // A second process on the same data folder and store: same secret, the session still works.
    const again = await createApp(h.env, { store: h.app.deps.store, captioner: () => Promise.reject(new Error('none')) });
    try {
      expect((await again.deps.services.auth.authenticate(token)).via).toBe('session');
    } finally {
      await again.close();
    }
    expect(fs.readFileSync(secretFile(), 'utf8')).toBe(secret);
  });

  test('a token signed with the old development constant is refused', async () => {
    const claims = await liveSession();
    const forged = await sign({ ...claims, iat: now(), exp: now() + 3600 }, 'pixtale-dev-secret-do-not-use-in-production');
    expect(await meOf(forged)).toBe('UNAUTHENTICATED:TOKEN_INVALID');
  });

  test('the accepted lifetime is capped: a 100-year token with the right secret is refused, as is one issued in the future', async () => {
    const claims = await liveSession();
    const secret = fs.readFileSync(secretFile(), 'utf8');
    expect(await meOf(await sign({ ...claims, iat: now(), exp: now() + 3600 }, secret))).toBe(claims.sub); // the control
    expect(await meOf(await sign({ ...claims, iat: now(), exp: now() + 100 * 365 * 24 * 3600 }, secret))).toBe(
      'UNAUTHENTICATED:TOKEN_INVALID',
    );
    expect(await meOf(await sign({ ...claims, iat: now() + 3600, exp: now() + 7200 }, secret))).toBe(
      'UNAUTHENTICATED:TOKEN_INVALID',
    );
    expect(await meOf(await sign({ ...claims, iat: now() - 10, exp: now() + h.env.JWT_TTL_SECONDS + 10 }, secret))).toBe(
      'UNAUTHENTICATED:TOKEN_INVALID',
    );
  });

  test("a token naming no session, or a session that does not exist or is someone else's, is refused", async () => {
    const claims = await liveSession();
    const other = await liveSession();
    const secret = fs.readFileSync(secretFile(), 'utf8');
    const times = { iat: now(), exp: now() + 3600 };
    expect(await meOf(await sign({ sub: claims.sub, ...times }, secret))).toBe('UNAUTHENTICATED:TOKEN_INVALID');
    expect(await meOf(await sign({ sub: claims.sub, jti: 'no-such-session', ...times }, secret))).toBe(
      'UNAUTHENTICATED:TOKEN_INVALID',
    );
    expect(await meOf(await sign({ sub: claims.sub, jti: other.jti, ...times }, secret))).toBe('UNAUTHENTICATED:TOKEN_INVALID');
  });
});

describe('logOut and logOutEverywhere', () => {
  test('logOut ends this session only (even when its signature check is cached), with the API tokens made in it', async () => {
    const u = await h.signUp('Out');
    const other = await logIn(u.email);
    const made = await newToken(u.token);
    const madeElsewhere = await newToken(other);
    expect(await meOf(u.token)).toBe(u.id); // its signature check is now cached
    expect((await h.gql(LOG_OUT, {}, u.token)).data).toEqual({ logOut: true });
    expect(await meOf(u.token)).toBe('UNAUTHENTICATED:TOKEN_REVOKED');
    expect(await meOf(made.token)).toBe('UNAUTHENTICATED:TOKEN_REVOKED');
    expect(await meOf(other)).toBe(u.id);
    expect(await meOf(madeElsewhere.token)).toBe(u.id);
    expect(code(await h.gql(LOG_OUT, {}, u.token))).toBe('UNAUTHENTICATED');
  });

  test('logOutEverywhere ends every session and API token of the user, durably (a restarted API refuses them too)', async () => {
    const u = await h.signUp('Everywhere');
    const bystander = await h.signUp('Bystander');
    const second = await logIn(u.email);
    const tok = await newToken(second, 'READ');
    expect(await meOf(u.token)).toBe(u.id);
    expect((await h.gql(LOG_OUT_EVERYWHERE, {}, second)).data).toEqual({ logOutEverywhere: true });
    for (const t of [u.token, second, tok.token]) expect(await meOf(t)).toBe('UNAUTHENTICATED:TOKEN_REVOKED');
    expect(await meOf(bystander.token)).toBe(bystander.id);
    const restarted = await createApp(h.env, { store: h.app.deps.store, captioner: () => Promise.reject(new Error('none')) });
    try {
      await expect(restarted.deps.services.auth.authenticate(u.token)).rejects.toMatchObject({
        extensions: { reason: 'TOKEN_REVOKED' },
      });
    } finally {
      await restarted.close();
    }
    // Logging in again works, and the list shows the token as revoked.
    const fresh = await logIn(u.email);
    expect(await meOf(fresh)).toBe(u.id);
    const list = await h.gql<{ apiTokens: { id: string; revokedAt: string | null }[] }>(
      '{ apiTokens { id revokedAt } }',
      {},
      fresh,
    );
    expect(list.data!.apiTokens.find((t) => t.id === tok.id)?.revokedAt).toBeTruthy();
  });

  test('the token version alone refuses older sessions and tokens (the check behind logOutEverywhere)', async () => {
    const u = await h.signUp('Version');
    const tok = await newToken(u.token);
    const user = (await h.app.deps.store.users.findById(u.id))!;
    // As if the bulk revocation marks were lost half-way: only the version was raised.
    await h.app.deps.store.users.revokeAllSessions(u.id, new Date());
    const s2 = await h.app.deps.services.auth.issueSession(user); // made with the old version
    for (const t of [u.token, tok.token, s2]) expect(await meOf(t)).toBe('UNAUTHENTICATED:TOKEN_REVOKED');
  });

  test('API tokens can neither log out nor manage tokens: FORBIDDEN SESSION_REQUIRED', async () => {
    const u = await h.signUp('NoSession');
    const write = await newToken(u.token, 'WRITE');
    for (const op of [
      LOG_OUT,
      LOG_OUT_EVERYWHERE,
      'mutation { createApiToken(name: "child", scope: WRITE) { id } }',
      `mutation { revokeApiToken(id: "${write.id}") }`,
    ]) {
      const r = await h.gql(op, {}, write.token);
      expect([code(r), reason(r)]).toEqual(['FORBIDDEN', 'SESSION_REQUIRED']);
    }
    expect(await meOf(u.token)).toBe(u.id);
    expect(await meOf(write.token)).toBe(u.id);
  });
});

describe('API token scopes', () => {
  test('a READ token runs queries but no mutation (FORBIDDEN TOKEN_SCOPE); a WRITE token runs mutations', async () => {
    const u = await h.signUp('Scoped');
    const read = await newToken(u.token, 'READ');
    const write = await newToken(u.token, 'WRITE');
    expect(read.scope).toBe('READ');
    expect(await meOf(read.token)).toBe(u.id);
    expect((await h.gql('{ feed(first: 1) { edges { cursor } } }', {}, read.token)).errors).toBeUndefined();
    const like = 'mutation { likePost(postId: "nope") { id } }';
    const denied = await h.gql(like, {}, read.token);
    expect([code(denied), reason(denied)]).toEqual(['FORBIDDEN', 'TOKEN_SCOPE']);
    expect(denied.errors![0]!.message).toMatch(/READ scope.*cannot run mutations/);
    expect(code(await h.gql(like, {}, write.token))).toBe('NOT_FOUND'); // it ran
  });
});

describe('Google sign-in', () => {
  test('a verified Google ID token maps to the user with the same email; unverified is refused', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const { createLocalJWKSet } = await import('jose');
    const auth = new AuthService(h.app.deps.store, {
      jwtSecret: 'g'.repeat(40),
      jwtTtlSeconds: 3600,
      googleClientId: 'client-1',
      googleKeys: createLocalJWKSet({ keys: [jwk] }),
    });
    const existing = await h.signUp('Gmail');
    const idToken = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer('https://accounts.google.com')
        .setAudience('client-1')
        .setExpirationTime('5m')
        .setSubject('g-1')
        .sign(privateKey);
    const r = await auth.signInWithGoogle(await idToken({ email: existing.email.toUpperCase(), email_verified: true }));
    expect(r.user.id).toBe(existing.id);
    const fresh = await auth.signInWithGoogle(
      await idToken({ email: 'newgoogle@example.com', email_verified: true, name: 'New G' }),
    );
    expect(fresh.user).toMatchObject({ email: 'newgoogle@example.com', displayName: 'New G', passwordHash: null });
    await expect(auth.signInWithGoogle(await idToken({ email: 'x@example.com', email_verified: false }))).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(auth.signInWithGoogle('garbage')).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});
