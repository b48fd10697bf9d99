import { graphql } from 'graphql';
import { createContext } from '../context';
import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from '../testing/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

type Err = { errors?: readonly { extensions?: Record<string, unknown> }[] };
const code = (r: Err) => r.errors?.[0]?.extensions?.code;
const reason = (r: Err) => r.errors?.[0]?.extensions?.reason;

async function newPost(token: string, caption = 'first caption') {
  const r = await h.gql<{ createPost: { id: string } }>(CREATE_POST, { image: uploadOf(await makeJpeg()), caption }, token);
  return r.data!.createPost.id;
}
const LIKE = 'mutation($id:ID!){ likePost(postId:$id) { likeCount likedByMe } }';
const UNLIKE = 'mutation($id:ID!){ unlikePost(postId:$id) { likeCount likedByMe } }';
const VIEW = 'mutation($id:ID!){ recordView(postId:$id) { viewCount } }';
const STATS = 'query($id:ID!){ captionAnalytics(postId:$id) { caption { id text source version } views likes likeRate } }';

test('one like per user; liking twice is CONFLICT ALREADY_LIKED; unlike; likedByMe per viewer', async () => {
  const author = await h.signUp('Author');
  const fan = await h.signUp('Fan');
  const id = await newPost(author.token);
  expect((await h.gql(LIKE, { id }, fan.token)).data).toEqual({ likePost: { likeCount: 1, likedByMe: true } });
  const twice = await h.gql(LIKE, { id }, fan.token);
  expect([code(twice), reason(twice)]).toEqual(['CONFLICT', 'ALREADY_LIKED']);
  expect(
    (
      await h.gql<{ post: { likeCount: number; likedByMe: boolean } }>(
        'query($id:ID!){ post(id:$id) { likeCount likedByMe } }',
        { id },
        author.token,
      )
    ).data!.post,
  ).toEqual({ likeCount: 1, likedByMe: false });
  expect((await h.gql(UNLIKE, { id }, fan.token)).data).toEqual({ unlikePost: { likeCount: 0, likedByMe: false } });
  const again = await h.gql(UNLIKE, { id }, fan.token);
  expect([code(again), reason(again)]).toEqual(['CONFLICT', 'NOT_LIKED']);
  expect(code(await h.gql(LIKE, { id }))).toBe('UNAUTHENTICATED');
});

test('views count once per viewer per post per 30 minutes (signed-in and anonymous viewers)', async () => {
  const author = await h.signUp('Viewed');
  const viewer = await h.signUp('Viewer');
  const id = await newPost(author.token);
  const views = async (token?: string, ip?: string) =>
    (await h.gql<{ recordView: { viewCount: number } }>(VIEW, { id }, token, ip)).data!.recordView.viewCount;
  expect(await views(viewer.token)).toBe(1);
  expect(await views(viewer.token)).toBe(1);
  expect(await views(undefined, '10.0.0.1')).toBe(2);
  expect(await views(undefined, '10.0.0.1')).toBe(2);
  expect(await views(undefined, '10.0.0.2')).toBe(3);
  // 31 minutes later the same viewer counts again (window checked in the store with explicit times).
  const later = new Date(Date.now() + 31 * 60_000);
  expect(await h.app.deps.store.engagement.recordView(id, `user:${viewer.id}`, later, 30 * 60_000)).toBe(true);
});

test('views and likes are attributed to the caption version live at the time; captionAnalytics per version', async () => {
  const author = await h.signUp('Analyst');
  const fans = [await h.signUp('F1'), await h.signUp('F2'), await h.signUp('F3')];
  const id = await newPost(author.token, 'version one');
  await h.gql(VIEW, { id }, fans[0]!.token);
  await h.gql(VIEW, { id }, fans[1]!.token);
  await h.gql(LIKE, { id }, fans[0]!.token);
  await h.gql('mutation($id:ID!){ editCaption(postId:$id, text:"version two") { id } }', { id }, author.token);
  await h.gql(VIEW, { id }, fans[2]!.token);
  await h.gql(LIKE, { id }, fans[2]!.token);
  await h.gql(LIKE, { id }, fans[1]!.token);
  const r = await h.gql<{
    captionAnalytics: {
      caption: { text: string; version: number; source: string };
      views: number;
      likes: number;
      likeRate: number;
    }[];
  }>(STATS, { id }, author.token);
  expect(r.errors).toBeUndefined();
  expect(
    r.data!.captionAnalytics.map((s) => [s.caption.text, s.caption.version, s.caption.source, s.views, s.likes, s.likeRate]),
  ).toEqual([
    ['version one', 1, 'USER', 2, 1, 0.5],
    ['version two', 2, 'USER', 1, 2, 2],
  ]);
});

