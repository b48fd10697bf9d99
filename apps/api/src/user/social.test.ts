import fs from 'node:fs';
import path from 'node:path';
import { parse, subscribe, type ExecutionResult } from 'graphql';
import sharp from 'sharp';
import { LIMITS } from '@pixtale/shared';
import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from '../testing/harness';

// Profiles, follows, the FOLLOWING feed, comments, hashtags and search, through the real schema,
// services and SQLite store (no captioner here: hashtags come from the author's own #tags on edit).
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

type Err = { errors?: readonly { message?: string; extensions?: Record<string, unknown> }[] };
const code = (r: Err) => r.errors?.[0]?.extensions?.code;
const reason = (r: Err) => r.errors?.[0]?.extensions?.reason;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Data = Record<string, any>;

async function ok(source: string, variables: Record<string, unknown> = {}, token?: string | null): Promise<Data> {
  const r = await h.gql<Data>(source, variables, token);
  if (r.errors) throw r.errors[0];
  return r.data!;
}

async function newPost(token: string, caption?: string): Promise<string> {
  return (await ok(CREATE_POST, { image: uploadOf(await makeJpeg()), caption }, token)).createPost.id as string;
}

/** Edits the caption: the live hashtags become the author's own #tags (no model here). */
const edit = (token: string, postId: string, text: string) =>
  ok('mutation($id:ID!,$t:String!){ editCaption(postId:$id, text:$t){ id hashtags } }', { id: postId, t: text }, token);

const PROFILE = `query($id: ID!) { user(id: $id) {
  id email displayName bio avatarUrl postCount followerCount followingCount viewerFollows
  posts(first: 10) { edges { node { id } } pageInfo { hasNextPage endCursor } }
} }`;

describe('profiles', () => {
  test('user(id): public profile with counts; email only for yourself; null for an unknown id', async () => {
    const ann = await h.signUp('Ann');
    const bob = await h.signUp('Bob');
    const p1 = await newPost(ann.token);
    const p2 = await newPost(ann.token);
    const seenByBob = (await ok(PROFILE, { id: ann.id }, bob.token)).user;
    expect(seenByBob).toMatchObject({
      id: ann.id,
      email: null,
      displayName: 'Ann',
      bio: '',
      avatarUrl: null,
      postCount: 2,
      followerCount: 0,
      followingCount: 0,
      viewerFollows: false,
    });
    expect(seenByBob.posts.edges.map((e: Data) => e.node.id)).toEqual([p2, p1]);
    expect((await ok(PROFILE, { id: ann.id }, ann.token)).user.email).toBe(ann.email);
    expect((await ok(PROFILE, { id: ann.id })).user).toMatchObject({ email: null, viewerFollows: false });
    expect((await ok(PROFILE, { id: 'nobody' })).user).toBeNull();
  });

  test('updateProfile: display name and bio normalised and checked; "" clears the bio; session required', async () => {
    const u = await h.signUp('Cleo');
    const m = 'mutation($n:String,$b:String){ updateProfile(displayName:$n, bio:$b){ displayName bio } }';
    expect((await ok(m, { n: '  Cleo\u200B  P. ', b: 'Hiker\u202E and\n  photographer ' }, u.token)).updateProfile).toEqual({
      displayName: 'Cleo P.',
      bio: 'Hiker and photographer',
    });
    expect((await ok(m, { b: 'only the bio' }, u.token)).updateProfile).toEqual({ displayName: 'Cleo P.', bio: 'only the bio' });
    expect(code(await h.gql(m, { b: '\u200B\u2060\u00AD' }, u.token))).toBe('BAD_USER_INPUT');
    expect(code(await h.gql(m, { b: 'x'.repeat(LIMITS.bioMaxLength + 1) }, u.token))).toBe('BAD_USER_INPUT');
    expect(code(await h.gql(m, { n: '\u3164' }, u.token))).toBe('BAD_USER_INPUT');
    expect(code(await h.gql(m, { n: 'x'.repeat(LIMITS.displayNameMaxLength + 1) }, u.token))).toBe('BAD_USER_INPUT');
    expect((await ok(m, { b: '   ' }, u.token)).updateProfile.bio).toBe('');
    expect(code(await h.gql(m, { b: 'anonymous' }))).toBe('UNAUTHENTICATED');
  });

  test('avatar: a square WebP through the image pipeline, metadata stripped; the replaced file is removed', async () => {
    const u = await h.signUp('Dora');
    const m = 'mutation($a:Upload){ updateProfile(avatar:$a){ avatarUrl } }';
    const first = (await ok(m, { a: uploadOf(await makeJpeg({ width: 900, height: 500, exif: true })) }, u.token)).updateProfile
      .avatarUrl as string;
    expect(first).toMatch(/^http:\/\/localhost:\d+\/media\/[0-9a-f]{64}\.webp$/);
    const file = path.join(h.dataDir, 'media', path.basename(first));
    const meta = await sharp(fs.readFileSync(file)).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', 320, 320, undefined]);

    const second = (await ok(m, { a: uploadOf(await makeJpeg({ width: 300, height: 600 })) }, u.token)).updateProfile
      .avatarUrl as string;
    expect(second).not.toBe(first);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(path.join(h.dataDir, 'media', path.basename(second)))).toBe(true);

    const bad = await h.gql(m, { a: uploadOf(Buffer.from('not an image')) }, u.token);
    expect([code(bad), reason(bad)]).toEqual(['UNSUPPORTED_IMAGE', 'NOT_AN_IMAGE']);
    expect((await ok(PROFILE, { id: u.id })).user.avatarUrl).toBe(second);
  });
});

