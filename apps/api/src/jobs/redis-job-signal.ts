import type { Logger } from 'pino';
import type { RedisConnections } from '../redis/redis';
import type { JobKind } from '../store';
import type { JobSignal } from './job-signal';

const CHANNEL = 'pixtale:jobs:queued';

/**
 * Job wake-ups across processes: the API publishes the kind on a Redis channel once the jobs are
 * committed; every worker subscribed wakes and races to claim (the store's leases decide). A lost
 * message (Redis away) only delays the job until the workers' next poll.
 */
export function createRedisJobSignal(redis: RedisConnections, logger: Logger): JobSignal {
  const listeners = new Set<(kind: JobKind) => void>();
  let subscribed = false;
  redis.subscriber.on('message', (channel: string, kind: string) => {
    if (channel !== CHANNEL) return;
    for (const listener of listeners) listener(kind as JobKind);
  });
  return {
    notify(kind) {
      redis.commands.publish(CHANNEL, kind).catch((e: Error) => {
        logger.warn({ kind, err: e.message }, 'Redis publish failed: workers pick these jobs up at their next poll');
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      if (!subscribed) {
        subscribed = true;
        redis.subscriber
          .subscribe(CHANNEL)
          .catch((e: Error) => logger.error({ err: e.message }, 'Redis subscribe failed: workers only poll'));
      }
      return () => listeners.delete(listener);
    },
  };
}
