import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
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

/**
 * The one place that chooses where limiter state lives: in this process's memory. Several API
 * instances would share it by returning rate-limiter-flexible's RateLimiterRedis here with the
 * same options (plus `storeClient`); nothing else changes.
 */
export function createLimiter(opts: LimiterOptions): RateLimiterAbstract {
  return new RateLimiterMemory(opts);
}

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