describe('follows', () => {
  const FOLLOW = 'mutation($id:ID!){ follow(userId:$id){ id followerCount viewerFollows } }';
  const UNFOLLOW = 'mutation($id:ID!){ unfollow(userId:$id){ id followerCount viewerFollows } }';

  test('follow and unfollow, with counts; self, twice, not following, unknown and anonymous refused', async () => {
    const fan = await h.signUp('Fan');
    const star = await h.signUp('Star');
    expect((await ok(FOLLOW, { id: star.id }, fan.token)).follow).toEqual({ id: star.id, followerCount: 1, viewerFollows: true });
    expect((await ok(PROFILE, { id: fan.id }, fan.token)).user.followingCount).toBe(1);

    const self = await h.gql(FOLLOW, { id: fan.id }, fan.token);
    expect([code(self), reason(self)]).toEqual(['BAD_USER_INPUT', 'CANNOT_FOLLOW_SELF']);
    const twice = await h.gql(FOLLOW, { id: star.id }, fan.token);
    expect([code(twice), reason(twice)]).toEqual(['CONFLICT', 'ALREADY_FOLLOWING']);
    expect(code(await h.gql(FOLLOW, { id: 'nobody' }, fan.token))).toBe('NOT_FOUND');
    expect(code(await h.gql(FOLLOW, { id: star.id }))).toBe('UNAUTHENTICATED');

    expect((await ok(UNFOLLOW, { id: star.id }, fan.token)).unfollow).toEqual({
      id: star.id,
      followerCount: 0,
      viewerFollows: false,
    });
    const again = await h.gql(UNFOLLOW, { id: star.id }, fan.token);
    expect([code(again), reason(again)]).toEqual(['CONFLICT', 'NOT_FOLLOWING']);
    expect(code(await h.gql(UNFOLLOW, { id: star.id }))).toBe('UNAUTHENTICATED');
  });

  test("feed(scope: FOLLOWING): only follows' posts, newest first, paged like the feed; needs a session", async () => {
    const me = await h.signUp('Me');
    const a = await h.signUp('FollowedA');
    const b = await h.signUp('FollowedB');
    const stranger = await h.signUp('Stranger');
    await ok(FOLLOW, { id: a.id }, me.token);
    await ok(FOLLOW, { id: b.id }, me.token);
    const expected: string[] = [];
    for (const who of [a, stranger, b, a, stranger, b]) {
      const id = await newPost(who.token);
      if (who !== stranger) expected.unshift(id);
    }
    await newPost(me.token); // your own posts are not in FOLLOWING
    const Q =
      'query($after:String){ feed(first: 3, after: $after, scope: FOLLOWING){ edges { node { id } } pageInfo { hasNextPage endCursor } } }';
    const page1 = (await ok(Q, {}, me.token)).feed;
    expect(page1.edges.map((e: Data) => e.node.id)).toEqual(expected.slice(0, 3));
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await ok(Q, { after: page1.pageInfo.endCursor }, me.token)).feed;
    expect(page2.edges.map((e: Data) => e.node.id)).toEqual(expected.slice(3));
    expect(page2.pageInfo.hasNextPage).toBe(false);

    expect(code(await h.gql(Q, {}))).toBe('UNAUTHENTICATED');
    expect(code(await h.gql(Q, { after: 'garbage!' }, me.token))).toBe('BAD_USER_INPUT');
    const everyone = (await ok('{ feed(first: 50) { edges { node { id } } } }', {}, me.token)).feed.edges.length;
    const explicit = (await ok('{ feed(first: 50, scope: EVERYONE) { edges { node { id } } } }')).feed.edges.length;
    expect(everyone).toBe(explicit);
    expect(everyone).toBeGreaterThan(expected.length);
  });
});

