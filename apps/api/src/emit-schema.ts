import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { getSchema } from './schema';

/** The committed SDL (apps/api/schema.graphql) that clients read. */
export const SCHEMA_FILE = path.resolve(__dirname, '..', 'schema.graphql');

export async function printSdl(): Promise<string> {
  return `# Generated from the type-graphql resolvers by \`npm run schema -w @pixtale/api\`. Do not edit.\n\n${printSchema(
    lexicographicSortSchema(await getSchema()),
  )}\n`;
}

if (require.main === module) {
  void printSdl().then((sdl) => {
    fs.writeFileSync(SCHEMA_FILE, sdl);
    console.log(`wrote ${SCHEMA_FILE}`);
  });
}
