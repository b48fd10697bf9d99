import fs from 'node:fs';
import path from 'node:path';
import { CREATE_POST, createHarness, makeJpeg, testPhotos, uploadOf, type Harness } from '../testing/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

type Err = { errors?: readonly { extensions?: Record<string, unknown> }[] };
const code = (r: Err) => r.errors?.[0]?.extensions?.code;
const reason = (r: Err) => r.errors?.[0]?.extensions?.reason;
const mediaFiles = () => fs.readdirSync(path.join(h.dataDir, 'media')).sort();
type Created = {
  createPost: {
    id: string;
    captionStatus: string;
    caption: { text: string; source: string; version: number } | null;
    imageUrl: string;
    width: number;
    height: number;
  };
};

async function post(token: string, caption?: string, bytes?: Buffer) {
  const r = await h.gql<Created>(CREATE_POST, { image: uploadOf(bytes ?? (await makeJpeg())), caption }, token);
  if (r.errors) throw r.errors[0];
  return r.data!.createPost;
}

describe('createPost', () => {
  test('stores a normalised image, queues a PENDING caption job, serves content-addressed URLs', async () => {
    const { token } = await h.signUp('Poster');
    const p = await post(token);
    expect(p).toMatchObject({ captionStatus: 'PENDING', caption: null, width: 320, height: 200 });
    expect(p.imageUrl).toMatch(/^http:\/\/localhost:\d+\/media\/[0-9a-f]{64}\.webp$/);
    expect(mediaFiles()).toContain(path.basename(p.imageUrl));
    const jobs = await h.app.deps.store.jobs.findByPost(p.id);
    expect(jobs.map((j) => j.status)).toEqual(['PENDING']);
  });

  test('a caption given at upload is version 1 from USER', async () => {
    const { token } = await h.signUp('Writer');
    const p = await post(token, '  my   dog  ');
    expect(p.caption).toEqual({ text: 'my dog', source: 'USER', version: 1 });
  });

  test('a photo-sized JPEG (a Flickr8k photo, or one drawn with sharp without the datasets)', async () => {
    const [, photo] = await testPhotos(2, h.env);
    const { token } = await h.signUp('Photo');
    const p = await post(token, undefined, photo!.bytes);
    expect(p.width).toBeGreaterThan(0);
  });

  test('bad uploads get coded errors and write nothing', async () => {
    const { token } = await h.signUp('Bad');
    const before = { files: mediaFiles(), posts: (await h.app.deps.store.posts.list({ first: 50 })).length };
    const jpeg = await makeJpeg({ width: 900, height: 700 });
    const cases: [Buffer, string, string][] = [
      [Buffer.from('just some text, named cat.jpg'), 'UNSUPPORTED_IMAGE', 'NOT_AN_IMAGE'],
      [jpeg.subarray(0, jpeg.length >> 1), 'UNSUPPORTED_IMAGE', 'CORRUPT_IMAGE'],
      [Buffer.alloc(h.env.MAX_UPLOAD_BYTES + 1, 0xff), 'PAYLOAD_TOO_LARGE', 'FILE_TOO_LARGE'],
    ];
    for (const [bytes, c, rsn] of cases) {
      const r = await h.gql(CREATE_POST, { image: uploadOf(bytes, 'cat.jpg') }, token);
      expect([code(r), reason(r)]).toEqual([c, rsn]);
    }
    const long = await h.gql(CREATE_POST, { image: uploadOf(jpeg), caption: 'x'.repeat(501) }, token);
    expect(code(long)).toBe('BAD_USER_INPUT');
    expect(mediaFiles()).toEqual(before.files);
    expect((await h.app.deps.store.posts.list({ first: 50 })).length).toBe(before.posts);
  });

  test('anonymous upload: UNAUTHENTICATED', async () => {
    const r = await h.gql(CREATE_POST, { image: uploadOf(await makeJpeg()) });
    expect(code(r)).toBe('UNAUTHENTICATED');
  });
});

