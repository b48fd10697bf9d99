import { graphql, GraphQLError, parse } from 'graphql';
import { analyseSharedOperation, SharedResultCache } from './shared-results';
import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from './testing/harness';

let h: Harness;
let ann: { token: string; id: string };
let bob: { token: string; id: string };
const ids: string[] = [];

beforeAll(async () => {
  h = await createHarness();
  ann = await h.signUp('Ann');
  bob = await h.signUp('Bob');
  for (let i = 0; i < 3; i++) {
    const r = await h.gql<{ createPost: { id: string } }>(
      CREATE_POST,
      { image: uploadOf(await makeJpeg()), caption: `caption ${i}` },
      i % 2 ? ann.token : bob.token,
    );
    if (r.errors) throw r.errors[0];
    ids.push(r.data!.createPost.id);
  }
  await like(ids[0]!, ann.token);
});
afterAll(() => h.close());

async function like(id: string, token: string) {
  const r = await h.gql('mutation($id: ID!) { likePost(postId: $id) { id } }', { id }, token);
  if (r.errors) throw r.errors[0];
}

// The bench's feed query, with an alias and the per-viewer field in the middle (key order matters).
const FEED = `query Feed($after: String) { feed(first: 20, after: $after) {
  edges { cursor node { id authorName mine: likedByMe imageUrl caption { id text source version } hashtags likeCount
    likedByMe createdAt } }
  pageInfo { hasNextPage endCursor } } }`;

/** graphql-js, no sharing: the reference the shared path must match byte for byte (key order included). */
async function reference(source: string, token: string | null, variables: Record<string, unknown> = {}) {
  return JSON.stringify(
    await graphql({ schema: h.schema, source, variableValues: variables, contextValue: await h.context(token) }),
  );
}
const served = async (source: string, token: string | null, variables: Record<string, unknown> = {}) =>
  JSON.stringify(await h.gql(source, variables, token));

