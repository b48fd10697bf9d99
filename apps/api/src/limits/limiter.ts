import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ErrorCode } from '@pixtale/shared';
import { appError } from '../common/errors';

export interface LimiterOptions {
  keyPrefix: string;
  /** Points a key may spend per window. */
  points: number;
  /** Window length in seconds. */
  duration: number;
  /** Once a key overspends, it stays refused this many seconds (default: until the window ends). */
  blockDuration?: number;
}

export type LimiterFactory = (opts: LimiterOptions) => RateLimiterAbstract;

/**
 * The one place that chooses where limiter state lives. Without Redis: this process's memory.
 * With Redis: counters shared by every process (keys `pixtale:rl:<prefix>:<key>`). Fails safe:
 * while Redis cannot answer, each process counts in its own memory (rate-limiter-flexible's
 * insurance limiter), so limits still hold (per process) instead of letting everything through or
 * refusing everyone.
 */
export function limiterFactory(redis?: Redis): LimiterFactory {
  if (!redis) return (opts) => new RateLimiterMemory(opts);
  return (opts) =>
    new RateLimiterRedis({
      ...opts,
      keyPrefix: `pixtale:rl:${opts.keyPrefix}`,
      storeClient: redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(opts),
    });
}

export const memoryLimiters: LimiterFactory = limiterFactory();

/** RATE_LIMITED with `retryAfterSeconds` (HTTP 429 + Retry-After). */
export function rateLimited(msBeforeNext: number, extra: Record<string, unknown> = {}) {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return appError(ErrorCode.RATE_LIMITED, `Too many requests; retry in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
    ...extra,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  });
}

export const isLimiterVerdict = (e: unknown): e is RateLimiterRes => e instanceof RateLimiterRes;