describe('feed', () => {
  test('newest first with cursor pagination over every post', async () => {
    const { token } = await h.signUp('Feeder');
    for (let i = 0; i < 3; i++) await post(token, `feed ${i}`);
    const all = (await h.app.deps.store.posts.list({ first: 1000 })).map((p) => p.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: {
        data?: {
          feed: {
            edges: { cursor: string; node: { id: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        } | null;
      } = await h.gql(
        'query($after:String){ feed(first: 2, after: $after) { edges { cursor node { id authorName likedByMe } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const feed = r.data!.feed;
      seen.push(...feed.edges.map((e) => e.node.id));
      if (!feed.pageInfo.hasNextPage) break;
      after = feed.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  test("a cached page never hides a change: the viewer's own like (counts re-read), a rename, an edit, a new post", async () => {
    const { token, id: userId } = await h.signUp('Cached');
    const fan = await h.signUp('Fan');
    const p = await post(token, 'first words');
    const FEED = '{ feed(first: 3) { edges { node { id authorName likeCount likedByMe caption { text } } } } }';
    type Page = { data?: { feed: { edges: { node: Record<string, unknown> }[] } } | null };
    const top = async (viewer?: string) => ((await h.gql(FEED, {}, viewer)) as Page).data!.feed.edges[0]!.node;
    expect(await top(fan.token)).toEqual({
      id: p.id,
      authorName: 'Cached',
      likeCount: 0,
      likedByMe: false,
      caption: { text: 'first words' },
    });
    const list = jest.spyOn(h.app.deps.store.posts, 'list');
    const counts = jest.spyOn(h.app.deps.store.posts, 'countsByIds');
    expect(await top(fan.token)).toMatchObject({ likeCount: 0 });
    expect(list).not.toHaveBeenCalled(); // served from the cache, counts included
    expect(counts).not.toHaveBeenCalled();
    await h.gql('mutation($id: ID!){ likePost(postId: $id) { id } }', { id: p.id }, fan.token);
    expect(await top(fan.token)).toMatchObject({ likeCount: 1, likedByMe: true });
    expect(await top(token)).toMatchObject({ likeCount: 1, likedByMe: false }); // per viewer, not cached
    expect(list).not.toHaveBeenCalled(); // a like keeps the cached page and re-reads its counts, once
    expect(counts).toHaveBeenCalledTimes(1);
    list.mockRestore();
    counts.mockRestore();
    await h.app.deps.store.users.updateProfile(userId, { displayName: 'Renamed' });
    expect(await top()).toMatchObject({ authorName: 'Renamed' });
    await h.gql('mutation($id: ID!){ editCaption(postId: $id, text: "second words") { id } }', { id: p.id }, token);
    expect(await top()).toMatchObject({ caption: { text: 'second words' } });
    const q = await post(fan.token, 'newest');
    expect(await top()).toMatchObject({ id: q.id });
  });

  test('bad arguments: BAD_USER_INPUT', async () => {
    expect(code(await h.gql('{ feed(first: 0) { edges { cursor } } }'))).toBe('BAD_USER_INPUT');
    expect(code(await h.gql('{ feed(first: 1000) { edges { cursor } } }'))).toBe('BAD_USER_INPUT');
    expect(code(await h.gql('{ feed(after: "garbage!") { edges { cursor } } }'))).toBe('BAD_USER_INPUT');
  });
});

describe('captions and ownership', () => {
  test('the author edits: every edit is a new USER version, history kept', async () => {
    const { token } = await h.signUp('Editor');
    const p = await post(token, 'first');
    await h.gql('mutation($id:ID!){ editCaption(postId:$id, text:"second") { id } }', { id: p.id }, token);
    const r = await h.gql<{
      editCaption: { caption: { text: string; version: number }; captions: { text: string; version: number; source: string }[] };
    }>(
      'mutation($id:ID!){ editCaption(postId:$id, text:"third") { caption { text version } captions { text version source } } }',
      { id: p.id },
      token,
    );
    expect(r.data!.editCaption.caption).toEqual({ text: 'third', version: 3 });
    expect(r.data!.editCaption.captions.map((c) => `${c.version}:${c.source}:${c.text}`)).toEqual([
      '1:USER:first',
      '2:USER:second',
      '3:USER:third',
    ]);
    const empty = await h.gql('mutation($id:ID!){ editCaption(postId:$id, text:"   ") { id } }', { id: p.id }, token);
    expect(code(empty)).toBe('BAD_USER_INPUT');
  });

  test("editing, deleting, retrying or reading analytics of someone else's post: FORBIDDEN, nothing changes", async () => {
    const owner = await h.signUp('Owner');
    const other = await h.signUp('Other');
    const p = await post(owner.token, 'mine');
    for (const op of [
      'mutation($id:ID!){ editCaption(postId:$id, text:"hacked") { id } }',
      'mutation($id:ID!){ deletePost(postId:$id) }',
      'mutation($id:ID!){ retryCaption(postId:$id) { id } }',
      'query($id:ID!){ captionAnalytics(postId:$id) { views } }',
    ]) {
      expect(code(await h.gql(op, { id: p.id }, other.token))).toBe('FORBIDDEN');
    }
    const still = await h.gql<{ post: { caption: { text: string } } }>('query($id:ID!){ post(id:$id) { caption { text } } }', {
      id: p.id,
    });
    expect(still.data!.post.caption.text).toBe('mine');
  });

  test('unknown post: NOT_FOUND for mutations, null for post()', async () => {
    const { token } = await h.signUp('Nf');
    expect(code(await h.gql('mutation { editCaption(postId:"nope", text:"x") { id } }', {}, token))).toBe('NOT_FOUND');
    expect(code(await h.gql('mutation { likePost(postId:"nope") { id } }', {}, token))).toBe('NOT_FOUND');
    expect((await h.gql('{ post(id:"nope") { id } }')).data).toEqual({ post: null });
  });

  test('delete removes the post, its rows and its files (kept while another post shares them)', async () => {
    const { token } = await h.signUp('Deleter');
    const bytes = await makeJpeg({ width: 500, height: 300 });
    const a = await post(token, 'a', bytes);
    const b = await post(token, 'b', bytes); // same content, same files
    const file = path.basename(a.imageUrl);
    expect(
      (await h.gql<{ deletePost: boolean }>('mutation($id:ID!){ deletePost(postId:$id) }', { id: a.id }, token)).data!.deletePost,
    ).toBe(true);
    expect(mediaFiles()).toContain(file);
    await h.gql('mutation($id:ID!){ deletePost(postId:$id) }', { id: b.id }, token);
    expect(mediaFiles()).not.toContain(file);
    expect(await h.app.deps.store.posts.findById(a.id)).toBeNull();
    expect(await h.app.deps.store.jobs.findByPost(b.id)).toEqual([]);
    expect(code(await h.gql('mutation($id:ID!){ deletePost(postId:$id) }', { id: a.id }, token))).toBe('NOT_FOUND');
  });
});
