import { graphql, parse, type ExecutionResult } from 'graphql';
import { createExecutor } from './execution';
import { CREATE_POST, createHarness, makeJpeg, uploadOf, type Harness } from './testing/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const FEED = `query Feed($first: Int, $after: String) { feed(first: $first, after: $after) {
  edges { cursor node { id author { id displayName email } authorName imageUrl feedImageUrl images { feed { url width } }
    width height captionStatus captionError caption { id text source version createdAt } captionText captions { version text }
    suggestions { text score } hashtags attention { gridWidth words { word weights } } likeCount viewCount likedByMe createdAt } }
  pageInfo { hasNextPage endCursor } } }`;

/** The same operation through graphql-js (the reference) and through the server's executor. */
async function both(source: string, variables: Record<string, unknown>, token: string | null) {
  const execute = createExecutor(h.schema);
  const reference = (await graphql({
    schema: h.schema,
    source,
    variableValues: variables,
    contextValue: await h.context(token),
  })) as ExecutionResult;
  const jit = await execute({ document: parse(source), variableValues: variables, contextValue: await h.context(token) });
  return { reference: JSON.parse(JSON.stringify(reference)), jit: JSON.parse(JSON.stringify(jit)) };
}

describe('executor (graphql-jit)', () => {
  test('feed pages match graphql-js for each viewer: likedByMe, counts, authors, captions, attention', async () => {
    const ann = await h.signUp('Ann');
    const bob = await h.signUp('Bob');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await h.gql<{ createPost: { id: string } }>(
        CREATE_POST,
        { image: uploadOf(await makeJpeg()), caption: i % 2 ? `caption ${i}` : null },
        i % 2 ? ann.token : bob.token,
      );
      if (r.errors) throw r.errors[0];
      ids.push(r.data!.createPost.id);
    }
    await h.app.deps.store.posts.applyCaptionResult(ids[0]!, {
      caption: 'a dog',
      suggestions: [{ text: 'a dog', score: -0.2 }],
      hashtags: ['#dog'],
      attention: { gridWidth: 1, gridHeight: 1, words: [{ word: 'dog', weights: [1] }] },
      model: 'm',
    });
    for (const [id, token] of [
      [ids[0], ann.token],
      [ids[1], ann.token],
      [ids[1], bob.token],
    ] as const) {
      const r = await h.gql(`mutation($id: ID!) { likePost(postId: $id) { id } }`, { id }, token);
      if (r.errors) throw r.errors[0];
    }

    for (const token of [ann.token, bob.token, null]) {
      const first = await both(FEED, { first: 3 }, token);
      expect(first.jit).toEqual(first.reference);
      const after = first.jit.data.feed.pageInfo.endCursor as string;
      const next = await both(FEED, { first: 3, after }, token);
      expect(next.jit).toEqual(next.reference);
    }

    // likedByMe is per viewer, in the same page.
    const liked = async (token: string | null) => {
      const r = await both(FEED, { first: 10 }, token);
      const byId = new Map(
        (r.jit.data.feed.edges as { node: { id: string; likedByMe: boolean; likeCount: number } }[]).map((e) => [
          e.node.id,
          e.node,
        ]),
      );
      return ids.map((id) => [byId.get(id)?.likedByMe, byId.get(id)?.likeCount]);
    };
    expect(await liked(ann.token)).toEqual([
      [true, 1],
      [true, 2],
      [false, 0],
      [false, 0],
    ]);
    expect(await liked(bob.token)).toEqual([
      [false, 1],
      [true, 2],
      [false, 0],
      [false, 0],
    ]);
    expect(await liked(null)).toEqual([
      [false, 1],
      [false, 2],
      [false, 0],
      [false, 0],
    ]);
  });

  test('errors keep their codes, paths and locations, like graphql-js', async () => {
    const bad = await both('query($n: Int) { feed(first: $n) { edges { cursor } } }', { n: 0 }, null);
    expect(bad.jit).toEqual(bad.reference);
    expect(bad.jit.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const auth = await both('mutation { likePost(postId: "x") { id } }', {}, null);
    expect(auth.jit).toEqual(auth.reference);
    expect(auth.jit.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  test('variable coercion errors and plain errors carry extensions (Apollo formats them)', async () => {
    const execute = createExecutor(h.schema);
    const coerced = await execute({
      document: parse('query($n: Int) { feed(first: $n) { edges { cursor } } }'),
      variableValues: { n: 'ten' },
      contextValue: await h.context(),
    });
    expect(coerced.data).toBeUndefined();
    expect(coerced.errors?.[0]?.message).toMatch(/^Variable "\$n" got invalid value "ten"/);
    expect(coerced.errors?.[0]?.extensions).toEqual({});
    expect(coerced.errors?.[0]?.locations).toEqual([{ line: 1, column: 7 }]);

    const ctx = await h.context();
    const broken = {
      ...ctx,
      services: { ...ctx.services, posts: { ...ctx.services.posts, get: () => Promise.reject(new Error('disk on fire')) } },
    };
    const plain = await execute({ document: parse('{ post(id: "x") { id } }'), contextValue: broken });
    expect(plain.errors?.[0]?.message).toBe('disk on fire');
    expect(plain.errors?.[0]?.extensions).toEqual({});
    expect(plain.errors?.[0]?.path).toEqual(['post']);
    expect(plain.errors?.[0]?.originalError?.message).toBe('disk on fire');
  });

  test('a parsed document runs again from its compiled operation with the same result', async () => {
    const execute = createExecutor(h.schema);
    const document = parse('{ feed(first: 1) { pageInfo { hasNextPage } } }');
    const ctx = await h.context();
    const a = await execute({ document, contextValue: ctx });
    const b = await execute({ document, contextValue: ctx });
    expect(b).toEqual(a);
    expect(a.errors).toBeUndefined();
  });
});
