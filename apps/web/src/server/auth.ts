import type { NextAuthOptions, User } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import GoogleProvider from 'next-auth/providers/google';
import { z } from 'zod';
import { getEnv, type Env } from '@/env';
import { ApiError, apiRequest } from './api';
import { forwardVisitor } from './visitor';

const AUTH_FIELDS = 'token user { id email displayName }';
const LOG_IN = `mutation LogIn($email: String!, $password: String!) { logIn(email: $email, password: $password) { ${AUTH_FIELDS} } }`;
const SIGN_UP = `mutation SignUp($email: String!, $password: String!, $displayName: String!) { signUp(email: $email, password: $password, displayName: $displayName) { ${AUTH_FIELDS} } }`;
// The API verifies the Google ID token itself (signature, audience = GOOGLE_CLIENT_ID, verified
// email) and maps it to the user with that email, so no secret is shared between the servers.
const GOOGLE_SIGN_IN = `mutation GoogleSignIn($idToken: String!) { signInWithGoogle(idToken: $idToken) { ${AUTH_FIELDS} } }`;

/** Exported for the schema check in src/graphql/operations.test.ts. */
export const AUTH_OPERATIONS = { LOG_IN, SIGN_UP, GOOGLE_SIGN_IN };

interface AuthPayload {
  token: string;
  user: { id: string; email: string | null; displayName: string };
}

const credentialsInput = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('login'), email: z.email(), password: z.string().min(1) }),
  z.object({
    intent: z.literal('signup'),
    email: z.email(),
    password: z.string().min(1),
    displayName: z.string().trim().min(1).max(50),
  }),
]);

function toUser(p: AuthPayload, email?: string): User {
  // The API shows an email only to its owner, so the anonymous signUp/logIn answer may omit it.
  return { id: p.user.id, email: p.user.email ?? email ?? null, name: p.user.displayName, apiToken: p.token };
}

/**
 * next-auth configuration. Credentials sign-in calls the API's logIn/signUp; the API token is kept
 * in the encrypted next-auth JWT and exposed to the browser session so the browser can call the
 * API (HTTP and graphql-ws) directly. Errors are thrown as the API's stable code, which the sign-in
 * page turns into a human message.
 */
export function buildAuthOptions(env: Env = getEnv(), request?: { headers: Record<string, string> }): NextAuthOptions {
  const providers: NextAuthOptions['providers'] = [
    CredentialsProvider({
      id: 'credentials',
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
        displayName: { label: 'Display name', type: 'text' },
        intent: { label: 'Intent', type: 'text' },
      },
      async authorize(raw, req) {
        // Limits apply per visitor: the API would otherwise see every visitor as this server.
        const headers = { headers: forwardVisitor(req?.headers, env) };
        const parsed = credentialsInput.safeParse({ ...raw, intent: raw?.intent || 'login' });
        if (!parsed.success) throw new Error('BAD_USER_INPUT');
        const input = parsed.data;
        try {
          if (input.intent === 'signup') {
            const data = await apiRequest<{ signUp: AuthPayload }>(
              SIGN_UP,
              {
                email: input.email,
                password: input.password,
                displayName: input.displayName,
              },
              headers,
            );
            return toUser(data.signUp, input.email);
          }
          const data = await apiRequest<{ logIn: AuthPayload }>(
            LOG_IN,
            { email: input.email, password: input.password },
            headers,
          );
          return toUser(data.logIn, input.email);
        } catch (err) {
          // next-auth hands this message to the page as `error`; it is a code, never API JSON.
          if (!(err instanceof ApiError)) throw new Error('INTERNAL_SERVER_ERROR');
          const parts = [err.code, err.reason ?? ''];
          // A weak-password sentence is written for people by the API; keep it.
          if (err.reason === 'WEAK_PASSWORD') parts.push(err.message);
          throw new Error(parts.join(':'));
        }
      },
    }),
  ];
  if (env.google) {
    providers.push(GoogleProvider({ clientId: env.google.clientId, clientSecret: env.google.clientSecret }));
  }

  return {
    secret: env.nextAuthSecret,
    session: { strategy: 'jwt', maxAge: 7 * 24 * 60 * 60 },
    pages: { signIn: '/login', error: '/login' },
    providers,
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider !== 'google') return true;
        // Only a Google-verified address may map onto a Pixtale account.
        const verified = (profile as { email_verified?: boolean } | undefined)?.email_verified;
        return Boolean(profile?.email && verified);
      },
      async jwt({ token, user, account, trigger, session }) {
        // The profile page renamed the user (the API stored it): only the name may change this way.
        const renamed = (session as { name?: unknown } | undefined)?.name;
        if (trigger === 'update' && typeof renamed === 'string' && renamed.trim())
          return { ...token, name: renamed.slice(0, 100) };
        if (account?.provider === 'google') {
          if (!account.id_token) throw new Error('OAuthCallback');
          // Counted against this visitor's limits, not this server's (the callback has no `req`: the route passes it).
          const data = await apiRequest<{ signInWithGoogle: AuthPayload }>(
            GOOGLE_SIGN_IN,
            { idToken: account.id_token },
            {
              headers: forwardVisitor(request?.headers, env),
            },
          );
          const u = toUser(data.signInWithGoogle);
          return { ...token, sub: u.id, name: u.name, email: u.email, apiToken: u.apiToken };
        }
        if (user?.apiToken) return { ...token, sub: user.id, apiToken: user.apiToken };
        return token;
      },
      async session({ session, token }) {
        return {
          ...session,
          apiToken: token.apiToken,
          user: { ...session.user, id: token.sub ?? '', name: token.name, email: token.email },
        };
      },
    },
  };
}
