import { DuplicateError, decodeCursor, encodeCursor, type PostImage, type Store } from './port';

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

    const token = (userId: string, tokenHash: string, sessionId: string | null = null, tokenVersion = 0) =>
      store.apiTokens.create({ userId, name: 'cli', tokenHash, scope: 'READ', sessionId, tokenVersion });

    test('api tokens: find by hash, list, revoke once, only by owner', async () => {
      const u = await user();
      const other = await user();
      const t = await token(u.id, 'h1');
      expect(await store.apiTokens.findByHash('h1')).toMatchObject({ id: t.id, scope: 'READ', sessionId: null, tokenVersion: 0 });
      expect(await store.apiTokens.revoke(other.id, t.id)).toBe(false);
      expect(await store.apiTokens.revoke(u.id, t.id)).toBe(true);
      expect(await store.apiTokens.revoke(u.id, t.id)).toBe(false);
      expect((await store.apiTokens.findByHash('h1'))?.revokedAt).toBeInstanceOf(Date);
      expect(await store.apiTokens.listByUser(u.id)).toHaveLength(1);
    });

    test('sessions: created live, revoked once and only by their owner, with the API tokens made in them', async () => {
      const u = await user();
      const other = await user();
      expect(u.tokenVersion).toBe(0);
      const expiresAt = new Date(Date.now() + 3600_000);
      const s1 = await store.sessions.create({ userId: u.id, tokenVersion: 0, expiresAt });
      const s2 = await store.sessions.create({ userId: u.id, tokenVersion: 0, expiresAt });
      expect(await store.sessions.findById(s1.id)).toMatchObject({ userId: u.id, tokenVersion: 0, expiresAt, revokedAt: null });
      const made = await token(u.id, 'made-in-s1', s1.id);
      const elsewhere = await token(u.id, 'made-in-s2', s2.id);
      expect(await store.sessions.revoke(other.id, s1.id, new Date())).toBe(false);
      expect(await store.sessions.revoke(u.id, s1.id, new Date())).toBe(true);
      expect(await store.sessions.revoke(u.id, s1.id, new Date())).toBe(false);
      expect((await store.sessions.findById(s1.id))?.revokedAt).toBeInstanceOf(Date);
      expect((await store.sessions.findById(s2.id))?.revokedAt).toBeNull();
      expect((await store.apiTokens.findByHash(made.tokenHash))?.revokedAt).toBeInstanceOf(Date);
      expect((await store.apiTokens.findByHash(elsewhere.tokenHash))?.revokedAt).toBeNull();
      expect(await store.sessions.findById('missing')).toBeNull();
    });

    test("users: revoking all sessions raises the token version and ends that user's sessions and tokens only", async () => {
      const u = await user();
      const other = await user();
      const expiresAt = new Date(Date.now() + 3600_000);
      const mine = await store.sessions.create({ userId: u.id, tokenVersion: 0, expiresAt });
      const theirs = await store.sessions.create({ userId: other.id, tokenVersion: 0, expiresAt });
      const legacy = await token(u.id, 'legacy-token');
      const theirToken = await token(other.id, 'their-token', theirs.id);
      expect(await store.users.revokeAllSessions(u.id, new Date())).toBe(1);
      expect(await store.users.revokeAllSessions(u.id, new Date())).toBe(2);
      expect((await store.users.findById(u.id))?.tokenVersion).toBe(2);
      expect((await store.users.findByEmail(u.email))?.tokenVersion).toBe(2);
      expect((await store.users.findById(other.id))?.tokenVersion).toBe(0);
      expect((await store.sessions.findById(mine.id))?.revokedAt).toBeInstanceOf(Date);
      expect((await store.apiTokens.findByHash(legacy.tokenHash))?.revokedAt).toBeInstanceOf(Date);
      expect((await store.sessions.findById(theirs.id))?.revokedAt).toBeNull();
      expect((await store.apiTokens.findByHash(theirToken.tokenHash))?.revokedAt).toBeNull();
    });

    test('posts: create stores the post, a user caption becomes version 1 (USER); the store queues no job', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'my dog' });
      expect(p.captionStatus).toBe('PENDING');
      const caps = await store.captions.listByPosts([p.id]);
      expect(caps.map((c) => [c.text, c.source, c.version])).toEqual([['my dog', 'USER', 1]]);
      expect(p.currentCaptionId).toBe(caps[0]!.id);
      expect(await store.jobs.findByPost(p.id)).toEqual([]); // which jobs to queue is the services' rule
    });

    test('posts: newest-first keyset pagination with cursors, and by author', async () => {
      const a = await user();
      const b = await user();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await store.posts.create({ authorId: i % 2 ? a.id : b.id, image: imageRecord(), caption: null });
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
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null });
      const result = {
        caption: 'a dog runs', suggestions: [{ text: 'a dog runs', score: -0.5 }], hashtags: ['#dog'],
        attention: { gridWidth: 1, gridHeight: 1, words: [{ word: 'dog', weights: [1] }] }, model: 'm1',
      };
      const applied = await store.posts.applyCaptionResult(p.id, result);
      const after = applied?.post;
      expect(after?.captionStatus).toBe('READY');
      expect(after?.hashtags).toEqual(['#dog']);
      expect(after?.attention?.words[0]?.word).toBe('dog');
      expect(applied?.addedVersion).toMatchObject({ id: after?.currentCaptionId, text: 'a dog runs', source: 'MODEL', version: 1 });
      const v2 = await store.captions.addVersion(p.id, 'my words', 'USER');
      expect(v2.version).toBe(2);
      expect((await store.posts.applyCaptionResult(p.id, result))?.addedVersion).toBeNull(); // a re-run keeps the user's live caption
      const post = await store.posts.findById(p.id);
      expect(post?.currentCaptionId).toBe(v2.id);
      expect((await store.captions.listByPosts([p.id])).map((c) => `${c.version}:${c.source}`)).toEqual(['1:MODEL', '2:USER']);
      expect(await store.posts.applyCaptionResult('missing', result)).toBeNull();
    });

    test('list and findByIds return the same posts as findById (attention included)', async () => {
      const u = await user();
      const plain = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'mine' });
      const captioned = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null });
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
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' });
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
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' });
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
      const q = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' });
      const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => store.engagement.recordView(q.id, `anon:b${i}`, t0, 30 * 60_000, hour)));
      expect(burst.filter(Boolean)).toHaveLength(1);
    });

    test('engagement: analytics leave out the author\'s own views and likes', async () => {
      const author = await user();
      const fan = await user();
      const p = await store.posts.create({ authorId: author.id, image: imageRecord(), caption: 'v1' });
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

    test('translations: saved per caption version and language, replaced on re-save, listed in order', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'a dog' });
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

    test('delete removes the post with its captions, translations, likes, views and jobs', async () => {
      const u = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'x' });
      await store.jobs.enqueue({ kind: 'caption', postId: p.id, maxAttempts: 1 });
      await store.jobs.enqueue({ kind: 'translation', postId: p.id, captionId: p.currentCaptionId, maxAttempts: 1 });
      await store.translations.save({ captionId: p.currentCaptionId!, language: 'de', text: 'x', model: 'm' });
      await store.engagement.like(p.id, u.id, new Date());
      await store.engagement.recordView(p.id, 'v', new Date(), 1000);
      expect((await store.posts.delete(p.id))?.id).toBe(p.id);
      expect(await store.posts.findById(p.id)).toBeNull();
      expect(await store.captions.listByPosts([p.id])).toEqual([]);
      expect(await store.jobs.findByPost(p.id)).toEqual([]);
      expect(await store.translations.listByCaptions([p.currentCaptionId!])).toEqual([]);
      expect(await store.engagement.captionStats(p.id)).toEqual([]);
      expect(await store.posts.delete(p.id)).toBeNull();
    });

    // ---- The one job queue ----

    const queued = async (caption: string | null = 'a dog') => {
      const p = await store.posts.create({ authorId: (await user()).id, image: imageRecord(), caption });
      const cap = await store.jobs.enqueue({ kind: 'caption', postId: p.id, maxAttempts: 3 });
      const tr = p.currentCaptionId
        ? await store.jobs.enqueue({ kind: 'translation', postId: p.id, captionId: p.currentCaptionId, maxAttempts: 2 })
        : null;
      return { p, cap, tr };
    };
    const lease = (j: { id: string; leaseToken: string | null }) => ({ id: j.id, token: j.leaseToken! });

    test('jobs: one queue of kinds; claim by kind, oldest first; find by post, caption and kind; counts', async () => {
      const { p, cap, tr } = await queued();
      expect(cap).toMatchObject({ kind: 'caption', postId: p.id, captionId: null, status: 'PENDING', attempts: 0, maxAttempts: 3, leaseToken: null });
      expect(tr).toMatchObject({ kind: 'translation', postId: p.id, captionId: p.currentCaptionId, status: 'PENDING', maxAttempts: 2 });
      expect((await store.jobs.findByPost(p.id)).map((j) => j.id)).toEqual([cap.id, tr!.id]);
      expect((await store.jobs.findByPost(p.id, 'translation')).map((j) => j.id)).toEqual([tr!.id]);
      expect((await store.jobs.findByCaptions([p.currentCaptionId!, 'missing'])).map((j) => j.id)).toEqual([tr!.id]);
      expect(await store.jobs.claim([], 'w', new Date(), 1000)).toBeNull();
      const t = (await store.jobs.claim(['translation'], 'w', new Date(), 1000))!;
      expect([t.id, t.status, t.attempts, t.leaseOwner]).toEqual([tr!.id, 'PROCESSING', 1, 'w']);
      expect(t.leaseToken).toMatch(/^[\w-]{16,}$/);
      expect(await store.jobs.claim(['translation'], 'w', new Date(), 1000)).toBeNull();
      expect((await store.jobs.claim(['caption', 'translation'], 'w', new Date(), 1000))?.id).toBe(cap.id);
      expect(await store.jobs.countByStatus('caption')).toEqual({ PENDING: 0, PROCESSING: 1, DONE: 0, FAILED: 0 });
      expect(await store.jobs.complete(lease(t))).toBe(true);
      expect(await store.jobs.countByStatus('translation')).toEqual({ PENDING: 0, PROCESSING: 0, DONE: 1, FAILED: 0 });
      expect(await store.jobs.countByStatus()).toEqual({ PENDING: 0, PROCESSING: 1, DONE: 1, FAILED: 0 });
    });

    test('jobs: an expired lease is claimed again with a new token; the old token can no longer touch the job', async () => {
      const { cap } = await queued(null);
      const t0 = new Date();
      const a = (await store.jobs.claim(['caption'], 'worker-a', t0, 1000))!;
      expect(a.id).toBe(cap.id);
      expect(await store.jobs.claim(['caption'], 'worker-b', t0, 1000)).toBeNull();
      expect(await store.jobs.heartbeat(lease(a), t0, 1000)).toBe(true);
      expect(await store.jobs.heartbeat({ id: a.id, token: 'not-the-token' }, t0, 1000)).toBe(false);
      // worker-a "dies"; after its lease expires worker-b takes over
      const b = (await store.jobs.claim(['caption'], 'worker-b', new Date(t0.getTime() + 5000), 1000))!;
      expect([b.id, b.attempts, b.leaseOwner]).toEqual([a.id, 2, 'worker-b']);
      expect(b.leaseToken).not.toBe(a.leaseToken);
      expect(await store.jobs.heartbeat(lease(a), t0, 1000)).toBe(false);
      expect(await store.jobs.complete(lease(a))).toBe(false);
      expect(await store.jobs.fail(lease(a), 'late', null)).toBe(false);
      expect(await store.jobs.release(lease(a))).toBe(false);
      expect(await store.jobs.complete(lease(b))).toBe(true);
      expect(await store.jobs.complete(lease(b))).toBe(false); // once
      expect(await store.jobs.claim(['caption'], 'worker-c', new Date(t0.getTime() + 60_000), 1000)).toBeNull();
      expect((await store.jobs.findByPost(cap.postId))[0]).toMatchObject({ status: 'DONE', leaseOwner: null, leaseToken: null, leaseExpiresAt: null });
    });

    test('jobs: failure backs off then fails for good; release gives a job back without counting the attempt', async () => {
      const { p, cap } = await queued(null);
      const t0 = new Date();
      const j = (await store.jobs.claim(['caption'], 'w', t0, 1000))!;
      expect(await store.jobs.fail(lease(j), 'boom', new Date(t0.getTime() + 2000))).toBe(true);
      expect(await store.jobs.claim(['caption'], 'w', new Date(t0.getTime() + 1000), 1000)).toBeNull();
      const again = (await store.jobs.claim(['caption'], 'w', new Date(t0.getTime() + 2000), 1000))!;
      expect(again.attempts).toBe(2);
      expect(await store.jobs.release(lease(again))).toBe(true);
      expect((await store.jobs.findByPost(p.id))[0]).toMatchObject({ status: 'PENDING', attempts: 1, leaseToken: null, lastError: 'boom' });
      const third = (await store.jobs.claim(['caption'], 'w', new Date(t0.getTime() + 2000), 1000))!;
      expect(third.attempts).toBe(2);
      expect(await store.jobs.fail(lease(third), 'boom twice', null)).toBe(true);
      expect((await store.jobs.findByPost(p.id))[0]).toMatchObject({ id: cap.id, status: 'FAILED', lastError: 'boom twice', leaseOwner: null });
      expect(await store.jobs.claim(['caption'], 'w', new Date(t0.getTime() + 600_000), 1000)).toBeNull();
      const retry = await store.jobs.enqueue({ kind: 'caption', postId: p.id, maxAttempts: 2 });
      expect((await store.jobs.claim(['caption'], 'w', new Date(), 1000))?.id).toBe(retry.id);
    });

    test('transaction: commits all or nothing; nested calls join; results are applied only by the lease holder', async () => {
      const { p } = await queued(null);
      await expect(
        store.transaction(async (tx) => {
          await tx.captions.addVersion(p.id, 'rolled back', 'USER');
          await store.transaction((inner) => inner.jobs.enqueue({ kind: 'caption', postId: p.id, maxAttempts: 1 })); // joins
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await store.captions.listByPosts([p.id])).toEqual([]);
      expect(await store.jobs.findByPost(p.id)).toHaveLength(1);

      const t0 = new Date();
      const stale = (await store.jobs.claim(['caption'], 'old', t0, 1000))!;
      const fresh = (await store.jobs.claim(['caption'], 'new', new Date(t0.getTime() + 5000), 1000))!;
      const apply = (l: { id: string; token: string }, text: string) =>
        store.transaction(async (tx) => {
          if (!(await tx.jobs.complete(l))) return null;
          return tx.captions.addVersion(p.id, text, 'MODEL');
        });
      expect(await apply(lease(stale), 'from the worker that lost its lease')).toBeNull();
      expect((await apply(lease(fresh), 'from the lease holder'))?.version).toBe(1);
      expect(await apply(lease(fresh), 'twice')).toBeNull();
      expect((await store.captions.listByPosts([p.id])).map((c) => c.text)).toEqual(['from the lease holder']);
    });

    test('transaction: a store call from elsewhere while one is open is neither lost nor rolled back with it', async () => {
      const { p } = await queued(null);
      let proceed!: () => void;
      const held = new Promise<void>((r) => (proceed = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const tx = store.transaction(async (t) => {
        await t.captions.addVersion(p.id, 'rolled back', 'USER');
        entered();
        await held;
        throw new Error('abort');
      });
      await inside;
      const outside = store.jobs.enqueue({ kind: 'translation', postId: p.id, maxAttempts: 1 });
      proceed();
      await expect(tx).rejects.toThrow('abort');
      const job = await outside;
      expect((await store.jobs.findByPost(p.id, 'translation')).map((j) => j.id)).toEqual([job.id]);
      expect(await store.captions.listByPosts([p.id])).toEqual([]);
    });
  });
}
