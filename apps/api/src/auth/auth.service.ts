import { createHash, randomBytes } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import { SignJWT, errors as joseErrors, jwtVerify, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { checkUserText, ErrorReason, LIMITS, normalizeUserText, passwordWeakness } from '@pixtale/shared';
import { badInput, conflict, unauthenticated } from '../common/errors';
import { DuplicateError, type ApiTokenRecord, type Store, type UserRecord } from '../store';

export const API_TOKEN_PREFIX = 'pxt_';

const email = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(254));
const displayName = { label: 'Display name', maxLength: LIMITS.displayNameMaxLength };

/** Who is calling: a signed-in user, how, and with which API token. */
export interface Viewer {
  user: UserRecord;
  via: 'session' | 'apiToken';
  apiTokenId?: string;
}

export interface AuthOptions {
  jwtSecret: string;
  jwtTtlSeconds: number;
  /** Google OAuth client id; when unset, Google sign-in is disabled. */
  googleClientId?: string;
  /** Key set for Google ID tokens (tests inject a local one). */
  googleKeys?: JWTVerifyGetKey;
}

const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/** Accounts, sessions (HS256 JWTs) and personal API tokens (random, stored as sha256). */
export class AuthService {
  private readonly key: Uint8Array;
  private googleKeys?: JWTVerifyGetKey;
  /** Signature checks already done (token -> subject, expiry); bounded, oldest evicted first. */
  private readonly verified = new Map<string, { sub: string; exp: number }>();

  private remember(token: string, v: { sub: string; exp: number }) {
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
    const weak = passwordWeakness(input.password);
    if (weak) throw badInput(weak, { field: 'password', reason: ErrorReason.WEAK_PASSWORD });
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
        user = await this.store.users.create({ email: mail.data, displayName: name.slice(0, LIMITS.displayNameMaxLength), passwordHash: null });
      } catch (err) {
        if (!(err instanceof DuplicateError)) throw err;
        user = (await this.store.users.findByEmail(mail.data))!;
      }
    }
    return { user, token: await this.issueSession(user) };
  }

  async issueSession(user: UserRecord, ttlSeconds = this.opts.jwtTtlSeconds): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setIssuer('pixtale')
      .sign(this.key);
  }

  /**
   * Resolves a bearer token (session JWT or `pxt_` API token) to a viewer.
   * Throws UNAUTHENTICATED with reason TOKEN_INVALID / TOKEN_EXPIRED / TOKEN_REVOKED.
   */
  async authenticate(bearer: string): Promise<Viewer> {
    if (bearer.startsWith(API_TOKEN_PREFIX)) {
      const rec = await this.store.apiTokens.findByHash(sha256(bearer));
      if (!rec) throw unauthenticated('Unknown API token', ErrorReason.TOKEN_INVALID);
      if (rec.revokedAt) throw unauthenticated('This API token was revoked', ErrorReason.TOKEN_REVOKED);
      const user = await this.store.users.findById(rec.userId);
      if (!user) throw unauthenticated('Unknown API token', ErrorReason.TOKEN_INVALID);
      // lastUsedAt is informational: write it at most once a minute per token, not on every request.
      const now = new Date();
      if (!rec.lastUsedAt || now.getTime() - rec.lastUsedAt.getTime() > 60_000) {
        void this.store.apiTokens.touch(rec.id, now).catch(() => undefined);
      }
      return { user, via: 'apiToken', apiTokenId: rec.id };
    }
    let sub: string | undefined;
    const cached = this.verified.get(bearer);
    if (cached && cached.exp * 1000 > Date.now()) {
      sub = cached.sub;
    } else {
      try {
        const { payload } = await jwtVerify(bearer, this.key, { issuer: 'pixtale', algorithms: ['HS256'] });
        sub = payload.sub;
        if (sub && payload.exp) this.remember(bearer, { sub, exp: payload.exp });
      } catch (e) {
        this.verified.delete(bearer);
        if (e instanceof joseErrors.JWTExpired || cached) throw unauthenticated('Session expired: log in again', ErrorReason.TOKEN_EXPIRED);
        throw unauthenticated('Invalid session token', ErrorReason.TOKEN_INVALID);
      }
    }
    const user = sub ? await this.store.users.findById(sub) : null;
    if (!user) throw unauthenticated('Invalid session token', ErrorReason.TOKEN_INVALID);
    return { user, via: 'session' };
  }

  /** Creates a personal API token. The plain token is returned once and never stored. */
  async createApiToken(userId: string, name: string): Promise<{ record: ApiTokenRecord; token: string }> {
    const checked = checkUserText(name, { label: 'Token name', maxLength: LIMITS.apiTokenNameMaxLength });
    if (!checked.ok) throw badInput(checked.message, { field: 'name' });
    const clean = checked.text;
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.store.apiTokens.create({ userId, name: clean, tokenHash: sha256(token) });
    return { record, token };
  }

  async revokeApiToken(userId: string, id: string): Promise<boolean> {
    return this.store.apiTokens.revoke(userId, id);
  }

  listApiTokens(userId: string) {
    return this.store.apiTokens.listByUser(userId);
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const emailTaken = () => conflict('An account with this email already exists', ErrorReason.EMAIL_TAKEN);
