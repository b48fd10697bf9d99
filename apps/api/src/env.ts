import path from 'node:path';
import { z } from 'zod';
import { LIMITS } from '@pixtale/shared';
import { REPO_ROOT, resolveDataDir } from '@pixtale/shared/node';
import { compileTrustProxy } from './limits/client-address';

export { REPO_ROOT };

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** Interface to listen on: loopback only unless set (containers set 0.0.0.0). */
    HOST: z.string().default('127.0.0.1'),
    /** Each service has its own port variable (a generic PORT would move both onto one port). */
    API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    /** The web app's port: the default CORS origin is derived from it. */
    WEB_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** Public base URL used to build image URLs; defaults to http://localhost:API_PORT. */
    PUBLIC_URL: z.string().url().optional(),
    /**
     * Data folder (SQLite file, media, generated secrets). PIXTALE_DATA_DIR wins over DATA_DIR;
     * relative paths are resolved against the repo root, and the default is <repo>/data.
     */
    PIXTALE_DATA_DIR: z.string().optional(),
    DATA_DIR: z.string().optional(),
    PIXTALE_MODELS_DIR: z.string().default(path.join(REPO_ROOT, 'models')),
    PIXTALE_DATASETS_DIR: z.string().default(path.join(REPO_ROOT, '..', 'shared', 'datasets')),
    PIXTALE_CAPTION_MODEL: z.string().optional(),
    MONGODB_URI: z.string().optional(),
    /**
     * Signs session tokens. Required in production; elsewhere a random one is generated on first
     * start into `<data dir>/jwt-secret` (mode 600) and reused (server.ts).
     */
    JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
    /** Session lifetime; tokens claiming a longer one (exp - iat) are refused whatever their signature. */
    JWT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
    /** Schema introspection; default on except with NODE_ENV=production. */
    GRAPHQL_INTROSPECTION: bool.optional(),
    /**
     * Queries made of fields that are the same for every viewer (the EVERYONE feed) share one
     * execution per store version (shared-results.ts); false runs every operation in full (the
     * bench measures both).
     */
    SHARED_RESULTS: bool.default(true),
    GOOGLE_CLIENT_ID: z.string().optional(),
    /** Comma-separated origins allowed by CORS ('*' for any); default http://localhost:WEB_PORT. */
    CORS_ORIGIN: z.string().optional(),
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
    /**
     * What this process does: `all` (default) serves HTTP/WebSocket and runs the job worker;
     * `api` only serves; `worker` only runs jobs (no listener). `api` and `worker` need REDIS_URL.
     */
    ROLE: z.enum(['all', 'api', 'worker']).default('all'),
    /**
     * Redis shared by several processes (subscription events, rate-limit counters, job wake-ups),
     * e.g. redis://127.0.0.1:6379. Unset: all of that lives in this one process.
     */
    REDIS_URL: z
      .string()
      .optional()
      .refine((v) => v === undefined || /^rediss?:\/\//.test(v), 'REDIS_URL must start with redis:// or rediss://'),
    /** With ROLE=all, whether this process also runs the job worker. */
    WORKER_ENABLED: bool.default(true),
    CAPTION_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
    CAPTION_LEASE_SECONDS: z.coerce.number().int().min(5).default(60),
    CAPTION_THREADS: z.coerce.number().int().min(1).optional(),
    /**
     * On SIGTERM/SIGINT: how long in-flight requests and jobs may take to finish. Jobs still running
     * then are released (another worker takes them at once); the process exits 2 s later at most.
     */
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(8),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    // A split process without Redis would not hear the others: subscribers on an API process
    // would never see what a worker did, and each process would keep its own limits.
    if (env.ROLE !== 'all' && !env.REDIS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['ROLE'],
        message: `ROLE=${env.ROLE} runs beside other processes and needs REDIS_URL (e.g. redis://127.0.0.1:6379); unset ROLE to run everything in one process`,
      });
    }
    if (env.ROLE === 'worker' && !env.WORKER_ENABLED) {
      ctx.addIssue({ code: 'custom', path: ['WORKER_ENABLED'], message: 'WORKER_ENABLED=false contradicts ROLE=worker' });
    }
    if (env.NODE_ENV === 'production' && !env.INTERNAL_API_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_API_SECRET'],
        message:
          'INTERNAL_API_SECRET is required in production: the same 32+ random characters in the API and the web app (e.g. `openssl rand -hex 32`)',
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

export type Env = Omit<z.infer<typeof schema>, 'CORS_ORIGIN'> & { CORS_ORIGIN: string; dataDir: string; publicUrl: string };

/** Every variable the API reads (docker-compose.yml is checked against it). */
export const API_ENV_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** Whether this process serves HTTP/WebSocket (ROLE all or api). */
export const servesHttp = (env: Pick<Env, 'ROLE'>) => env.ROLE !== 'worker';
/** Whether this process runs the job worker (ROLE=worker, or ROLE=all unless WORKER_ENABLED=false). */
export const runsWorker = (env: Pick<Env, 'ROLE' | 'WORKER_ENABLED'>) =>
  env.ROLE === 'worker' || (env.ROLE === 'all' && env.WORKER_ENABLED);

/**
 * Parses the environment once at start-up. This is the only reader of process.env;
 * everything else receives an `Env`. Throws with every problem listed.
 */
export function loadEnv(source: NodeJS.ProcessEnv = process.env, overrides: Partial<Env> = {}): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    // One line (main.ts prints it and exits): each problem names its variable.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const dataDir = resolveDataDir(e);
  const env: Env = {
    ...e,
    CORS_ORIGIN: e.CORS_ORIGIN ?? `http://localhost:${e.WEB_PORT}`,
    dataDir,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.API_PORT}`).replace(/\/$/, ''),
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
  BENCH_UPLOADS: z.coerce.number().int().min(0).default(5),
  BENCH_PORT: z.coerce.number().int().min(1).max(65535).default(4100),
  BENCH_RUNS: z.coerce.number().int().positive().default(3),
  /** Offered rate of the feed's open-loop run (requests per second, sent whether or not answered). */
  BENCH_OPEN_RATE: z.coerce.number().positive().default(500),
  /** Extra node flags for the API process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  BENCH_NODE_ARGS: z
    .string()
    .default('')
    .transform((s) => s.split(/\s+/).filter(Boolean)),
});

/** Settings of `npm run bench` (BENCH_* variables). */
export function loadBenchSettings(source: NodeJS.ProcessEnv = process.env) {
  return benchSchema.parse(source);
}

/** The raw environment, for tools that start the API as a child process. */
export function processEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}
