import pino from 'pino';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { createRedisJobSignal } from '../jobs/redis-job-signal';
import { limiterFactory } from '../limits/limiter';
import { createRedisPubSub } from '../pubsub/redis-pubsub';
import { redisServerUnavailableReason, startRedisServer, type TestRedis } from '../testing/redis-server';
import { connectRedis, redactRedisUrl, type RedisConnections } from './redis';

// Against a real redis-server (started here on a free port, nothing persisted): two sets of
// connections stand for two processes.
const reason = redisServerUnavailableReason();
const logger = pino({ level: 'silent' });

test('log lines never show the Redis password', () => {
  expect(redactRedisUrl('redis://user:s3cret@cache:6379/0')).toBe('redis://user:***@cache:6379/0');
  expect(redactRedisUrl('redis://cache:6379')).toBe('redis://cache:6379');
});

test('an unreachable Redis fails the start in one line naming REDIS_URL', async () => {
  await expect(connectRedis('redis://127.0.0.1:1', logger)).rejects.toThrow(
    /^Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\): .*ECONNREFUSED/,
  );
});

(reason ? describe.skip : describe)(`${reason ? `PENDING (${reason}): ` : ''}over a real redis-server`, () => {
  let server: TestRedis;
  let a: RedisConnections;
  let b: RedisConnections;
  beforeAll(async () => {
    server = await startRedisServer();
    [a, b] = await Promise.all([connectRedis(server.url, logger), connectRedis(server.url, logger)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });

  test('pub/sub: an event published by one process reaches a subscriber of another, by topic and key', async () => {
    const pubA = createRedisPubSub(a, logger);
    const pubB = createRedisPubSub(b, logger);
    const sub = pubB.subscribe('POST_UPDATED', 'p1')[Symbol.asyncIterator]();
    const other = pubB.subscribe('POST_UPDATED', 'p2')[Symbol.asyncIterator]();
    const first = sub.next();
    // SUBSCRIBE is sent when the iterator is first read; wait until Redis counts it.
    while (Number((await a.commands.pubsub('NUMSUB', 'pixtale:POST_UPDATED:p1'))[1]) === 0)
      await new Promise((r) => setTimeout(r, 10));
    pubA.publish('POST_UPDATED', { postId: 'p1' }, 'p1');
    await expect(first).resolves.toEqual({ done: false, value: { postId: 'p1' } });
    const nothing = other.next();
    const raced = await Promise.race([nothing, new Promise((r) => setTimeout(() => r('none'), 200))]);
    expect(raced).toBe('none');
    await sub.return!();
    await other.return!();
    // Unsubscribed from Redis once nobody listens.
    await new Promise((r) => setTimeout(r, 50));
    expect(Number((await a.commands.pubsub('NUMSUB', 'pixtale:POST_UPDATED:p1'))[1])).toBe(0);
  });

  test('rate limits: two processes spend one budget', async () => {
    const opts = { keyPrefix: `t${Date.now()}`, points: 3, duration: 60 };
    const limA = limiterFactory(a.commands)(opts);
    const limB = limiterFactory(b.commands)(opts);
    await limA.consume('ip:1');
    await limB.consume('ip:1');
    await limA.consume('ip:1');
    const refused = await limB.consume('ip:1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).consumedPoints).toBe(4);
    await expect(limA.consume('ip:2')).resolves.toBeInstanceOf(RateLimiterRes);
  });

  test('job wake-ups: a worker in another process hears what was queued', async () => {
    const heard: string[] = [];
    const unsubscribe = createRedisJobSignal(b, logger).subscribe((kind) => heard.push(kind));
    while (Number((await a.commands.pubsub('NUMSUB', 'pixtale:jobs:queued'))[1]) === 0)
      await new Promise((r) => setTimeout(r, 10));
    createRedisJobSignal(a, logger).notify('caption');
    while (heard.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual(['caption']);
    unsubscribe();
  });

  test('limits fail safe: with Redis gone each process still counts, in its own memory', async () => {
    const own = await connectRedis(server.url, logger);
    const lim = limiterFactory(own.commands)({ keyPrefix: `down${Date.now()}`, points: 2, duration: 60 });
    own.commands.disconnect();
    await lim.consume('ip:9');
    await lim.consume('ip:9');
    await expect(lim.consume('ip:9')).rejects.toBeInstanceOf(RateLimiterRes);
    await own.close();
  });
});
