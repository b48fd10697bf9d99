import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate, type DocumentNode } from 'graphql';
import { AUTH_OPERATIONS } from '@/server/auth';
import * as ops from './operations';
import { MY_ANALYTICS } from './analytics';

// The API publishes its SDL; every operation the web app sends must validate against it.
const SDL = path.resolve(__dirname, '..', '..', '..', 'api', 'schema.graphql');
const run = fs.existsSync(SDL) ? describe : describe.skip;

run('operations match apps/api/schema.graphql', () => {
  const schema = buildSchema(fs.readFileSync(SDL, 'utf8'));
  const docs: Array<[string, DocumentNode]> = [
    ...Object.entries(ops)
      .filter(([name]) => !name.endsWith('_FIELDS'))
      .map(([name, doc]): [string, DocumentNode] => [name, typeof doc === 'string' ? parse(doc) : (doc as DocumentNode)]),
    ['MY_ANALYTICS', MY_ANALYTICS],
    ...Object.entries(AUTH_OPERATIONS).map(([name, src]): [string, DocumentNode] => [name, parse(src)]),
  ];

  it.each(docs)('%s', (_name, doc) => {
    expect(validate(schema, doc).map((e) => e.message)).toEqual([]);
  });
});