describe('comments', () => {
  const ADD =
    'mutation($p:ID!,$t:String!){ addComment(postId:$p, text:$t){ id text createdAt author { id displayName } post { id commentCount } } }';
  const DEL = 'mutation($id:ID!){ deleteComment(id:$id) }';
  const LIST = `query($p:ID!,$after:String){ post(id:$p){ commentCount comments(first: 2, after: $after){
    edges { cursor node { id text } } pageInfo { hasNextPage endCursor } } } }`;

  test('add: normalised, counted, listed oldest first with cursors; bad text, unknown post and anonymous refused', async () => {
    const owner = await h.signUp('Owner');
    const guest = await h.signUp('Guest');
    const postId = await newPost(owner.token);
    const c1 = (await ok(ADD, { p: postId, t: '  Lovely\u200B\n light!  ' }, guest.token)).addComment;
    expect(c1).toMatchObject({
      text: 'Lovely light!',
      author: { id: guest.id, displayName: 'Guest' },
      post: { id: postId, commentCount: 1 },
    });
    const c2 = (await ok(ADD, { p: postId, t: 'thanks 🙏' }, owner.token)).addComment;
    const c3 = (await ok(ADD, { p: postId, t: 'third' }, guest.token)).addComment;

    const page1 = (await ok(LIST, { p: postId })).post;
    expect(page1.commentCount).toBe(3);
    expect(page1.comments.edges.map((e: Data) => e.node.id)).toEqual([c1.id, c2.id]);
    const page2 = (await ok(LIST, { p: postId, after: page1.comments.pageInfo.endCursor })).post.comments;
    expect(page2.edges.map((e: Data) => e.node.id)).toEqual([c3.id]);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    for (const bad of ['\u200B\u2060', '   ', 'x'.repeat(LIMITS.commentMaxLength + 1)]) {
      expect(code(await h.gql(ADD, { p: postId, t: bad }, guest.token))).toBe('BAD_USER_INPUT');
    }
    expect(code(await h.gql(ADD, { p: 'missing', t: 'hi' }, guest.token))).toBe('NOT_FOUND');
    expect(code(await h.gql(ADD, { p: postId, t: 'hi' }))).toBe('UNAUTHENTICATED');
    expect(code(await h.gql(LIST, { p: postId, after: 'nope' }))).toBe('BAD_USER_INPUT');
  });

  test("delete: by the comment's author or the post's owner, FORBIDDEN for others; gone with its post", async () => {
    const owner = await h.signUp('Owner');
    const writer = await h.signUp('Writer');
    const other = await h.signUp('Other');
    const postId = await newPost(owner.token);
    const ids: string[] = [];
    for (const t of ['one', 'two', 'three']) ids.push((await ok(ADD, { p: postId, t }, writer.token)).addComment.id);
    expect(code(await h.gql(DEL, { id: ids[0] }, other.token))).toBe('FORBIDDEN');
    expect(code(await h.gql(DEL, { id: ids[0] }))).toBe('UNAUTHENTICATED');
    expect((await ok(DEL, { id: ids[0] }, writer.token)).deleteComment).toBe(true);
    expect((await ok(DEL, { id: ids[1] }, owner.token)).deleteComment).toBe(true);
    expect(code(await h.gql(DEL, { id: ids[1] }, owner.token))).toBe('NOT_FOUND');
    expect((await ok(LIST, { p: postId })).post.commentCount).toBe(1);

    await ok('mutation($id:ID!){ deletePost(postId:$id) }', { id: postId }, owner.token);
    expect(await h.app.deps.store.comments.findById(ids[2]!)).toBeNull();
  });

  test('commentAdded pushes each new comment on the post (and only that post)', async () => {
    const owner = await h.signUp('Owner');
    const postId = await newPost(owner.token);
    const otherPost = await newPost(owner.token);
    const events = (await subscribe({
      schema: h.schema,
      document: parse(
        'subscription($p: ID!){ commentAdded(postId: $p){ id text author { displayName } post { id commentCount } } }',
      ),
      variableValues: { p: postId },
      contextValue: await h.context(),
    })) as AsyncIterableIterator<ExecutionResult<Data>>;
    const next = events.next();
    await ok(ADD, { p: otherPost, t: 'elsewhere' }, owner.token);
    const added = (await ok(ADD, { p: postId, t: 'live!' }, owner.token)).addComment;
    expect((await next).value.data.commentAdded).toEqual({
      id: added.id,
      text: 'live!',
      author: { displayName: 'Owner' },
      post: { id: postId, commentCount: 1 },
    });
    await events.return?.();

    const deletions = (await subscribe({
      schema: h.schema,
      document: parse('subscription($p: ID!){ commentDeleted(postId: $p) }'),
      variableValues: { p: postId },
      contextValue: await h.context(),
    })) as AsyncIterableIterator<ExecutionResult<Data>>;
    const deleted = deletions.next();
    await ok('mutation($id:ID!){ deleteComment(id:$id) }', { id: added.id }, owner.token);
    expect((await deleted).value.data).toEqual({ commentDeleted: added.id });
    await deletions.return?.();

    const unknown = await subscribe({
      schema: h.schema,
      document: parse('subscription { commentAdded(postId: "missing"){ id } }'),
      contextValue: await h.context(),
    });
    expect(code(unknown as Err)).toBe('NOT_FOUND');
  });
});

