import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types for every operation in src/ from the API's published SDL. The output is not committed:
 * build, typecheck, lint and test regenerate it first, so a schema change that breaks an operation
 * or a component fails the web app's build.
 */
const config: CodegenConfig = {
  schema: '../api/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/graphql/generated/**'],
  ignoreNoDocuments: false,
  generates: {
    'src/graphql/generated/': {
      preset: 'client',
      presetConfig: { gqlTagName: 'graphql', fragmentMasking: false },
      config: {
        scalars: { DateTimeISO: 'string', Upload: 'File' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: true,
        documentMode: 'documentNode',
      },
    },
  },
  errorsOnly: true,
};

export default config;
