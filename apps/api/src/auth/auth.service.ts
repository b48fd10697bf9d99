import { createHash, randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { SignJWT, errors as joseErrors, jwtVerify, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { OperationTypeNode, type GraphQLError } from 'graphql';
import { z } from 'zod';
import { ApiTokenScope, checkUserText, ErrorCode, ErrorReason, LIMITS, normalizeUserText } from '@pixtale/shared';
import { appError, badInput, conflict, forbidden, unauthenticated } from '../common/errors';
import { DuplicateError, type ApiTokenRecord, type Store, type UserRecord } from '../store';

export const API_TOKEN_PREFIX = 'pxt_';
const ISSUER = 'pixtale';
/** Clock skew allowed between API instances for a token's issue time. */
const CLOCK_TOLERANCE_SECONDS = 60;

const email = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(254));
const displayName = { label: 'Display name', maxLength: LIMITS.displayNameMaxLength };

/** Who is calling: a signed-in user, how, and what the credential may do. */
export interface Viewer {
  user: UserRecord;
  via: 'session' | 'apiToken';
  /** The session (the session token's `jti`), when via a session. */
  sessionId?: string;
  apiTokenId?: string;
  /** Sessions may do anything the user may; API tokens what their scope allows. */
  scope: ApiTokenScope;
}

/**
 * Whether this caller may run an operation of this type: a READ-scope API token runs queries
 * and subscriptions only. Checked before anything runs, over HTTP and graphql-ws alike.
 */
export function operationDenied(viewer: Viewer | null, operation: OperationTypeNode): GraphQLError | null {
  if (viewer?.scope === ApiTokenScope.READ && operation === OperationTypeNode.MUTATION) {
    return forbidden(
      'This API token has the READ scope: it cannot run mutations (create a WRITE token for that)',
      ErrorReason.TOKEN_SCOPE,
    );
  }
  return null;
}

/** Things only a person signed in interactively may do (not an API token, whatever its scope). */
function requireSession(viewer: Viewer, action: string): string {
  if (viewer.via !== 'session' || !viewer.sessionId) {
    throw forbidden(`Only an interactive session can ${action}; API tokens cannot`, ErrorReason.SESSION_REQUIRED);
  }
  return viewer.sessionId;
}

export interface AuthOptions {
  jwtSecret: string;
  /** Lifetime of new sessions, and the longest (exp - iat) accepted from any session token. */
  jwtTtlSeconds: number;
  /** Google OAuth client id; when unset, Google sign-in is disabled. */
  googleClientId?: string;
  /** Key set for Google ID tokens (tests inject a local one). */
  googleKeys?: JWTVerifyGetKey;
}

/** The password module carries megabytes of dictionaries: loaded on the first sign-up, once. */
let passwordModule: Promise<typeof import('@pixtale/shared/password')> | undefined;
const passwords = () => (passwordModule ??= import('@pixtale/shared/password'));

const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

interface VerifiedSession {
  sub: string;
  /** The session id. */
  jti: string;
  exp: number;
}

/**
 * Accounts, sessions and personal API tokens. A session is a record in the store (revocable one
 * by one) named by an HS256 JWT's `jti`; a per-user token version ends them all at once. API
 * tokens are random, stored as sha256, scoped READ or WRITE, and made only in a session.
 */
export class AuthService {
  private readonly key: Uint8Array;
  private googleKeys?: JWTVerifyGetKey;
  /**
   * Signature and claim checks already done (token -> claims); bounded, oldest evicted first.
   * Revocation (session record, token version) is checked on every request after this.
   */
  private readonly verified = new Map<string, VerifiedSession>();

  private remember(token: string, v: VerifiedSession) {
    if (this.verified.size >= 10_000) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, v);
  }

  constructor(
    private readonly store: Store,
    private readonly opts: AuthOptions,
  ) {
    this.key = new TextEncoder().encode(opts.jwtSecret);
    this.googleKeys = opts.googleKeys;
  }

  async signUp(input: { email: string; password: string; displayName: string }) {
    const e = email.safeParse(input.email);
    if (!e.success) throw badInput('Enter a valid email address', { field: 'email' });
    const name = checkUserText(input.displayName, displayName);
    if (!name.ok) throw badInput(name.message, { field: 'displayName' });
    await checkPassword(input.password, [e.data, name.text]);
    if (await this.store.users.findByEmail(e.data)) throw emailTaken();
    const passwordHash = await argonHash(input.password);
    try {
      const user = await this.store.users.create({ email: e.data, displayName: name.text, passwordHash });
      return { user, token: await this.issueSession(user) };
    } catch (err) {
      if (err instanceof DuplicateError) throw emailTaken();
      throw err;
    }
  }

  async logIn(input: { email: string; password: string }) {
    const user = await this.store.users.findByEmail(input.email.trim());
    // Same error and roughly the same work whether or not the account exists.
    const ok = user?.passwordHash
      ? await argonVerify(user.passwordHash, input.password).catch(() => false)
      : (await argonHash(input.password), false);
    if (!user || !ok) throw unauthenticated('Wrong email or password', ErrorReason.WRONG_CREDENTIALS);
    return { user, token: await this.issueSession(user) };
  }

  /**
   * "Sign in with Google": verifies a Google ID token (signature, issuer, audience, expiry,
   * email_verified) and maps it to the user with that email, creating one when new.
   */
  async signInWithGoogle(idToken: string) {
    if (!this.opts.googleClientId) throw badInput('Google sign-in is not configured (set GOOGLE_CLIENT_ID)');
    this.googleKeys ??= createRemoteJWKSet(new URL('https://www.googleapis.com/oauth2/v3/certs'));
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(idToken, this.googleKeys, {
        issuer: GOOGLE_ISSUERS,
        audience: this.opts.googleClientId,
      }));
    } catch {
      throw unauthenticated('Invalid Google ID token', ErrorReason.TOKEN_INVALID);
    }
    const mail = email.safeParse(claims.email);
    if (!mail.success || claims.email_verified !== true) {
      throw unauthenticated('Google account email is not verified', ErrorReason.TOKEN_INVALID);
    }
    let user = await this.store.users.findByEmail(mail.data);
    if (!user) {
      const name = (typeof claims.name === 'string' && normalizeUserText(claims.name)) || mail.data.split('@')[0]!;
      try {
        user = await this.store.users.create({
          email: mail.data,
          displayName: name.slice(0, LIMITS.displayNameMaxLength),
          passwordHash: null,
        });
      } catch (err) {
        if (!(err instanceof DuplicateError)) throw err;
        user = (await this.store.users.findByEmail(mail.data))!;
      }
    }
    return { user, token: await this.issueSession(user) };
  }

  /** Starts a session: a store record, and a signed token naming it (`jti`). */
  async issueSession(user: UserRecord, ttlSeconds = this.opts.jwtTtlSeconds): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const session = await this.store.sessions.create({
      userId: user.id,
      tokenVersion: user.tokenVersion,
      expiresAt: new Date((now + ttlSeconds) * 1000),
    });
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setJti(session.id)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setIssuer(ISSUER)
      .sign(this.key);
  }

  /**
   * Resolves a bearer token (session JWT or `pxt_` API token) to a viewer.
   * Throws UNAUTHENTICATED with reason TOKEN_INVALID / TOKEN_EXPIRED / TOKEN_REVOKED.
   */
  async authenticate(bearer: string): Promise<Viewer> {
    if (bearer.startsWith(API_TOKEN_PREFIX)) return this.authenticateApiToken(bearer);
    const claims = await this.verifySessionToken(bearer);
    const [user, session] = await Promise.all([this.store.users.findById(claims.sub), this.store.sessions.findById(claims.jti)]);
    if (!user || !session || session.userId !== user.id)
      throw unauthenticated('Invalid session token', ErrorReason.TOKEN_INVALID);
    if (session.revokedAt || session.tokenVersion !== user.tokenVersion) {
      throw unauthenticated('This session was ended (logged out): log in again', ErrorReason.TOKEN_REVOKED);
    }
    if (session.expiresAt.getTime() <= Date.now())
      throw unauthenticated('Session expired: log in again', ErrorReason.TOKEN_EXPIRED);
    return { user, via: 'session', sessionId: session.id, scope: ApiTokenScope.WRITE };
  }

  /** Signature, issuer, expiry and lifetime of a session JWT (cached); not revocation. */
  private async verifySessionToken(bearer: string): Promise<VerifiedSession> {
    const cached = this.verified.get(bearer);
    if (cached && cached.exp * 1000 > Date.now()) return cached;
    let claims: VerifiedSession;
    try {
      const { payload } = await jwtVerify(bearer, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'jti', 'iat', 'exp'],
      });
      claims = { sub: payload.sub!, jti: payload.jti!, exp: payload.exp! };
      // A valid signature is not enough: the lifetime is ours to cap, whatever the token claims.
      const now = Math.floor(Date.now() / 1000);
      if (payload.iat! > now + CLOCK_TOLERANCE_SECONDS || payload.exp! - payload.iat! > this.opts.jwtTtlSeconds) {
        throw unauthenticated('Invalid session token (lifetime over the limit)', ErrorReason.TOKEN_INVALID);
      }
    } catch (e) {
      this.verified.delete(bearer);
      if (e instanceof joseErrors.JWTExpired || cached)
        throw unauthenticated('Session expired: log in again', ErrorReason.TOKEN_EXPIRED);
      if ((e as GraphQLError).extensions?.code === ErrorCode.UNAUTHENTICATED) throw e;
      throw unauthenticated('Invalid session token', ErrorReason.TOKEN_INVALID);
    }
    this.remember(bearer, claims);
    return claims;
  }

  private async authenticateApiToken(bearer: string): Promise<Viewer> {
    const rec = await this.store.apiTokens.findByHash(sha256(bearer));
    if (!rec) throw unauthenticated('Unknown API token', ErrorReason.TOKEN_INVALID);
    if (rec.revokedAt) throw unauthenticated('This API token was revoked', ErrorReason.TOKEN_REVOKED);
    const user = await this.store.users.findById(rec.userId);
    if (!user) throw unauthenticated('Unknown API token', ErrorReason.TOKEN_INVALID);
    // "Log out everywhere" raised the version after this token was made.
    if (rec.tokenVersion !== user.tokenVersion) throw unauthenticated('This API token was revoked', ErrorReason.TOKEN_REVOKED);
    // lastUsedAt is informational: write it at most once a minute per token, not on every request.
    const now = new Date();
    if (!rec.lastUsedAt || now.getTime() - rec.lastUsedAt.getTime() > 60_000) {
      void this.store.apiTokens.touch(rec.id, now).catch(() => undefined);
    }
    return { user, via: 'apiToken', apiTokenId: rec.id, scope: rec.scope };
  }

  /** Ends the caller's session (and the API tokens made in it). */
  async logOut(viewer: Viewer): Promise<boolean> {
    const sessionId = requireSession(viewer, 'log out (revoke an API token instead)');
    return this.store.sessions.revoke(viewer.user.id, sessionId, new Date());
  }

  /** Ends every session of the caller and every API token they made. */
  async logOutEverywhere(viewer: Viewer): Promise<boolean> {
    requireSession(viewer, 'log out everywhere');
    await this.store.users.revokeAllSessions(viewer.user.id, new Date());
    return true;
  }

  /** Creates a personal API token in the caller's session. The plain token is returned once and never stored. */
  async createApiToken(viewer: Viewer, name: string, scope: ApiTokenScope): Promise<{ record: ApiTokenRecord; token: string }> {
    const sessionId = requireSession(viewer, 'create API tokens');
    const checked = checkUserText(name, { label: 'Token name', maxLength: LIMITS.apiTokenNameMaxLength });
    if (!checked.ok) throw badInput(checked.message, { field: 'name' });
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.store.apiTokens.create({
      userId: viewer.user.id,
      name: checked.text,
      tokenHash: sha256(token),
      scope,
      sessionId,
      tokenVersion: viewer.user.tokenVersion,
    });
    return { record, token };
  }

  async revokeApiToken(viewer: Viewer, id: string): Promise<boolean> {
    requireSession(viewer, 'revoke API tokens');
    return this.store.apiTokens.revoke(viewer.user.id, id);
  }

  listApiTokens(userId: string) {
    return this.store.apiTokens.listByUser(userId);
  }
}

/** Refuses a guessable password with zxcvbn's feedback (`extensions.feedback`: warning, suggestions). */
async function checkPassword(password: string, userInputs: string[]): Promise<void> {
  const { checkPasswordStrength } = await passwords();
  const strength = checkPasswordStrength(password, userInputs);
  if (strength.ok) return;
  // One short sentence or two for people; the full feedback is in the extensions.
  const { warning, suggestions } = strength.feedback;
  throw appError(
    ErrorCode.BAD_USER_INPUT,
    ['Password is too easy to guess.', warning, suggestions[0]].filter(Boolean).join(' '),
    {
      field: 'password',
      reason: ErrorReason.WEAK_PASSWORD,
      score: strength.score,
      feedback: strength.feedback,
    },
  );
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const emailTaken = () => conflict('An account with this email already exists', ErrorReason.EMAIL_TAKEN);