test('myAnalytics: totals, one entry per day, per post per caption version', async () => {
  const author = await h.signUp('Summary');
  const fan = await h.signUp('SFan');
  const a = await newPost(author.token, 'a1');
  const b = await newPost(author.token, 'b1');
  await h.gql(VIEW, { id: a }, fan.token);
  await h.gql(LIKE, { id: a }, fan.token);
  await h.gql(VIEW, { id: b }, fan.token);
  await h.gql('mutation($id:ID!){ editCaption(postId:$id, text:"b2") { id } }', { id: b }, author.token);
  const r = await h.gql<{
    myAnalytics: {
      totalPosts: number;
      totalViews: number;
      totalLikes: number;
      likeRate: number;
      daily: { date: string; views: number; likes: number }[];
      posts: { post: { id: string }; captions: { caption: { text: string }; views: number; likes: number }[] }[];
    };
  }>(
    '{ myAnalytics(days: 7) { totalPosts totalViews totalLikes likeRate daily { date views likes } posts { post { id } captions { caption { text } views likes likeRate } } } }',
    {},
    author.token,
  );
  expect(r.errors).toBeUndefined();
  const s = r.data!.myAnalytics;
  expect([s.totalPosts, s.totalViews, s.totalLikes, s.likeRate]).toEqual([2, 2, 1, 0.5]);
  expect(s.daily).toHaveLength(7);
  expect(s.daily.at(-1)).toEqual({ date: new Date().toISOString().slice(0, 10), views: 2, likes: 1 });
  expect(s.posts.map((p) => [p.post.id, p.captions.map((c) => `${c.caption.text}:${c.views}/${c.likes}`)])).toEqual([
    [b, ['b1:1/0', 'b2:0/0']],
    [a, ['a1:1/1']],
  ]);
  expect(code(await h.gql('{ myAnalytics { totalPosts } }'))).toBe('UNAUTHENTICATED');
  expect(code(await h.gql('{ myAnalytics(days: 0) { totalPosts } }', {}, author.token))).toBe('BAD_USER_INPUT');
});

describe('anonymous views', () => {
  /** recordView as an anonymous visitor with this cookie id, from this address. */
  const anonView = async (id: string, visitorId: string, ip: string) => {
    const contextValue = await createContext(h.app.deps, { ip, visitorId: () => visitorId });
    const r = await graphql({ schema: h.schema, source: VIEW, variableValues: { id }, contextValue });
    expect(r.errors).toBeUndefined();
    return (r.data as { recordView: { viewCount: number } }).recordView.viewCount;
  };

  test('the same visitor id from two addresses counts once', async () => {
    const author = await h.signUp('TwoAddr');
    const id = await newPost(author.token);
    expect(await anonView(id, 'v'.repeat(32), '198.51.100.1')).toBe(1);
    expect(await anonView(id, 'v'.repeat(32), '198.51.100.2')).toBe(1);
    expect(await anonView(id, 'w'.repeat(32), '2001:db8:5:6::1')).toBe(2);
    // another address in the same IPv6 /64 is the same address
    expect(await anonView(id, 'x'.repeat(32), '2001:db8:5:6::2')).toBe(2);
  });

  test('rotating the visitor cookie from one address counts one view per hour', async () => {
    const author = await h.signUp('Rotated');
    const id = await newPost(author.token);
    for (let i = 0; i < 10; i++) expect(await anonView(id, `${i}`.padStart(32, 'c'), '192.0.2.9')).toBe(1);
    const { engagement } = h.app.deps.services;
    const t0 = Date.now();
    const at = (min: number) => new Date(t0 + min * 60_000);
    const visitor = (n: number) => ({ userId: null, visitorId: `${n}`.padStart(32, 'd'), ip: '192.0.2.9' });
    expect((await engagement.view(visitor(1), id, at(31))).viewCount).toBe(1);
    expect((await engagement.view(visitor(2), id, at(59))).viewCount).toBe(1);
    expect((await engagement.view(visitor(3), id, at(61))).viewCount).toBe(2);
    expect((await engagement.view(visitor(4), id, at(62))).viewCount).toBe(2);
    // no cookie at all (graphql-ws, cookies off): the address alone decides
    expect((await engagement.view({ userId: null, visitorId: null, ip: '192.0.2.9' }, id, at(63))).viewCount).toBe(2);
    expect((await engagement.view({ userId: null, visitorId: null, ip: '192.0.2.10' }, id, at(63))).viewCount).toBe(3);
  });
});

test("the author's own views and likes are never in the analytics; their like still shows as liked and in likeCount", async () => {
  const author = await h.signUp('Selfie');
  const fan = await h.signUp('SelfieFan');
  const id = await newPost(author.token, 'me');
  for (let i = 0; i < 3; i++) expect((await h.gql(VIEW, { id }, author.token)).data).toEqual({ recordView: { viewCount: 0 } });
  expect((await h.gql(LIKE, { id }, author.token)).data).toEqual({ likePost: { likeCount: 1, likedByMe: true } });
  await h.gql(VIEW, { id }, fan.token);
  await h.gql(LIKE, { id }, fan.token);
  const stats = await h.gql<{ captionAnalytics: { views: number; likes: number; likeRate: number }[] }>(
    STATS,
    { id },
    author.token,
  );
  expect(stats.data!.captionAnalytics.map((s) => [s.views, s.likes, s.likeRate])).toEqual([[1, 1, 1]]);
  const summary = await h.gql<{
    myAnalytics: {
      totalViews: number;
      totalLikes: number;
      daily: { views: number; likes: number }[];
      posts: { captions: { views: number; likes: number }[] }[];
    };
  }>(
    '{ myAnalytics(days: 1) { totalViews totalLikes daily { views likes } posts { captions { views likes } } } }',
    {},
    author.token,
  );
  expect(summary.data!.myAnalytics).toEqual({
    totalViews: 1,
    totalLikes: 1,
    daily: [{ views: 1, likes: 1 }],
    posts: [{ captions: [{ views: 1, likes: 1 }] }],
  });
  expect((await h.gql(UNLIKE, { id }, author.token)).data).toEqual({ unlikePost: { likeCount: 1, likedByMe: false } });
});
