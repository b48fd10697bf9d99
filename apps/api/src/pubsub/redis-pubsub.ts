import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from '@graphql-yoga/subscription';
import type { Logger } from 'pino';
import type { RedisConnections } from '../redis/redis';
import { channelOf, type PubSub, type Topic, type Topics } from './pubsub';

/**
 * Pub/sub shared by every process on one Redis: type-graphql's `createPubSub` over a Redis event
 * target. Channels are `pixtale:<topic>[:<key>]`; payloads are JSON.
 */
export function createRedisPubSub(redis: RedisConnections, logger: Logger): PubSub {
  // The event target drops the promises of publish/subscribe: failures (Redis away) are logged
  // here instead of becoming unhandled rejections. It calls nothing else on these clients.
  const publishClient = {
    publish: (channel: string, message: string) =>
      redis.commands.publish(channel, message).catch((e: Error) => {
        logger.warn({ channel, err: e.message }, 'Redis publish failed: subscribers miss this event');
        return 0;
      }),
  };
  const subscribeClient = {
    on: (event: 'message', fn: (channel: string, message: string) => void) => redis.subscriber.on(event, fn),
    subscribe: (channel: string) =>
      redis.subscriber
        .subscribe(channel)
        .catch((e: Error) => logger.error({ channel, err: e.message }, 'Redis subscribe failed')),
    unsubscribe: (channel: string) => redis.subscriber.unsubscribe(channel).catch(() => undefined),
  };
  type Events = Record<string, [unknown]>;
  const pubsub = createPubSub<Events>({
    eventTarget: createRedisEventTarget({
      publishClient: publishClient as unknown as RedisConnections['commands'],
      subscribeClient: subscribeClient as unknown as RedisConnections['subscriber'],
    }),
  });
  return {
    publish<T extends Topic>(topic: T, payload: Topics[T], key?: string) {
      pubsub.publish(`pixtale:${channelOf(topic, key)}`, payload);
    },
    subscribe<T extends Topic>(topic: T, key?: string) {
      return pubsub.subscribe(`pixtale:${channelOf(topic, key)}`) as AsyncIterable<Topics[T]>;
    },
  };
}
