import {
  execute,
  getOperationAST,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

export interface ExecuteArgs {
  /** A parsed and validated document. */
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null;
  contextValue: unknown;
  operationName?: string | null;
}

export type Executor = (args: ExecuteArgs) => Promise<ExecutionResult> | ExecutionResult;

/** Compiled operations are kept per document; a document has few operations, this caps odd ones. */
const MAX_OPERATIONS_PER_DOCUMENT = 20;

/**
 * Runs queries and mutations with graphql-jit: each operation is compiled once into plain
 * JavaScript (no per-field interpretation of the AST), and kept per parsed document, which
 * Apollo reuses for repeated query strings. Same resolvers, same results and errors as
 * graphql-js; the API tests run through it (testing/harness.ts). Subscriptions, and anything
 * graphql-jit cannot compile, run on graphql-js.
 */
export function createExecutor(schema: GraphQLSchema): Executor {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();
  const interpret = (a: ExecuteArgs) =>
    execute({
      schema,
      document: a.document,
      variableValues: a.variableValues,
      contextValue: a.contextValue,
      operationName: a.operationName,
    });

  const compile = (document: DocumentNode, operationName: string | null | undefined): CompiledQuery | null => {
    let perDocument = compiled.get(document);
    if (!perDocument) compiled.set(document, (perDocument = new Map()));
    const key = operationName ?? '';
    let query = perDocument.get(key);
    if (query === undefined) {
      const op = getOperationAST(document, operationName);
      const result = op && op.operation !== 'subscription' ? compileQuery(schema, document, operationName ?? undefined) : null;
      query = result && isCompiledQuery(result) ? result : null;
      if (perDocument.size < MAX_OPERATIONS_PER_DOCUMENT) perDocument.set(key, query);
    }
    return query;
  };

  return (a) => {
    const query = compile(a.document, a.operationName);
    if (!query) return interpret(a);
    const result = query.query(undefined, a.contextValue, a.variableValues ?? {});
    return isPromiseLike(result) ? result.then(withStandardErrors) : withStandardErrors(result);
  };
}

const isPromiseLike = <T>(v: T | Promise<T>): v is Promise<T> => typeof (v as Promise<T>)?.then === 'function';

/**
 * graphql-jit's errors leave `extensions` undefined when the original error had none (variable
 * coercion, plain `Error`s from resolvers); graphql-js always sets it, and Apollo's error
 * formatting relies on it. Such errors are rebuilt as graphql-js errors (same message,
 * locations, path and original error).
 */
function withStandardErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.some((e) => !e.extensions)) return result;
  return {
    ...result,
    errors: result.errors.map((e) => {
      if (e.extensions) return e;
      const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined });
      (error as { locations?: readonly SourceLocation[] }).locations = e.locations;
      return error;
    }),
  };
}
