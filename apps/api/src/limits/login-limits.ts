import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { ErrorReason } from '@pixtale/shared';
import type { Env } from '../env';
import { isLimiterVerdict, memoryLimiters, rateLimited, type LimiterFactory } from './limiter';

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;
/** How long a successful login makes an address "known" for its account (the memory store's timers stop at 24.8 days). */
const KNOWN_ADDRESS_SECONDS = 20 * DAY;

export type LoginLimitSettings = Pick<
  Env,
  'LOGIN_CONSECUTIVE_FAILS_PER_ACCOUNT_AND_ADDRESS' | 'LOGIN_FAILS_PER_ADDRESS_PER_DAY' | 'LOGIN_FAILS_PER_ACCOUNT_PER_DAY'
>;

const isWrongCredentials = (e: unknown) =>
  typeof e === 'object' &&
  e !== null &&
  (e as { extensions?: { reason?: unknown } }).extensions?.reason === ErrorReason.WRONG_CREDENTIALS;

/**
 * Brute-force protection for logIn (rate-limiter-flexible's "login endpoint protection" pattern),
 * so that an attacker is slowed and the account's owner still gets in:
 * - consecutive failures per account + address: after N (default 10) that address may not try
 *   that account for 15 minutes; a successful login resets the count;
 * - failures per address, any accounts (credential stuffing): N a day (default 100), then that
 *   address is refused for a day;
 * - failures per account, any addresses (a distributed guess at one account): N a day (default
 *   100); once spent, only addresses that logged in to the account in the last 20 days may keep
 *   trying (each still under its own consecutive limit), every other address waits for the window.
 * Refusals are RATE_LIMITED with `retryAfterSeconds`; they are checked before the password, so a
 * refused guess costs no hashing and reveals nothing.
 */
export class LoginLimits {
  private readonly byAccountAndAddress: RateLimiterAbstract;
  private readonly byAddress: RateLimiterAbstract;
  private readonly byAccount: RateLimiterAbstract;
  /** Account + address pairs that logged in successfully (remembered 20 days). */
  private readonly knownAddresses: RateLimiterAbstract;

  constructor(
    private readonly s: LoginLimitSettings,
    createLimiter: LimiterFactory = memoryLimiters,
  ) {
    this.byAccountAndAddress = createLimiter({
      keyPrefix: 'login_fail_account_address',
      points: s.LOGIN_CONSECUTIVE_FAILS_PER_ACCOUNT_AND_ADDRESS,
      duration: DAY,
    });
    this.byAddress = createLimiter({ keyPrefix: 'login_fail_address', points: s.LOGIN_FAILS_PER_ADDRESS_PER_DAY, duration: DAY });
    this.byAccount = createLimiter({ keyPrefix: 'login_fail_account', points: s.LOGIN_FAILS_PER_ACCOUNT_PER_DAY, duration: DAY });
    this.knownAddresses = createLimiter({ keyPrefix: 'login_known_address', points: 1, duration: KNOWN_ADDRESS_SECONDS });
  }

  /** Runs `attempt` (the password check) unless a limit refuses it, and records its outcome. */
  async guard<T>(email: string, address: string, attempt: () => Promise<T>): Promise<T> {
    const account = email.trim().toLowerCase();
    const pair = `${account}|${address}`;
    const [pairFails, addressFails, accountFails, known] = await Promise.all([
      this.byAccountAndAddress.get(pair),
      this.byAddress.get(address),
      this.byAccount.get(account),
      this.knownAddresses.get(pair),
    ]);
    const waits: number[] = [];
    const spent = (r: RateLimiterRes | null, points: number) => r !== null && r.consumedPoints >= points;
    if (spent(pairFails, this.s.LOGIN_CONSECUTIVE_FAILS_PER_ACCOUNT_AND_ADDRESS)) waits.push(pairFails!.msBeforeNext);
    if (spent(addressFails, this.s.LOGIN_FAILS_PER_ADDRESS_PER_DAY)) waits.push(addressFails!.msBeforeNext);
    if (spent(accountFails, this.s.LOGIN_FAILS_PER_ACCOUNT_PER_DAY) && !known) waits.push(accountFails!.msBeforeNext);
    if (waits.length) throw rateLimited(Math.max(...waits), { reason: ErrorReason.TOO_MANY_LOGIN_FAILURES });

    let result: T;
    try {
      result = await attempt();
    } catch (e) {
      if (isWrongCredentials(e)) {
        await Promise.all([
          this.recordFailure(this.byAccountAndAddress, pair, this.s.LOGIN_CONSECUTIVE_FAILS_PER_ACCOUNT_AND_ADDRESS, 15 * MINUTE),
          this.recordFailure(this.byAddress, address, this.s.LOGIN_FAILS_PER_ADDRESS_PER_DAY, DAY),
          this.recordFailure(this.byAccount, account, this.s.LOGIN_FAILS_PER_ACCOUNT_PER_DAY),
        ]);
      }
      throw e;
    }
    await Promise.all([this.byAccountAndAddress.delete(pair), this.knownAddresses.set(pair, 1, KNOWN_ADDRESS_SECONDS)]);
    return result;
  }

  /** Counts a failure; the one that spends the budget starts a block of `blockSeconds` (default: until the window ends). */
  private async recordFailure(limiter: RateLimiterAbstract, key: string, points: number, blockSeconds?: number) {
    let consumed: number;
    try {
      consumed = (await limiter.consume(key)).consumedPoints;
    } catch (e) {
      if (!isLimiterVerdict(e)) throw e;
      consumed = e.consumedPoints;
    }
    if (blockSeconds && consumed >= points) await limiter.block(key, blockSeconds);
  }
}
