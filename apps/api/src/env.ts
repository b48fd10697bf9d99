import path from 'node:path';
import { z } from 'zod';
import { LIMITS } from '@pixtale/shared';
import { compileTrustProxy } from './limits/client-address';

/** Repo root, found from this file (src/ under jest, dist/ when built). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

const DEV_JWT_SECRET = 'pixtale-dev-secret-do-not-use-in-production';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    /** Public base URL used to build image URLs; defaults to http://localhost:PORT. */
    PUBLIC_URL: z.string().url().optional(),
    /** Data folder (SQLite file + media). PIXTALE_DATA_DIR wins over DATA_DIR. */
    PIXTALE_DATA_DIR: z.string().optional(),
    DATA_DIR: z.string().optional(),
    PIXTALE_MODELS_DIR: z.string().default(path.join(REPO_ROOT, 'models')),
    PIXTALE_DATASETS_DIR: z.string().default(path.join(REPO_ROOT, '..', 'shared', 'datasets')),
    PIXTALE_CAPTION_MODEL: z.string().optional(),
    MONGODB_URI: z.string().optional(),
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: z.coerce.number().int().positive().default(7 * 24 * 3600),
    GOOGLE_CLIENT_ID: z.string().optional(),
    /** Comma-separated origins allowed by CORS ('*' for any). */
    CORS_ORIGIN: z.string().default('http://localhost:3000'),
    MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(LIMITS.maxUploadBytes),
    MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(LIMITS.maxImagePixels),
    /** Pixels decoded at once across all uploads (more wait their turn); default MAX_IMAGE_PIXELS. */
    DECODE_PIXEL_BUDGET: z.coerce.number().int().positive().optional(),
    RATE_LIMIT_POINTS: z.coerce.number().int().positive().default(300),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
    AUTH_RATE_LIMIT_POINTS: z.coerce.number().int().positive().default(10),
    UPLOAD_RATE_LIMIT_POINTS: z.coerce.number().int().positive().default(30),
    /** addComment per client per window. */
    COMMENT_RATE_LIMIT_POINTS: z.coerce.number().int().positive().default(20),
    /** Failed logins in a row for one account from one address before that address waits 15 minutes. */
    LOGIN_CONSECUTIVE_FAILS_PER_ACCOUNT_AND_ADDRESS: z.coerce.number().int().positive().default(10),
    /** Failed logins per address per day (any accounts) before it is refused for a day. */
    LOGIN_FAILS_PER_ADDRESS_PER_DAY: z.coerce.number().int().positive().default(100),
    /** Failed logins per account per day (any addresses); then only addresses that logged in to it before may try. */
    LOGIN_FAILS_PER_ACCOUNT_PER_DAY: z.coerce.number().int().positive().default(100),
    /**
     * Proxies whose X-Forwarded-For is believed: comma-separated addresses, CIDRs or the names
     * loopback, linklocal, uniquelocal. Unset: X-Forwarded-For is ignored.
     */
    TRUST_PROXY: z
      .string()
      .optional()
      .refine((v) => {
        try {
          compileTrustProxy(v);
          return true;
        } catch {
          return false;
        }
      }, 'TRUST_PROXY must list IP addresses, CIDRs or loopback/linklocal/uniquelocal, comma-separated'),
    /**
     * Shared with the web app, which sends it with the visitor's address on the calls it makes
     * for them (logIn, signUp). Required in production; in development both read one generated
     * into the data folder.
     */
    INTERNAL_API_SECRET: z.string().min(32, 'INTERNAL_API_SECRET must be at least 32 characters').optional(),
    WORKER_ENABLED: bool.default(true),
    CAPTION_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
    CAPTION_LEASE_SECONDS: z.coerce.number().int().min(5).default(60),
    CAPTION_THREADS: z.coerce.number().int().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.INTERNAL_API_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_API_SECRET'],
        message: 'INTERNAL_API_SECRET is required in production: the same 32+ random characters in the API and the web app (e.g. `openssl rand -hex 32`)',
      });
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'JWT_SECRET is required in production (32+ random characters, e.g. `openssl rand -hex 32`)',
      });
    }
  });

export type Env = z.infer<typeof schema> & { JWT_SECRET: string; dataDir: string; publicUrl: string };

/**
 * Parses the environment once at start-up. This is the only reader of process.env;
 * everything else receives an `Env`. Throws with every problem listed.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env, overrides: Partial<Env> = {}): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.PIXTALE_DATA_DIR ?? e.DATA_DIR ?? './data');
  const env: Env = {
    ...e,
    JWT_SECRET: e.JWT_SECRET ?? DEV_JWT_SECRET,
    dataDir,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    ...overrides,
  };
  return env;
}

/** An Env for tests: development defaults plus the given overrides, ignoring the real environment except dataset/model dirs. */
export function testEnv(overrides: Partial<Env> = {}): Env {
  const pick = (k: string) => (process.env[k] ? { [k]: process.env[k] } : {});
  return loadEnv(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ...pick('PIXTALE_MODELS_DIR'),
      ...pick('PIXTALE_DATASETS_DIR'),
      ...pick('MONGODB_URI'),
    },
    overrides,
  );
}

const benchSchema = z.object({
  BENCH_CLIENTS: z.coerce.number().int().positive().default(50),
  BENCH_SECONDS: z.coerce.number().positive().default(10),
  BENCH_WARMUP_SECONDS: z.coerce.number().min(0).default(2),
  BENCH_POSTS: z.coerce.number().int().positive().default(500),
  BENCH_USERS: z.coerce.number().int().positive().default(50),
  BENCH_UPLOADS: z.coerce.number().int().positive().default(5),
  BENCH_PORT: z.coerce.number().int().min(1).max(65535).default(4100),
  BENCH_RUNS: z.coerce.number().int().positive().default(3),
  /** Extra node flags for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  BENCH_NODE_ARGS: z.string().default('').transform((s) => s.split(/\s+/).filter(Boolean)),
});

/** Settings of `npm run bench` (BENCH_* variables). */
export function loadBenchSettings(source: NodeJS.ProcessEnv = process.env) {
  return benchSchema.parse(source);
}

/** The raw environment, for tools that start the API as a child process. */
export function processEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}