test('a feed page loads comment counts and author profiles in one batched store call each', async () => {
  const me = await h.signUp('Batch');
  for (let i = 0; i < 3; i++) {
    const author = await h.signUp(`Author${i}`);
    const id = await newPost(author.token);
    await ok('mutation($p:ID!){ addComment(postId:$p, text:"hi"){ id } }', { p: id }, me.token);
  }
  const { store } = h.app.deps;
  const spies = [
    jest.spyOn(store.comments, 'countByPosts'),
    jest.spyOn(store.users, 'stats'),
    jest.spyOn(store.follows, 'followedIds'),
    jest.spyOn(store.users, 'findByIds'),
  ];
  try {
    const feed = (
      await ok(
        `{ feed(first: 10) { edges { node { id commentCount
      author { displayName avatarUrl postCount followerCount followingCount viewerFollows } } } } }`,
        {},
        me.token,
      )
    ).feed;
    expect(feed.edges.length).toBe(10);
    expect(feed.edges.slice(0, 3).map((e: Data) => e.node.commentCount)).toEqual([1, 1, 1]);
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
});

describe('hashtags', () => {
  const TAG = 'query($t:String!){ hashtag(tag:$t){ tag postCount posts(first: 10){ edges { node { id hashtags } } } } }';

  test('the live caption\'s own #tags, lower-cased; case and "#" of the input do not matter; older versions do not count', async () => {
    const u = await h.signUp('Tagger');
    const p1 = await newPost(u.token);
    const p2 = await newPost(u.token);
    await edit(u.token, p1, 'Evening at the lake #SunsetLake #Über');
    await edit(u.token, p2, 'Another one #sunsetlake');
    for (const input of ['sunsetlake', '#SunsetLake', '  #SUNSETLAKE ']) {
      const tag = (await ok(TAG, { t: input })).hashtag;
      expect(tag).toMatchObject({ tag: 'sunsetlake', postCount: 2 });
      expect(tag.posts.edges.map((e: Data) => e.node.id)).toEqual([p2, p1]);
    }
    expect((await ok(TAG, { t: '#über' })).hashtag).toMatchObject({ tag: 'über', postCount: 1 });

    await edit(u.token, p1, 'Evening at the lake, no tags now');
    expect((await ok(TAG, { t: 'sunsetlake' })).hashtag.postCount).toBe(1);
    expect((await ok(TAG, { t: 'über' })).hashtag).toBeNull();
    expect((await ok(TAG, { t: 'nosuchtagatall' })).hashtag).toBeNull();
    for (const bad of ['#', '', 'two words', '#a-b', 'x'.repeat(101)])
      expect(code(await h.gql(TAG, { t: bad }))).toBe('BAD_USER_INPUT');
  });

  test('deleting a post takes it off its hashtags', async () => {
    const u = await h.signUp('Tagger');
    const p = await newPost(u.token);
    await edit(u.token, p, 'gone soon #ephemeraltag');
    expect((await ok(TAG, { t: 'ephemeraltag' })).hashtag.postCount).toBe(1);
    await ok('mutation($id:ID!){ deletePost(postId:$id) }', { id: p }, u.token);
    expect((await ok(TAG, { t: 'ephemeraltag' })).hashtag).toBeNull();
  });
});

describe('search', () => {
  const SEARCH =
    'query($q:String!,$n:Int){ search(query:$q, first:$n){ posts { id } users { id displayName } hashtags { tag postCount } } }';

  test('finds posts by a word prefix of the live caption, translations and hashtags; people by name; hashtags by prefix', async () => {
    const u = await h.signUp('Zebulon');
    await ok('mutation{ updateProfile(displayName: "Zebulon Quartermaine"){ id } }', {}, u.token);
    const bike = await newPost(u.token);
    await edit(u.token, bike, 'A red bicycle leaning on a wall #Velocipede');
    const translated = await newPost(u.token);
    const live =
      (await edit(u.token, translated, 'a dog on grass')) &&
      (await h.app.deps.store.posts.findById(translated))!.currentCaptionId!;
    await h.app.deps.store.translations.save({ captionId: live, language: 'de', text: 'ein Hund auf dem Rasen', model: 'm' });

    expect((await ok(SEARCH, { q: 'bicy' })).search.posts.map((p: Data) => p.id)).toEqual([bike]);
    expect((await ok(SEARCH, { q: 'RED Bicycle' })).search.posts.map((p: Data) => p.id)).toEqual([bike]);
    expect((await ok(SEARCH, { q: 'red dog' })).search.posts).toEqual([]); // every word must match
    expect((await ok(SEARCH, { q: 'velocip' })).search).toMatchObject({
      posts: [{ id: bike }],
      hashtags: [{ tag: 'velocipede', postCount: 1 }],
    });
    expect((await ok(SEARCH, { q: 'hund' })).search.posts.map((p: Data) => p.id)).toEqual([translated]);
    expect((await ok(SEARCH, { q: 'quarterm' })).search.users).toEqual([{ id: u.id, displayName: 'Zebulon Quartermaine' }]);

    // Only the live caption counts.
    await edit(u.token, bike, 'A blue tricycle');
    expect((await ok(SEARCH, { q: 'bicycle' })).search.posts).toEqual([]);
    expect((await ok(SEARCH, { q: 'tricyc' })).search.posts.map((p: Data) => p.id)).toEqual([bike]);
    // A renamed user is found by the new name only.
    await ok('mutation{ updateProfile(displayName: "Xanthippe Moonwhistle"){ id } }', {}, u.token);
    expect((await ok(SEARCH, { q: 'quartermaine' })).search.users).toEqual([]);
    expect((await ok(SEARCH, { q: 'moonwh' })).search.users.map((x: Data) => x.id)).toEqual([u.id]);
    // Deleted posts leave the index.
    await ok('mutation($id:ID!){ deletePost(postId:$id) }', { id: bike }, u.token);
    expect((await ok(SEARCH, { q: 'tricycle' })).search.posts).toEqual([]);
  });

  test('ranking: a caption match ranks above a translation-only match', async () => {
    const u = await h.signUp('Ranker');
    const inTranslation = await newPost(u.token);
    const captionId =
      (await edit(u.token, inTranslation, 'some plain words')) &&
      (await h.app.deps.store.posts.findById(inTranslation))!.currentCaptionId!;
    await h.app.deps.store.translations.save({ captionId, language: 'fr', text: 'un flamant rose flamingo', model: 'm' });
    const inCaption = await newPost(u.token);
    await edit(u.token, inCaption, 'a flamingo standing');
    const older = (await ok(SEARCH, { q: 'flamingo' })).search.posts.map((p: Data) => p.id);
    expect(older).toEqual([inCaption, inTranslation]);
  });

  test('any characters: never an error, empty results when there are no words; too long or bad first is BAD_USER_INPUT', async () => {
    const u = await h.signUp('Fuzzy');
    const p = await newPost(u.token);
    await edit(u.token, p, 'NEAR the old mill AND the river');
    const nasty = [
      '',
      '   ',
      '"',
      '""',
      '"unbalanced',
      '*',
      'mill*',
      '-mill',
      'NOT',
      'AND',
      'OR',
      'NEAR',
      'NEAR(mill river)',
      'mill NEAR/2 river',
      '(',
      ')',
      '((mill',
      'mill))',
      '^mill',
      'caption:mill',
      '{mill}',
      '[',
      '\\',
      "'",
      "'; DROP TABLE posts; --",
      '%',
      '_',
      '#',
      '🙂',
      '👩‍👩‍👧',
      '\u200B',
      '\u0000',
      'e\u0301',
      'mill:*',
      '+mill',
      'mill -river',
      '$where',
      '.*',
      '(?=x)',
      'a'.repeat(200),
    ];
    for (const q of nasty) {
      const r = await h.gql<Data>(SEARCH, { q }, u.token);
      expect([q, r.errors]).toEqual([q, undefined]);
    }
    expect((await ok(SEARCH, { q: '🙂' })).search).toEqual({ posts: [], users: [], hashtags: [] });
    expect((await ok(SEARCH, { q: '"mill' })).search.posts.map((x: Data) => x.id)).toEqual([p]);
    expect((await ok(SEARCH, { q: 'NEAR(mill river)' })).search.posts.map((x: Data) => x.id)).toEqual([p]);
    expect((await ok(SEARCH, { q: 'mill -river' })).search.posts.map((x: Data) => x.id)).toEqual([p]);
    expect(code(await h.gql(SEARCH, { q: 'a'.repeat(LIMITS.searchQueryMaxLength + 1) }))).toBe('BAD_USER_INPUT');
    for (const n of [0, LIMITS.pageSizeMax + 1]) expect(code(await h.gql(SEARCH, { q: 'mill', n }))).toBe('BAD_USER_INPUT');
  });

  test('no private data: email is never searchable or shown to others', async () => {
    const u = await h.signUp('Private');
    const local = u.email.split('@')[0]!;
    const r = (await ok(SEARCH, { q: local })).search;
    expect(r.users).toEqual([]);
    const byName = (await ok('query($q:String!){ search(query:$q){ users { email } } }', { q: 'private' })).search.users;
    expect(byName.length).toBeGreaterThan(0);
    for (const x of byName) expect(x.email).toBeNull();
  });
});
