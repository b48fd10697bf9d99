import { parse } from 'graphql';
import { getSchema } from '../schema';
import { checkQueryLimits, rootFieldsOf } from './limits';

test('depth limit follows fragments and reports QUERY_TOO_COMPLEX / QUERY_TOO_DEEP', async () => {
  const schema = await getSchema();
  const doc = parse('{ feed { edges { node { ...P } } } } fragment P on Post { attention { words { word } } }');
  expect(checkQueryLimits(schema, doc, {}, undefined, { maxDepth: 6, maxComplexity: 10_000 })).toBeNull();
  const err = checkQueryLimits(schema, doc, {}, undefined, { maxDepth: 5, maxComplexity: 10_000 });
  expect(err?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', reason: 'QUERY_TOO_DEEP', depth: 6 });
});

test('complexity multiplies list fields by their page size', async () => {
  const schema = await getSchema();
  const q = (first: number) => parse(`{ feed(first: ${first}) { edges { node { id captions { id text } } } } }`);
  expect(checkQueryLimits(schema, q(5), {}, undefined)).toBeNull();
  const err = checkQueryLimits(schema, q(50), {}, undefined, { maxDepth: 10, maxComplexity: 500 });
  expect(err?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', reason: 'QUERY_TOO_COSTLY' });
});

test('root fields of the chosen operation', () => {
  const doc = parse(
    'query A { feed { edges { cursor } } } mutation B { logIn(email:"a", password:"b") { token } likePost(postId:"1") { id } }',
  );
  expect(rootFieldsOf(doc, 'B')).toEqual(['logIn', 'likePost']);
  expect(rootFieldsOf(doc, 'A')).toEqual(['feed']);
});
