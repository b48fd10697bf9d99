import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The two connections a process keeps to Redis: `commands` (rate-limit counters, publishing) and
 * `subscriber` (a connection in subscribe mode can do nothing else). ioredis reconnects on its
 * own and re-subscribes; while Redis is away, commands fail at once (no queue growing in memory):
 * limits fall back to this process's memory (limiter.ts), events and wake-ups published meanwhile
 * are lost (subscribers reload fresh state on the next one; workers still poll the store).
 */
export interface RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;
  close(): Promise<void>;
}

/** The URL without its password, for log lines. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL';
  }
}

/** Connects both; rejects with one line naming the server when it cannot be reached at start. */
export async function connectRedis(url: string, logger: Logger): Promise<RedisConnections> {
  const where = redactRedisUrl(url);
  let firstError: Error | undefined;
  const open = (role: string, options: RedisOptions) => {
    const client = new Redis(url, { lazyConnect: true, connectionName: `pixtale-${role}`, ...options });
    // ioredis emits 'error' on every failed reconnect: one line when an outage starts, one when it ends.
    let down = false;
    client.on('error', (err: Error) => {
      firstError ??= err;
      if (down) return;
      down = true;
      logger.error({ redis: where, connection: role, err: err.message }, 'Redis connection lost; retrying');
    });
    client.on('ready', () => {
      if (!down) return;
      down = false;
      logger.info({ redis: where, connection: role }, 'Redis connection back');
    });
    return client;
  };
  const commands = open('commands', { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  // Subscriptions wait for a reconnect rather than fail (ioredis re-subscribes then).
  const subscriber = open('subscriber', { maxRetriesPerRequest: null });
  const close = async () => {
    await Promise.all(
      [commands, subscriber].map(async (c) => {
        if (c.status !== 'ready') return c.disconnect();
        await c.quit().catch(() => c.disconnect());
      }),
    );
  };
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (e) {
    await close();
    throw new Error(`Cannot reach Redis at ${where} (REDIS_URL): ${(firstError ?? (e as Error)).message}`);
  }
  return { commands, subscriber, close };
}
