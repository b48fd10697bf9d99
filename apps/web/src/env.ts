import { z } from 'zod';
import { readOrCreateSecret, resolveDataDir } from '@pixtale/shared/node';
import { LIMITS } from '@pixtale/shared';

/**
 * The web app's configuration: the one place that reads `process.env`.
 * Parsed once at start-up; a bad value stops the server with a message naming the variable.
 */
const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /**
     * Signs next-auth's session cookie. Required in production (`npm start` passes the one it
     * generated into the data folder); elsewhere that same file is read or created.
     */
    NEXTAUTH_SECRET: optional,
    /** This app's port (`npm start`); the default NEXTAUTH_URL is derived from it. */
    WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** `npm start` only (scripts/start.mjs): the interface to listen on; loopback unless set (containers: 0.0.0.0). */
    HOST: optional,
    /** `npm start` only: proxies in front whose X-Forwarded-For is believed (as the API's TRUST_PROXY). */
    TRUST_PROXY: optional,
    /** The API's port; the default API URLs are derived from it. */
    API_PORT: z.coerce.number().int().min(1).max(65535).default(4000),
    /** Public URL of this web app (next-auth callbacks); default http://localhost:WEB_PORT. */
    NEXTAUTH_URL: optional.pipe(z.url().optional()),
    /** GraphQL endpoint as the web server reaches it (server-to-server); default http://localhost:API_PORT/graphql. */
    API_URL: optional.pipe(z.url().optional()),
    /** GraphQL endpoint as the browser reaches it; default as API_URL. */
    NEXT_PUBLIC_API_URL: optional.pipe(z.url().optional()),
    /** graphql-ws endpoint as the browser reaches it (defaults to NEXT_PUBLIC_API_URL with ws:// or wss://). */
    NEXT_PUBLIC_WS_URL: optional.pipe(z.url().optional()),
    GOOGLE_CLIENT_ID: optional,
    GOOGLE_CLIENT_SECRET: optional,
    /**
     * Shared with the API: proves the visitor address this server forwards on logIn/signUp.
     * Required in production (`npm start` generates one into the data folder, as the API does).
     */
    INTERNAL_API_SECRET: optional.pipe(z.string().min(32, 'INTERNAL_API_SECRET must be at least 32 characters').optional()),
    /** The data folder shared with the API (development reads the generated INTERNAL_API_SECRET there). */
    PIXTALE_DATA_DIR: optional,
    DATA_DIR: optional,
    /** Largest upload the browser accepts before sending (bytes); the API enforces its own limit too. */
    NEXT_PUBLIC_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(LIMITS.maxUploadBytes),
  })
  .transform((e, ctx) => {
    if (e.NODE_ENV === 'production' && !e.NEXTAUTH_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['NEXTAUTH_SECRET'],
        message: 'NEXTAUTH_SECRET is required in production (e.g. `openssl rand -base64 32`)',
      });
      return z.NEVER;
    }
    if (e.NODE_ENV === 'production' && !e.INTERNAL_API_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_API_SECRET'],
        message:
          'INTERNAL_API_SECRET is required in production: the same 32+ random characters as the API (e.g. `openssl rand -hex 32`)',
      });
      return z.NEVER;
    }
    const localApiUrl = `http://localhost:${e.API_PORT}/graphql`;
    const publicApiUrl = e.NEXT_PUBLIC_API_URL ?? localApiUrl;
    const dataDirVars = { PIXTALE_DATA_DIR: e.PIXTALE_DATA_DIR, DATA_DIR: e.DATA_DIR };
    let secret = e.NEXTAUTH_SECRET;
    return {
      nodeEnv: e.NODE_ENV,
      /** Read (or generated) on first use, so parsing the configuration writes nothing. */
      get nextAuthSecret(): string {
        secret ??= readOrCreateSecret(resolveDataDir(dataDirVars), 'web-nextauth-secret');
        return secret;
      },
      nextAuthUrl: e.NEXTAUTH_URL ?? `http://localhost:${e.WEB_PORT}`,
      apiUrl: e.API_URL ?? localApiUrl,
      publicApiUrl,
      publicWsUrl: e.NEXT_PUBLIC_WS_URL ?? publicApiUrl.replace(/^http/, 'ws'),
      google:
        e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
          ? { clientId: e.GOOGLE_CLIENT_ID, clientSecret: e.GOOGLE_CLIENT_SECRET }
          : undefined,
      maxUploadBytes: e.NEXT_PUBLIC_MAX_UPLOAD_BYTES,
      /** Unset outside production: src/server/visitor.ts reads the generated one from the data folder. */
      internalApiSecret: e.INTERNAL_API_SECRET,
      /** Where the data folder is configured (resolved server-side with @pixtale/shared/node's resolveDataDir). */
      dataDirVars,
    };
  });

export type Env = z.output<typeof schema>;

/** Every variable the web app reads (docker-compose.yml is checked against it). */
export const WEB_ENV_VARIABLES: readonly string[] = Object.keys(schema.in.shape);

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || 'env'}: ${i.message}`);
    throw new Error(`Invalid web app configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The parsed configuration (parsed on first use, then cached). */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** What the browser needs to know; passed from the root layout so it is read at run time, not build time. */
export interface PublicConfig {
  apiUrl: string;
  wsUrl: string;
  maxUploadBytes: number;
  googleEnabled: boolean;
}

export function publicConfig(env: Env = getEnv()): PublicConfig {
  return {
    apiUrl: env.publicApiUrl,
    wsUrl: env.publicWsUrl,
    maxUploadBytes: env.maxUploadBytes,
    googleEnabled: Boolean(env.google),
  };
}
