import { DuplicateError, decodeCursor, encodeCursor, type JobLease, type PostImage, type Store } from './port';
import { searchTerms } from './search-terms';

/** A fake-but-well-formed image record: the store never looks at the files. */
export function imageRecord(key = 'a'.repeat(64)): PostImage {
  const v = (suffix: string, w: number) => ({
    key: key + suffix,
    file: `${key}${suffix}.webp`,
    width: w,
    height: w,
    bytes: 1000,
  });
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
        caption: 'a dog runs',
        suggestions: [{ text: 'a dog runs', score: -0.5 }],
        hashtags: ['#dog'],
        attention: { gridWidth: 1, gridHeight: 1, words: [{ word: 'dog', weights: [1] }] },
        model: 'm1',
      };
      const applied = await store.posts.applyCaptionResult(p.id, result);
      const after = applied?.post;
      expect(after?.captionStatus).toBe('READY');
      expect(after?.hashtags).toEqual(['#dog']);
      expect(after?.attention?.words[0]?.word).toBe('dog');
      expect(applied?.addedVersion).toMatchObject({
        id: after?.currentCaptionId,
        text: 'a dog runs',
        source: 'MODEL',
        version: 1,
      });
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
        caption: 'a dog',
        suggestions: [{ text: 'a dog', score: -0.1 }],
        hashtags: ['#dog'],
        attention,
        model: 'm1',
      });
      const one = [await store.posts.findById(captioned.id), await store.posts.findById(plain.id)];
      const listed = (await store.posts.list({ first: 50, authorId: u.id })).filter(
        (p) => p.id === captioned.id || p.id === plain.id,
      );
      const byIds = await store.posts.findByIds([captioned.id, plain.id]);
      const sorted = (ps: unknown[]) =>
        JSON.parse(JSON.stringify(ps)).sort((x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id));
      expect(sorted(listed)).toEqual(sorted(one));
      expect(sorted(byIds)).toEqual(sorted(one));
      expect(listed.find((p) => p.id === captioned.id)?.attention).toEqual(attention);
      expect(listed.find((p) => p.id === plain.id)?.attention).toBeNull();
    });

    test('feedVersions: content moves with every write a feed page shows but its counts; counts with every count; extras with translations, their jobs and comments', async () => {
      const u = await user();
      const fan = await user();
      const p = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' });
      const first = await store.posts.feedVersions();
      if (first === null) return; // such a store is never cached on
      const seen = [first.content];
      const now = new Date();
      const writes: [string, () => Promise<unknown>][] = [
        ['caption edit', () => store.captions.addVersion(p.id, 'v2', 'USER')],
        ['caption status', () => store.posts.setCaptionStatus(p.id, 'FAILED', 'x')],
        ['author renamed', () => store.users.updateProfile(u.id, { displayName: 'Bea' })],
        ['new post', () => store.posts.create({ authorId: fan.id, image: imageRecord(), caption: null })],
        ['delete', () => store.posts.delete(p.id)],
      ];
      for (const [what, write] of writes) {
        await write();
        const v = await store.posts.feedVersions();
        expect([what, seen.includes(v!.content), v!.counts, v!.extras]).toEqual([what, false, first.counts, first.extras]);
        seen.push(v!.content);
      }
      // Counts move only the counts version; reads and writes a feed page does not show move neither.
      const q = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: null });
      const before = (await store.posts.feedVersions())!;
      await store.posts.list({ first: 5 });
      const other = await user();
      await store.users.revokeAllSessions(other.id, new Date());
      expect(await store.posts.feedVersions()).toEqual(before);
      const counts = [before.counts];
      const countWrites: [string, () => Promise<unknown>][] = [
        ['like', () => store.engagement.like(q.id, fan.id, now)],
        ['view', () => store.engagement.recordView(q.id, 'user:fan', now, 60_000)],
        ['unlike', () => store.engagement.unlike(q.id, fan.id)],
        ['like again', () => store.engagement.like(q.id, u.id, now)],
      ];
      for (const [what, write] of countWrites) {
        await write();
        const v = (await store.posts.feedVersions())!;
        expect([what, v.content, counts.includes(v.counts), v.extras]).toEqual([what, before.content, false, before.extras]);
        counts.push(v.counts);
      }
      expect(await store.posts.countsByIds([q.id, 'missing'])).toEqual([{ id: q.id, likeCount: 1, viewCount: 1 }]);
      expect(await store.posts.countsByIds([])).toEqual([]);

      // Extras move with translations, translation jobs' status and comments, and move nothing else;
      // a caption job or a lease renewal moves no version.
      const r = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'a dog' });
      const start = (await store.posts.feedVersions())!;
      const extras = [start.extras];
      const quiet: [string, () => Promise<unknown>][] = [
        ['caption job', () => store.jobs.enqueue({ kind: 'caption', postId: r.id, maxAttempts: 1 })],
      ];
      for (const [what, write] of quiet) {
        await write();
        expect([what, await store.posts.feedVersions()]).toEqual([what, start]);
      }
      let lease: JobLease | undefined;
      let comment: string | undefined;
      const extraWrites: [string, () => Promise<unknown>][] = [
        [
          'translation job',
          () => store.jobs.enqueue({ kind: 'translation', postId: r.id, captionId: r.currentCaptionId, maxAttempts: 1 }),
        ],
        [
          'its claim',
          async () => {
            const job = (await store.jobs.claim(['translation'], 'w', new Date(Date.now() + 1000), 60_000))!;
            lease = { id: job.id, token: job.leaseToken! };
          },
        ],
        [
          'translation',
          () => store.translations.save({ captionId: r.currentCaptionId!, language: 'de', text: 'ein Hund', model: 'm' }),
        ],
        [
          'translation replaced',
          () => store.translations.save({ captionId: r.currentCaptionId!, language: 'de', text: 'Ein Hund.', model: 'm' }),
        ],
        ['job done', () => store.jobs.complete(lease!)],
        ['comment', async () => (comment = (await store.comments.create({ postId: r.id, authorId: fan.id, text: 'hi' }))!.id)],
        ['comment deleted', () => store.comments.delete(comment!)],
      ];
      for (const [what, write] of extraWrites) {
        await write();
        const v = (await store.posts.feedVersions())!;
        expect([what, v.content, v.counts, extras.includes(v.extras)]).toEqual([what, start.content, start.counts, false]);
        extras.push(v.extras);
      }
      const renewal = (await store.jobs.enqueue({
        kind: 'translation',
        postId: r.id,
        captionId: r.currentCaptionId,
        maxAttempts: 1,
      }))!;
      const claimed = (await store.jobs.claim(['translation'], 'w', new Date(Date.now() + 1000), 60_000))!;
      expect(claimed.id).toBe(renewal.id);
      const held = (await store.posts.feedVersions())!;
      expect(
        await store.jobs.heartbeat({ id: claimed.id, token: claimed.leaseToken! }, new Date(Date.now() + 2000), 60_000),
      ).toBe(true);
      expect(await store.posts.feedVersions()).toEqual(held);
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
      expect(
        await store.engagement.recordView(p.id, 'anon:1', at(2), 30 * 60_000, { key: 'addr:b', windowMs: 60 * 60_000 }),
      ).toBe(false);
      expect(
        await store.engagement.recordView(p.id, 'anon:4', at(3), 30 * 60_000, { key: 'addr:b', windowMs: 60 * 60_000 }),
      ).toBe(true);
      expect(await store.engagement.recordView(p.id, 'anon:5', at(61), 30 * 60_000, hour)).toBe(true);
      // signed-in viewers are not limited by address
      expect(await store.engagement.recordView(p.id, 'user:x', at(62), 30 * 60_000)).toBe(true);
      expect((await store.posts.findById(p.id))?.viewCount).toBe(4);
      // concurrent anonymous views from one address: one counted
      const q = await store.posts.create({ authorId: u.id, image: imageRecord(), caption: 'v1' });
      const burst = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.engagement.recordView(q.id, `anon:b${i}`, t0, 30 * 60_000, hour)),
      );
      expect(burst.filter(Boolean)).toHaveLength(1);
    });

    test("engagement: analytics leave out the author's own views and likes", async () => {
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
      expect(cap).toMatchObject({
        kind: 'caption',
        postId: p.id,
        captionId: null,
        status: 'PENDING',
        attempts: 0,
        maxAttempts: 3,
        leaseToken: null,
      });
      expect(tr).toMatchObject({
        kind: 'translation',
        postId: p.id,
        captionId: p.currentCaptionId,
        status: 'PENDING',
        maxAttempts: 2,
      });
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
      expect((await store.jobs.findByPost(cap.postId))[0]).toMatchObject({
        status: 'DONE',
        leaseOwner: null,
        leaseToken: null,
        leaseExpiresAt: null,
      });
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
      expect((await store.jobs.findByPost(p.id))[0]).toMatchObject({
        status: 'PENDING',
        attempts: 1,
        leaseToken: null,
        lastError: 'boom',
      });
      const third = (await store.jobs.claim(['caption'], 'w', new Date(t0.getTime() + 2000), 1000))!;
      expect(third.attempts).toBe(2);
      expect(await store.jobs.fail(lease(third), 'boom twice', null)).toBe(true);
      expect((await store.jobs.findByPost(p.id))[0]).toMatchObject({
        id: cap.id,
        status: 'FAILED',
        lastError: 'boom twice',
        leaseOwner: null,
      });
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

    const captionResult = (caption: string, hashtags: string[]) => ({
      caption,
      suggestions: [],
      hashtags,
      attention: null,
      model: 'm',
    });
    const newPost = (authorId: string, caption: string | null = null) =>
      store.posts.create({ authorId, image: imageRecord(), caption });
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

    test("follows: once per pair, undone once; followed ids, counts and the followed users' posts", async () => {
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
      for (const text of ['one', 'two', 'three'])
        made.push((await store.comments.create({ postId: p.id, authorId: u.id, text }))!);
      await store.comments.create({ postId: q.id, authorId: u.id, text: 'other' });
      expect(await store.comments.create({ postId: 'missing', authorId: u.id, text: 'x' })).toBeNull();
      expect((await store.comments.findById(made[0]!.id))?.text).toBe('one');
      expect(ids(await store.comments.findByIds([made[1]!.id, 'missing']))).toEqual([made[1]!.id]);
      const first = await store.comments.listByPost(p.id, { first: 2 });
      expect(first.map((c) => c.text)).toEqual(['one', 'two']);
      const rest = await store.comments.listByPost(p.id, {
        first: 5,
        after: { createdAt: first[1]!.createdAt, id: first[1]!.id },
      });
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
      expect(ids(await store.posts.list({ first: 1, hashtag: 'lake', after: { createdAt: p2.createdAt, id: p2.id } }))).toEqual([
        p1.id,
      ]);
      expect(await store.posts.countByHashtag('lake')).toBe(2);
      expect(await store.posts.countByHashtag('straße')).toBe(1);
      expect(await store.posts.searchHashtags(searchTerms('la su'), 10)).toEqual([
        { tag: 'lake', postCount: 2 },
        { tag: 'sunset', postCount: 1 },
      ]);

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
      await store.translations.save({
        captionId: (await store.posts.findById(translated.id))!.currentCaptionId!,
        language: 'de',
        text: 'ein Hund auf dem Rasen',
        model: 'm',
      });

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
        const query = Array.from(
          { length: 1 + Math.floor(next() * 30) },
          () => alphabet[Math.floor(next() * alphabet.length)],
        ).join('');
        const terms = searchTerms(query);
        await expect(
          Promise.all([store.posts.search(terms, 5), store.users.search(terms, 5), store.posts.searchHashtags(terms, 5)]),
        ).resolves.toHaveLength(3);
      }
    });
  });
}
