import { imageRecord } from '../store/contract.test-suite';
import type { Store } from '../store';
import { openSqliteStore } from '../store/sqlite/sqlite.store';
import { FeedPageCache } from './feed-page-cache';

// The cache over the real SQLite store; failures are injected into the store's own methods.
let store: Store;
let authorId: string;

beforeEach(async () => {
  store = openSqliteStore(':memory:');
  const u = await store.users.create({ email: 'a@example.com', displayName: 'Ann', passwordHash: null });
  authorId = u.id;
  for (let i = 0; i < 3; i++) await store.posts.create({ authorId, image: imageRecord(), caption: `post ${i}` });
});
afterEach(async () => {
  jest.restoreAllMocks();
  await store.close();
});

test('concurrent requests for one page share one read of the page and one of its counts', async () => {
  const cache = new FeedPageCache(store);
  const list = jest.spyOn(store.posts, 'list');
  const counts = jest.spyOn(store.posts, 'countsByIds');
  const pages = await Promise.all([cache.page(2), cache.page(2), cache.page(2)]);
  expect(list).toHaveBeenCalledTimes(1);
  expect(counts).toHaveBeenCalledTimes(1);
  list.mockRestore();
  expect(pages[0].rows.map((r) => r.id)).toEqual((await store.posts.list({ first: 2 })).map((r) => r.id));
  expect(pages.map((p) => p.rows.map((r) => r.id))).toEqual([0, 1, 2].map(() => pages[0].rows.map((r) => r.id)));
});

test('a failed page read is not kept: the next request reads again and gets the page', async () => {
  const cache = new FeedPageCache(store);
  const list = jest.spyOn(store.posts, 'list').mockRejectedValueOnce(new Error('disk hiccup'));
  await expect(cache.page(2)).rejects.toThrow('disk hiccup');
  expect((await cache.page(2)).rows.map((r) => r.id)).toEqual((await store.posts.list({ first: 2 })).map((r) => r.id));
  expect(list).toHaveBeenCalledTimes(3); // the failed read, the retry, and the check above
});

test('a failed counts read is not kept, and counts follow every like', async () => {
  const cache = new FeedPageCache(store);
  const [newest] = (await cache.page(1)).rows;
  const fan = await store.users.create({ email: 'f@example.com', displayName: 'Fan', passwordHash: null });
  const counts = jest.spyOn(store.posts, 'countsByIds').mockRejectedValueOnce(new Error('busy'));
  await store.engagement.like(newest!.id, fan.id, new Date());
  await expect(cache.page(1)).rejects.toThrow('busy');
  expect((await cache.page(1)).rows[0]).toMatchObject({ id: newest!.id, likeCount: 1 });
  expect((await cache.page(1)).rows[0]).toMatchObject({ likeCount: 1 }); // kept now: no third read
  expect(counts).toHaveBeenCalledTimes(2);
  await store.engagement.unlike(newest!.id, fan.id);
  expect((await cache.page(1)).rows[0]).toMatchObject({ likeCount: 0 });
});
