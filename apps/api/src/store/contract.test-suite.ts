import { DuplicateError, TRANSLATION_JOB_MAX_ATTEMPTS, decodeCursor, encodeCursor, type PostImage, type Store } from './port';
import { searchTerms } from './search-terms';

/** A fake-but-well-formed image record: the store never looks at the files. */
export function imageRecord(key = 'a'.repeat(64)): PostImage {
  const v = (suffix: string, w: number) => ({ key: key + suffix, file: `${key}${suffix}.webp`, width: w, height: w, bytes: 1000 });
  return { feed: v('f', 640), detail: { ...v('', 1600), key }, detailJpeg: v('j', 1600) };
}

/**
 * The store contract: every adapter must pass these. `open` returns a fresh, empty store.
 * Used by sqlite.store.test.ts (always) and mongo.store.test.ts (when MONGODB_URI is set).
 */
export function storeContract(name: string, open: () => Promise<Store>) {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    const user = (email = `u${Math.random().toString(36).slice(2)}@example.com`) =>
      store.users.create({ email, displayName: 'Ann', passwordHash: 'hash' });

    test('users: create, find by id and case-insensitive email, duplicate email rejected', async () => {
      const u = await user('Ann@Example.com');
      expect((await store.users.findById(u.id))?.email).toBe('Ann@Example.com');
      expect((await store.users.findByEmail('ann@example.COM'))?.id).toBe(u.id);
      await expect(user('ANN@example.com')).rejects.toBeInstanceOf(DuplicateError);
      expect((await store.users.findByIds([u.id, 'missing'])).map((x) => x.id)).toEqual([u.id]);
    });

    test('api tokens: find by hash, list, revoke once, only by owner', async () => {
      const u = await user();
      const other = await user();
      const t = await store.apiTokens.create({ userId: u.id, name: 'cli', tokenHash: 'h1' });
      expect((await store.apiTokens.findByHash('h1'))?.id).toBe(t.id);
      expect(await store.apiTokens.revoke(other.id, t.id)).toBe(false);
      expect(await store.apiTokens.revoke(u.id, t.id)).toBe(true);
      expect(await store.apiTokens.revoke(u.id, t.id)).toBe(false);
      expect((await store.apiTokens.findByHash('h1'))?.revokedAt).toBeInstanceOf(Date);
      expect(await store.apiTokens.listByUser(u.id)).toHaveLength(1);
    });

    test('posts: create queues a job; user caption becomes version 1 (USER)', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'my dog' }, { maxAttempts: 3 });
      expect(p.captionStatus).toBe('PENDING');
      const caps = await store.captions.listByPosts([p.id]);
      expect(caps.map((c) => [c.text, c.source, c.version])).toEqual([['my dog', 'USER', 1]]);
      expect(p.currentCaptionId).toBe(caps[0]!.id);
      const jobs = await store.jobs.findByPost(p.id);
      expect(jobs.map((j) => j.status)).toEqual(['PENDING']);
    });

    test('posts: newest-first keyset pagination with cursors, and by author', async () => {
      const a = await user();
      const b = await user();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await store.posts.create({ authorId: i % 2 ? a.id : b.id, image: imageRecord(), caption: null }, { maxAttempts: 1 });
        ids.push(p.id);
      }
      const page1 = await store.posts.list({ first: 2 });
      expect(page1.map((p) => p.id)).toEqual([ids[4], ids[3]]);
      const cursor = decodeCursor(encodeCursor({ createdAt: page1[1]!.createdAt, id: page1[1]!.id }))!;
      const page2 = await store.posts.list({ first: 10, after: cursor });
      expect(page2.map((p) => p.id)).toEqual([ids[2], ids[1], ids[0]]);
      expect((await store.posts.list({ first: 10, authorId: a.id })).map((p) => p.id)).toEqual([ids[3], ids[1]]);
      expect(await store.posts.countByImageKey(imageRecord().detail.key)).toBe(5);
    });

    test('captions: machine result adds MODEL v1 only when no caption exists; edits add versions', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null }, { maxAttempts: 1 });
      const result = {
        caption: 'a dog runs', suggestions: [{ text: 'a dog runs', score: -0.5 }], hashtags: ['#dog'],
        attention: { gridWidth: 1, gridHeight: 1, words: [{ word: 'dog', weights: [1] }] }, model: 'm1',
      };
      const after = await store.posts.applyCaptionResult(p.id, result);
      expect(after?.captionStatus).toBe('READY');
      expect(after?.hashtags).toEqual(['#dog']);
      expect(after?.attention?.words[0]?.word).toBe('dog');
      const v2 = await store.captions.addVersion(p.id, 'my words', 'USER');
      expect(v2.version).toBe(2);
      await store.posts.applyCaptionResult(p.id, result); // a re-run keeps the user's live caption
      const post = await store.posts.findById(p.id);
      expect(post?.currentCaptionId).toBe(v2.id);
      expect((await store.captions.listByPosts([p.id])).map((c) => `${c.version}:${c.source}`)).toEqual(['1:MODEL', '2:USER']);
      expect(await store.posts.applyCaptionResult('missing', result)).toBeNull();
    });

    test('list and findByIds return the same posts as findById (attention included)', async () => {
      const u = await user();
      const plain = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'mine' }, { maxAttempts: 1 });
      const captioned = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null }, { maxAttempts: 1 });
      const attention = { gridWidth: 2, gridHeight: 1, words: [{ word: 'dog', weights: [0.25, 0.75] }] };
      await store.posts.applyCaptionResult(captioned.id, {
        caption: 'a dog', suggestions: [{ text: 'a dog', score: -0.1 }], hashtags: ['#dog'], attention, model: 'm1',
      });
      const one = [await store.posts.findById(captioned.id), await store.posts.findById(plain.id)];
      const listed = (await store.posts.list({ first: 50, authorId: u.id })).filter((p) => p.id === captioned.id || p.id === plain.id);
      const byIds = await store.posts.findByIds([captioned.id, plain.id]);
      const sorted = (ps: unknown[]) => JSON.parse(JSON.stringify(ps)).sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id));
      expect(sorted(listed)).toEqual(sorted(one));
      expect(sorted(byIds)).toEqual(sorted(one));
      expect(listed.find((p) => p.id === captioned.id)?.attention).toEqual(attention);
      expect(listed.find((p) => p.id === plain.id)?.attention).toBeNull();
    });

    test('engagement: one like per user, unlike, counters, attribution per caption version', async () => {
      const u = await user();
      const fan = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' }, { maxAttempts: 1 });
      const now = new Date();
      expect(await store.engagement.like(p.id, fan.id, now)).toBe(true);
      expect(await store.engagement.like(p.id, fan.id, now)).toBe(false);
      expect((await store.posts.findById(p.id))?.likeCount).toBe(1);
      expect(await store.engagement.likedPostIds(fan.id, [p.id, 'x'])).toEqual([p.id]);
      expect(await store.engagement.recordView(p.id, 'user:fan', now, 30 * 60_000)).toBe(true);
      await store.captions.addVersion(p.id, 'v2', 'USER');
      expect(await store.engagement.recordView(p.id, 'user:fan', new Date(now.getTime() + 60_000), 30 * 60_000)).toBe(false);
      expect(await store.engagement.recordView(p.id, 'user:fan', new Date(now.getTime() + 31 * 60_000), 30 * 60_000)).toBe(true);
      expect(await store.engagement.recordView(p.id, 'user:other', now, 30 * 60_000)).toBe(true);
      expect(await store.engagement.unlike(p.id, fan.id)).toBe(true);
      expect(await store.engagement.unlike(p.id, fan.id)).toBe(false);
      expect(await store.engagement.like(p.id, fan.id, now)).toBe(true);
      const stats = await store.engagement.captionStats(p.id);
      expect(stats.map((s) => [s.caption.text, s.views, s.likes])).toEqual([
        ['v1', 1, 0],
        ['v2', 2, 1],
      ]);
      const post = await store.posts.findById(p.id);
      expect([post?.likeCount, post?.viewCount]).toEqual([1, 3]);
      expect((await store.engagement.captionStatsByAuthor(u.id)).length).toBe(2);
      const daily = await store.engagement.dailyByAuthor(u.id, new Date(now.getTime() - 86_400_000));
      expect(daily.reduce((n, d) => n + d.views, 0)).toBe(3);
      expect(daily.reduce((n, d) => n + d.likes, 0)).toBe(1);
    });

    test('engagement: anonymous views count at most once per address per window, whatever the viewer key', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' }, { maxAttempts: 1 });
      const t0 = new Date();
      const at = (min: number) => new Date(t0.getTime() + min * 60_000);
      const hour = { key: 'addr:a', windowMs: 60 * 60_000 };
      expect(await store.engagement.recordView(p.id, 'anon:1', t0, 30 * 60_000, hour)).toBe(true);
      // a new visitor id from the same address within the hour: not counted
      expect(await store.engagement.recordView(p.id, 'anon:2', at(1), 30 * 60_000, hour)).toBe(false);
      expect(await store.engagement.recordView(p.id, 'anon:3', at(59), 30 * 60_000, hour)).toBe(false);
      // the first visitor id from another address: its own window still holds
      expect(await store.engagement.recordView(p.id, 'anon:1', at(2), 30 * 60_000, { key: 'addr:b', windowMs: 60 * 60_000 })).toBe(false);
      expect(await store.engagement.recordView(p.id, 'anon:4', at(3), 30 * 60_000, { key: 'addr:b', windowMs: 60 * 60_000 })).toBe(true);
      expect(await store.engagement.recordView(p.id, 'anon:5', at(61), 30 * 60_000, hour)).toBe(true);
      // signed-in viewers are not limited by address
      expect(await store.engagement.recordView(p.id, 'user:x', at(62), 30 * 60_000)).toBe(true);
      expect((await store.posts.findById(p.id))?.viewCount).toBe(4);
      // concurrent anonymous views from one address: one counted
      const q = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' }, { maxAttempts: 1 });
      const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => store.engagement.recordView(q.id, `anon:b${i}`, t0, 30 * 60_000, hour)));
      expect(burst.filter(Boolean)).toHaveLength(1);
    });

    test('engagement: analytics leave out the author\'s own views and likes', async () => {
      const author = await user();
      const fan = await user();
      const p = await store.posts.create({ authorId: author.id, image: imageRecord(), caption: 'v1' }, { maxAttempts: 1 });
      const now = new Date();
      await store.engagement.recordView(p.id, `user:${author.id}`, now, 30 * 60_000);
      await store.engagement.like(p.id, author.id, now);
      await store.engagement.recordView(p.id, `user:${fan.id}`, now, 30 * 60_000);
      await store.engagement.recordView(p.id, 'anon:x', now, 30 * 60_000, { key: 'addr:x', windowMs: 60 * 60_000 });
      await store.engagement.like(p.id, fan.id, now);
      expect(await store.engagement.likedPostIds(author.id, [p.id])).toEqual([p.id]);
      expect((await store.engagement.captionStats(p.id)).map((s) => [s.views, s.likes])).toEqual([[2, 1]]);
      expect((await store.engagement.captionStatsByAuthor(author.id)).map((s) => [s.views, s.likes])).toEqual([[2, 1]]);
      const daily = await store.engagement.dailyByAuthor(author.id, new Date(now.getTime() - 86_400_000));
      expect([daily.reduce((n, d) => n + d.views, 0), daily.reduce((n, d) => n + d.likes, 0)]).toEqual([2, 1]);
      expect(await store.engagement.totalsByAuthor(author.id)).toEqual({ views: 2, likes: 1 });
      expect(await store.engagement.totalsByAuthor(fan.id)).toEqual({ views: 0, likes: 0 });
    });

    test('translations: every new caption version queues one translation job in the same write', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null }, { maxAttempts: 1 });
      expect(await store.translationJobs.findByPost(p.id)).toEqual([]); // nothing to translate before a caption exists
      const result = { caption: 'a dog runs', suggestions: [], hashtags: [], attention: null, model: 'm1' };
      const ready = (await store.posts.applyCaptionResult(p.id, result))!;
      const v2 = await store.captions.addVersion(p.id, 'my words', 'USER');
      await store.posts.applyCaptionResult(p.id, result); // no new version, so no new job
      const withCaption = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'mine' }, { maxAttempts: 1 });
      const jobs = await store.translationJobs.findByPost(p.id);
      expect(jobs.map((j) => [j.captionId, j.postId, j.status, j.attempts, j.maxAttempts])).toEqual([
        [ready.currentCaptionId, p.id, 'PENDING', 0, TRANSLATION_JOB_MAX_ATTEMPTS],
        [v2.id, p.id, 'PENDING', 0, TRANSLATION_JOB_MAX_ATTEMPTS],
      ]);
      expect((await store.translationJobs.findByCaptions([v2.id])).map((j) => j.id)).toEqual([jobs[1]!.id]);
      expect((await store.translationJobs.findByPost(withCaption.id)).map((j) => j.captionId)).toEqual([withCaption.currentCaptionId]);
      expect(await store.translationJobs.countByStatus()).toEqual({ PENDING: 3, PROCESSING: 0, DONE: 0, FAILED: 0 });
    });

    test('translations: saved per caption version and language, replaced on re-save, listed in order', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'a dog' }, { maxAttempts: 1 });
      const v1 = p.currentCaptionId!;
      const v2 = (await store.captions.addVersion(p.id, 'a red dog', 'USER')).id;
      const fr = await store.translations.save({ captionId: v1, language: 'fr', text: 'un chien', model: 'm' });
      expect(fr).toMatchObject({ captionId: v1, postId: p.id, language: 'fr', text: 'un chien', model: 'm' });
      expect(fr?.createdAt).toBeInstanceOf(Date);
      await store.translations.save({ captionId: v1, language: 'de', text: 'ein Hund', model: 'm' });
      await store.translations.save({ captionId: v1, language: 'de', text: 'ein Hund.', model: 'm2' });
      await store.translations.save({ captionId: v2, language: 'de', text: 'ein roter Hund', model: 'm' });
      const all = await store.translations.listByCaptions([v1, v2, 'missing']);
      expect(all.map((t) => [t.captionId, t.language, t.text, t.model])).toEqual(
        [
          [v1, 'de', 'ein Hund.', 'm2'],
          [v1, 'fr', 'un chien', 'm'],
          [v2, 'de', 'ein roter Hund', 'm'],
        ].sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0)),
      );
      expect(await store.translations.listByCaptions([])).toEqual([]);
      expect(await store.translations.save({ captionId: 'missing', language: 'de', text: 'x', model: 'm' })).toBeNull();
    });

    test('translation jobs: exclusive claim, lease expiry (crash recovery), back-off, FAILED, enqueue again', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'a dog' }, { maxAttempts: 1 });
      const t0 = new Date();
      const a = (await store.translationJobs.claim('worker-a', t0, 1000))!;
      expect([a.captionId, a.postId, a.status, a.attempts]).toEqual([p.currentCaptionId, p.id, 'PROCESSING', 1]);
      expect(await store.translationJobs.claim('worker-b', t0, 1000)).toBeNull();
      expect(await store.translationJobs.heartbeat(a.id, 'worker-a', t0, 1000)).toBe(true);
      expect(await store.translationJobs.heartbeat(a.id, 'worker-b', t0, 1000)).toBe(false);
      // worker-a dies: its lease runs out and worker-b takes the job over
      const b = (await store.translationJobs.claim('worker-b', new Date(t0.getTime() + 5000), 1000))!;
      expect([b.id, b.attempts]).toEqual([a.id, 2]);
      expect(await store.translationJobs.complete(a.id, 'worker-a')).toBe(false);
      expect(await store.translationJobs.fail(b.id, 'worker-b', 'boom', new Date(t0.getTime() + 8000))).toBe(true);
      expect(await store.translationJobs.claim('w', new Date(t0.getTime() + 7000), 1000)).toBeNull();
      const c = (await store.translationJobs.claim('w', new Date(t0.getTime() + 8000), 1000))!;
      expect(await store.translationJobs.fail(c.id, 'w', 'boom again', null)).toBe(true);
      expect((await store.translationJobs.findByPost(p.id)).map((j) => [j.status, j.lastError, j.leaseOwner])).toEqual([['FAILED', 'boom again', null]]);
      const again = await store.translationJobs.enqueue(p.currentCaptionId!, 2);
      expect([again.status, again.captionId, again.postId, again.maxAttempts]).toEqual(['PENDING', p.currentCaptionId, p.id, 2]);
      const d = (await store.translationJobs.claim('w', new Date(), 1000))!;
      expect(d.id).toBe(again.id);
      expect(await store.translationJobs.complete(d.id, 'w')).toBe(true);
      expect(await store.translationJobs.countByStatus()).toEqual({ PENDING: 0, PROCESSING: 0, DONE: 1, FAILED: 1 });
      await expect(store.translationJobs.enqueue('missing', 1)).rejects.toThrow(/not found/);
    });

    test('delete removes the post with its captions, translations, likes, views and jobs', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'x' }, { maxAttempts: 1 });
      await store.translations.save({ captionId: p.currentCaptionId!, language: 'de', text: 'x', model: 'm' });
      await store.engagement.like(p.id, u.id, new Date());
      await store.engagement.recordView(p.id, 'v', new Date(), 1000);
      expect((await store.posts.delete(p.id))?.id).toBe(p.id);
      expect(await store.posts.findById(p.id)).toBeNull();
      expect(await store.captions.listByPosts([p.id])).toEqual([]);
      expect(await store.jobs.findByPost(p.id)).toEqual([]);
      expect(await store.translationJobs.findByPost(p.id)).toEqual([]);
      expect(await store.translations.listByCaptions([p.currentCaptionId!])).toEqual([]);
      expect(await store.engagement.captionStats(p.id)).toEqual([]);
      expect(await store.posts.delete(p.id)).toBeNull();
    });

    test('jobs: claim is exclusive, heartbeat extends, expired lease is reclaimed (crash recovery)', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null }, { maxAttempts: 3 });
      const t0 = new Date();
      const a = await store.jobs.claim('worker-a', t0, 1000);
      expect(a?.postId).toBe(p.id);
      expect(a?.attempts).toBe(1);
      expect(await store.jobs.claim('worker-b', t0, 1000)).toBeNull();
      expect(await store.jobs.heartbeat(a!.id, 'worker-a', t0, 1000)).toBe(true);
      expect(await store.jobs.heartbeat(a!.id, 'worker-b', t0, 1000)).toBe(false);
      // worker-a "dies"; after its lease expires worker-b takes over
      const b = await store.jobs.claim('worker-b', new Date(t0.getTime() + 5000), 1000);
      expect(b?.id).toBe(a!.id);
      expect(b?.attempts).toBe(2);
      expect(await store.jobs.complete(a!.id, 'worker-a')).toBe(false);
      expect(await store.jobs.complete(b!.id, 'worker-b')).toBe(true);
      expect(await store.jobs.claim('worker-c', new Date(t0.getTime() + 60_000), 1000)).toBeNull();
      expect(await store.jobs.countByStatus()).toEqual({ PENDING: 0, PROCESSING: 0, DONE: 1, FAILED: 0 });
    });

    test('jobs: failure backs off then fails for good; enqueue retries', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null }, { maxAttempts: 2 });
      const t0 = new Date();
      const j = (await store.jobs.claim('w', t0, 1000))!;
      expect(await store.jobs.fail(j.id, 'w', 'boom', new Date(t0.getTime() + 2000))).toBe(true);
      expect(await store.jobs.claim('w', new Date(t0.getTime() + 1000), 1000)).toBeNull();
      const again = (await store.jobs.claim('w', new Date(t0.getTime() + 2000), 1000))!;
      expect(again.attempts).toBe(2);
      expect(await store.jobs.fail(again.id, 'w', 'boom twice', null)).toBe(true);
      const [failed] = await store.jobs.findByPost(p.id);
      expect([failed?.status, failed?.lastError]).toEqual(['FAILED', 'boom twice']);
      await store.posts.setCaptionStatus(p.id, 'FAILED', 'boom twice');
      expect((await store.posts.findById(p.id))?.captionError).toBe('boom twice');
      const retry = await store.jobs.enqueue(p.id, 2);
      expect(retry.status).toBe('PENDING');
      expect((await store.jobs.claim('w', new Date(), 1000))?.id).toBe(retry.id);
    });

    const captionResult = (caption: string, hashtags: string[]) => ({ caption, suggestions: [], hashtags, attention: null, model: 'm' });
    const newPost = (authorId: string, caption: string | null = null) =>
      store.posts.create({ authorId, image: imageRecord(), caption }, { maxAttempts: 1 });
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

    test('profiles: bio and avatar updated field by field, avatar key counted; new users have neither', async () => {
      const u = await user();
      expect([u.bio, u.avatar]).toEqual(['', null]);
      const avatar = imageRecord('b'.repeat(64)).feed;
      const changed = await store.users.updateProfile(u.id, { bio: 'hello', avatar });
      expect([changed?.displayName, changed?.bio, changed?.avatar]).toEqual(['Ann', 'hello', avatar]);
      expect((await store.users.findById(u.id))?.avatar).toEqual(avatar);
      expect(await store.users.countByAvatarKey(avatar.key)).toBe(1);
      const renamed = await store.users.updateProfile(u.id, { displayName: 'Bea', avatar: null });
      expect([renamed?.displayName, renamed?.bio, renamed?.avatar]).toEqual(['Bea', 'hello', null]);
      expect(await store.users.countByAvatarKey(avatar.key)).toBe(0);
      expect(await store.users.updateProfile('missing', { bio: 'x' })).toBeNull();
    });

    test('follows: once per pair, undone once; followed ids, counts and the followed users\' posts', async () => {
      const [me, a, b, c] = [await user(), await user(), await user(), await user()];
      const t = new Date();
      expect(await store.follows.follow(me.id, a.id, t)).toBe(true);
      expect(await store.follows.follow(me.id, a.id, t)).toBe(false);
      expect(await store.follows.follow(me.id, b.id, t)).toBe(true);
      expect(await store.follows.follow(c.id, a.id, t)).toBe(true);
      expect((await store.follows.followedIds(me.id, [a.id, b.id, c.id, 'missing'])).sort()).toEqual([a.id, b.id].sort());
      const posts = [await newPost(a.id), await newPost(c.id), await newPost(b.id), await newPost(me.id), await newPost(a.id)];
      const followed = await store.posts.list({ first: 10, followedBy: me.id });
      expect(ids(followed)).toEqual([posts[4]!.id, posts[2]!.id, posts[0]!.id]);
      const cursor = { createdAt: followed[0]!.createdAt, id: followed[0]!.id };
      expect(ids(await store.posts.list({ first: 1, after: cursor, followedBy: me.id }))).toEqual([posts[2]!.id]);
      const stats = new Map((await store.users.stats([me.id, a.id, 'missing'])).map((x) => [x.userId, x]));
      expect(stats.get(me.id)).toEqual({ userId: me.id, postCount: 1, followerCount: 0, followingCount: 2 });
      expect(stats.get(a.id)).toEqual({ userId: a.id, postCount: 2, followerCount: 2, followingCount: 0 });
      expect(stats.has('missing')).toBe(false);
      expect(await store.follows.unfollow(me.id, a.id)).toBe(true);
      expect(await store.follows.unfollow(me.id, a.id)).toBe(false);
      expect(ids(await store.posts.list({ first: 10, followedBy: me.id }))).toEqual([posts[2]!.id]);
      expect(await store.posts.list({ first: 10, followedBy: c.id, authorId: b.id })).toEqual([]);
    });

    test('comments: oldest first with cursors, counted per post, deleted once, gone with their post', async () => {
      const u = await user();
      const p = await newPost(u.id);
      const q = await newPost(u.id);
      const made = [];
      for (const text of ['one', 'two', 'three']) made.push((await store.comments.create({ postId: p.id, authorId: u.id, text }))!);
      await store.comments.create({ postId: q.id, authorId: u.id, text: 'other' });
      expect(await store.comments.create({ postId: 'missing', authorId: u.id, text: 'x' })).toBeNull();
      expect((await store.comments.findById(made[0]!.id))?.text).toBe('one');
      expect(ids(await store.comments.findByIds([made[1]!.id, 'missing']))).toEqual([made[1]!.id]);
      const first = await store.comments.listByPost(p.id, { first: 2 });
      expect(first.map((c) => c.text)).toEqual(['one', 'two']);
      const rest = await store.comments.listByPost(p.id, { first: 5, after: { createdAt: first[1]!.createdAt, id: first[1]!.id } });
      expect(rest.map((c) => c.text)).toEqual(['three']);
      const counts = new Map((await store.comments.countByPosts([p.id, q.id, 'missing'])).map((c) => [c.postId, c.count]));
      expect([counts.get(p.id), counts.get(q.id), counts.get('missing') ?? 0]).toEqual([3, 1, 0]);
      expect((await store.comments.delete(made[0]!.id))?.text).toBe('one');
      expect(await store.comments.delete(made[0]!.id)).toBeNull();
      await store.posts.delete(p.id);
      expect(await store.comments.findByIds(made.map((c) => c.id))).toEqual([]);
      expect(await store.comments.listByPost(p.id, { first: 5 })).toEqual([]);
    });

    test('hashtags: keys of the live hashtags only (lower-cased, no "#"), newest first, counted, searchable by prefix', async () => {
      const u = await user();
      const p1 = await newPost(u.id);
      const p2 = await newPost(u.id, 'at the lake');
      await store.posts.applyCaptionResult(p1.id, captionResult('a lake', ['#Lake', '#sunset', '#LAKE']));
      await store.posts.applyCaptionResult(p2.id, captionResult('a lake', ['#lake', '#Straße']));
      expect((await store.posts.findById(p1.id))?.hashtags).toEqual(['#Lake', '#sunset', '#LAKE']); // as given
      expect(ids(await store.posts.list({ first: 10, hashtag: 'lake' }))).toEqual([p2.id, p1.id]);
      expect(ids(await store.posts.list({ first: 1, hashtag: 'lake', after: { createdAt: p2.createdAt, id: p2.id } }))).toEqual([p1.id]);
      expect(await store.posts.countByHashtag('lake')).toBe(2);
      expect(await store.posts.countByHashtag('straße')).toBe(1);
      expect(await store.posts.searchHashtags(searchTerms('la su'), 10)).toEqual([{ tag: 'lake', postCount: 2 }, { tag: 'sunset', postCount: 1 }]);

      await store.captions.addVersion(p1.id, 'edited, no lake', 'USER', { hashtags: ['#Mountain'] });
      expect(await store.posts.countByHashtag('lake')).toBe(1);
      expect(ids(await store.posts.list({ first: 10, hashtag: 'mountain' }))).toEqual([p1.id]);
      await store.captions.addVersion(p2.id, 'edited, tags kept', 'USER'); // no hashtags given: unchanged
      expect(await store.posts.countByHashtag('lake')).toBe(1);
      await store.posts.delete(p2.id);
      expect(await store.posts.countByHashtag('lake')).toBe(0);
      expect(await store.posts.list({ first: 10, hashtag: 'lake' })).toEqual([]);
    });

    test('search: posts by word prefixes of the live caption, its translations and hashtags, best first; users by name', async () => {
      const u = await user();
      await store.users.updateProfile(u.id, { displayName: 'Zoë Quintessa' });
      const bike = await newPost(u.id, 'a red bicycle by the canal');
      const tagged = await newPost(u.id);
      await store.posts.applyCaptionResult(tagged.id, captionResult('a street', ['#Bicycle', '#city']));
      const translated = await newPost(u.id, 'a dog on grass');
      await store.translations.save({ captionId: (await store.posts.findById(translated.id))!.currentCaptionId!, language: 'de', text: 'ein Hund auf dem Rasen', model: 'm' });

      expect(ids(await store.posts.search(searchTerms('bicy'), 10))).toEqual([bike.id, tagged.id]); // caption outranks hashtag
      expect(ids(await store.posts.search(searchTerms('RED bicycle'), 10))).toEqual([bike.id]);
      expect(ids(await store.posts.search(searchTerms('hund'), 10))).toEqual([translated.id]);
      expect(ids(await store.posts.search(searchTerms('city'), 10))).toEqual([tagged.id]);
      expect(ids(await store.posts.search(searchTerms('bicycle city'), 10))).toEqual([tagged.id]);
      expect(await store.posts.search(searchTerms('bicycle dog'), 10)).toEqual([]);
      expect(await store.posts.search({ words: [] }, 10)).toEqual([]);
      expect(await store.posts.search(searchTerms('bicycle'), 1)).toHaveLength(1);

      await store.captions.addVersion(bike.id, 'a blue tricycle', 'USER');
      expect(ids(await store.posts.search(searchTerms('bicycle'), 10))).toEqual([tagged.id]);
      expect(ids(await store.posts.search(searchTerms('tricycle'), 10))).toEqual([bike.id]);
      await store.posts.delete(tagged.id);
      expect(await store.posts.search(searchTerms('bicycle'), 10)).toEqual([]);

      expect(ids(await store.users.search(searchTerms('quint'), 10))).toEqual([u.id]);
      expect(ids(await store.users.search(searchTerms('zoe'), 10))).toEqual([u.id]); // diacritics folded
      await store.users.updateProfile(u.id, { displayName: 'Marguerite' });
      expect(await store.users.search(searchTerms('quintessa'), 10)).toEqual([]);
      expect(ids(await store.users.search(searchTerms('margu'), 10))).toEqual([u.id]);
    });

    test('search: random text of any characters never errors', async () => {
      const u = await user();
      await newPost(u.id, 'a "quoted" caption (with) NEAR * and - signs');
      // Syntax characters of FTS5 and MongoDB, letters of several scripts, marks, emoji, controls, lone surrogates.
      const alphabet = Array.from('"\'*-+^:(){}[]\\/.$%_#@!?~`|<>=,;&NEARORNOTAND aé漢字ØقاءşẞІ\u0301\u200B\u0000\uD800🙂👩‍👧');
      let seed = 42;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let i = 0; i < 200; i++) {
        const query = Array.from({ length: 1 + Math.floor(next() * 30) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
        const terms = searchTerms(query);
        await expect(Promise.all([store.posts.search(terms, 5), store.users.search(terms, 5), store.posts.searchHashtags(terms, 5)])).resolves.toHaveLength(3);
      }
    });
  });
}