describe('shared results', () => {
  test("one execution serves every viewer, each with its own likedByMe, identical to graphql-js's answer", async () => {
    const feedReads = jest.spyOn(h.app.deps.services.posts, 'everyoneFeed');
    try {
      for (const token of [ann.token, bob.token, null, ann.token])
        expect(await served(FEED, token)).toBe(await reference(FEED, token));
      expect(feedReads).toHaveBeenCalledTimes(5); // the references' four and one shared by the four served answers...
      feedReads.mockClear();
      await served(FEED, bob.token);
      expect(feedReads).not.toHaveBeenCalled(); // ...and the next one too
      const mine = JSON.parse(await served(FEED, ann.token)).data.feed.edges.map((e: { node: { mine: boolean } }) => e.node.mine);
      expect(mine).toEqual([false, false, true]); // newest first: Ann liked the oldest
    } finally {
      feedReads.mockRestore();
    }
  });

  test("read-your-writes: the viewer's own like, an edit and a new post are in the next answer", async () => {
    await served(FEED, bob.token);
    await like(ids[2]!, bob.token);
    expect(await served(FEED, bob.token)).toBe(await reference(FEED, bob.token));
    expect(JSON.parse(await served(FEED, bob.token)).data.feed.edges[0].node).toMatchObject({ likedByMe: true, likeCount: 1 });

    const edit = await h.gql('mutation($id: ID!) { editCaption(postId: $id, text: "edited") { id } }', { id: ids[1] }, ann.token);
    expect(edit.errors).toBeUndefined();
    expect(JSON.parse(await served(FEED, bob.token)).data.feed.edges[1].node.caption.text).toBe('edited');

    const created = await h.gql(CREATE_POST, { image: uploadOf(await makeJpeg()), caption: 'newest' }, ann.token);
    expect(created.errors).toBeUndefined();
    expect(JSON.parse(await served(FEED, bob.token)).data.feed.edges[0].node.caption.text).toBe('newest');
    expect(await served(FEED, ann.token)).toBe(await reference(FEED, ann.token));
  });

  test('cursor pages are shared per cursor', async () => {
    const first = JSON.parse(await served(FEED, ann.token)).data.feed;
    const variables = { after: first.edges[1].cursor };
    for (const token of [ann.token, bob.token])
      expect(await served(FEED, token, variables)).toBe(await reference(FEED, token, variables));
  });

  test('what depends on the viewer or on unversioned data is never shared: the FOLLOWING feed, emails, bios; nor are directives', async () => {
    const follow = await h.gql('mutation($id: ID!) { follow(userId: $id) { id } }', { id: bob.id }, ann.token);
    expect(follow.errors).toBeUndefined();
    const following = '{ feed(scope: FOLLOWING) { edges { node { id authorName } } } }';
    const emails = '{ feed { edges { node { author { id email } } } } }';
    for (const source of [following, emails]) {
      for (const token of [ann.token, bob.token]) expect(await served(source, token)).toBe(await reference(source, token));
    }
    const own = JSON.parse(await served(emails, ann.token)).data.feed.edges.map(
      (e: { node: { author: { email: string | null } } }) => e.node.author.email,
    );
    expect(own.filter(Boolean).length).toBeGreaterThan(0); // Ann sees her own email only...
    expect(own.filter(Boolean).length).toBeLessThan(own.length);

    // A variable's default decides the scope: Carol must not get Ann's FOLLOWING feed, nor an anonymous caller.
    const byDefault = 'query F($s: FeedScope = FOLLOWING) { feed(scope: $s) { edges { node { id } } } }';
    const carol = await h.signUp('Carol');
    for (const token of [ann.token, carol.token, null])
      expect(JSON.parse(await served(byDefault, token))).toEqual(JSON.parse(await reference(byDefault, token)));
    expect(JSON.parse(await served(byDefault, carol.token)).data.feed.edges).toEqual([]);
    // A client's alias cannot stand in for the parent id the per-viewer fields are read by.
    const alias = '{ feed { edges { node { __sharedResultParentId: likeCount likedByMe } } } }';
    for (const token of [ann.token, bob.token]) expect(await served(alias, token)).toBe(await reference(alias, token));

    const schema = { getQueryType: () => h.schema.getQueryType() };
    expect(analyseSharedOperation(schema, parse(emails))).toBeNull();
    expect(analyseSharedOperation(schema, parse('{ feed { edges { node { author { bio } } } } }'))).toBeNull();
    expect(
      analyseSharedOperation(schema, parse('query($c: Boolean!) { feed { edges { cursor @include(if: $c) } } }')),
    ).toBeNull();
    expect(analyseSharedOperation(schema, parse('mutation { logOut }'))).toBeNull();
    const op = analyseSharedOperation(schema, parse(following))!;
    expect(op.conditions).toHaveLength(1); // shared only when the scope argument allows (checked per request)
  });

  test("the web app's feed (fragments, translations, comment counts, avatars) is shared, and follows translations and comments", async () => {
    const WEB_FEED = `query Feed($first: Int!, $after: String, $scope: FeedScope!) {
      feed(first: $first, after: $after, scope: $scope) { edges { cursor node { ...Card } } pageInfo { hasNextPage endCursor } } }
      fragment Author on User { id displayName avatarUrl }
      fragment Card on Post { id imageUrl captionStatus caption { id text } translations { language text captionId }
        translationStatus likeCount likedByMe hashtags commentCount author { ...Author } ...More }
      fragment More on Post { id likedByMe de: caption(language: "de") { id text language } author { id } }`;
    const variables = { first: 5, scope: 'EVERYONE' };
    const feedReads = jest.spyOn(h.app.deps.services.posts, 'everyoneFeed');
    try {
      await served(WEB_FEED, ann.token, variables);
      feedReads.mockClear();
      expect(await served(WEB_FEED, bob.token, variables)).toBe(await reference(WEB_FEED, bob.token, variables));
      expect(feedReads).toHaveBeenCalledTimes(1); // the reference's: the served answer was shared
    } finally {
      feedReads.mockRestore();
    }
    const top = async () => JSON.parse(await served(WEB_FEED, bob.token, variables)).data.feed.edges[0].node;
    const post = (await top()).id as string;
    const captionId = (await top()).caption.id as string;
    await h.app.deps.store.translations.save({ captionId, language: 'de', text: 'Ein Hund.', model: 'm' });
    expect((await top()).translations).toEqual([{ language: 'de', text: 'Ein Hund.', captionId }]);
    expect((await top()).de).toEqual({ id: `${captionId}:de`, text: 'Ein Hund.', language: 'de' });
    const comment = await h.gql('mutation($p: ID!) { addComment(postId: $p, text: "nice") { id } }', { p: post }, ann.token);
    expect(comment.errors).toBeUndefined();
    expect((await top()).commentCount).toBe(1);
    expect(await served(WEB_FEED, ann.token, variables)).toBe(await reference(WEB_FEED, ann.token, variables));
  });

  test('errors are answered as graphql-js answers them, and not kept', async () => {
    const bad = 'query($n: Int) { feed(first: $n) { edges { cursor } } }';
    // (graphql-jit writes "data" before "errors"; the unshared path always did)
    for (let i = 0; i < 2; i++)
      expect(JSON.parse(await served(bad, ann.token, { n: 0 }))).toEqual(JSON.parse(await reference(bad, ann.token, { n: 0 })));
    expect(JSON.parse(await served(bad, ann.token, { n: 0 })).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const scope = 'query($s: FeedScope!) { feed(scope: $s) { edges { cursor } } }';
    for (const s of ['NOPE', 7, null]) {
      const r = JSON.parse(await served(scope, ann.token, { s }));
      expect([r.data ?? null, r.errors.length, r.errors[0].message]).toEqual([
        null,
        1,
        expect.stringMatching(/^Variable "\$s" (got invalid value|of non-null type)/),
      ]);
    }
  });
});

describe('SharedResultCache', () => {
  const ok = (text: string) => async () => ({ data: { text } });
  test('one execution per key and version, none kept after errors or failures, bounded by count and bytes', async () => {
    const cache = new SharedResultCache(2, 100);
    let runs = 0;
    const counted = () => {
      runs++;
      return ok('a')();
    };
    await Promise.all([cache.get('v1', 'k', counted), cache.get('v1', 'k', counted)]);
    await cache.get('v1', 'k', counted);
    expect(runs).toBe(1); // concurrent and later requests share one execution
    await cache.get('v2', 'k', counted);
    expect(runs).toBe(2); // a new version drops what was kept
    expect(cache.size.results).toBe(1);

    await cache.get('v2', 'bad', async () => ({ errors: [new GraphQLError('x')] }));
    await expect(cache.get('v2', 'fails', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.size.results).toBe(1); // neither kept

    await cache.get('v2', 'k2', ok('b'));
    await cache.get('v2', 'k3', ok('c'));
    expect(cache.size.results).toBe(2); // oldest out
    await cache.get('v2', 'big', ok('x'.repeat(80)));
    expect(cache.size.bytes).toBeLessThanOrEqual(100); // the byte budget pushed the others out
    expect(cache.size.results).toBe(1);
  });
});
