import {
  execute,
  getOperationAST,
  GraphQLError,
  print,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { analyseSharedOperation, sharedFor, SharedResultCache, withViewerFields, type SharedOperation } from './shared-results';

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

export interface ExecutorOptions {
  /**
   * Shares results of queries made only of `@Shared()` and `@PerViewer()` fields between viewers
   * (shared-results.ts): `version` is the version of everything shared fields read, read once per
   * such request; null (a store that cannot tell) shares nothing. Absent: nothing is shared.
   */
  sharedResults?: { version(context: unknown): Promise<string | null> };
}

interface CompiledOperation {
  query: CompiledQuery | null;
  /** The operation's shared form and its compiled query, when it can be shared. */
  shared: { op: SharedOperation; query: CompiledQuery; key: string } | null;
}

/**
 * Runs queries and mutations with graphql-jit: each operation is compiled once into plain
 * JavaScript (no per-field interpretation of the AST), and kept per parsed document, which
 * Apollo reuses for repeated query strings. Same resolvers, same results and errors as
 * graphql-js; the API tests run through it (testing/harness.ts). Subscriptions, and anything
 * graphql-jit cannot compile, run on graphql-js.
 */
export function createExecutor(schema: GraphQLSchema, options: ExecutorOptions = {}): Executor {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledOperation>>();
  const sharedResults = options.sharedResults ? new SharedResultCache() : null;
  const interpret = (a: ExecuteArgs) =>
    execute({
      schema,
      document: a.document,
      variableValues: a.variableValues,
      contextValue: a.contextValue,
      operationName: a.operationName,
    });
  const jit = (document: DocumentNode, operationName: string | null | undefined): CompiledQuery | null => {
    const result = compileQuery(schema, document, operationName ?? undefined);
    return isCompiledQuery(result) ? result : null;
  };

  const compile = (document: DocumentNode, operationName: string | null | undefined): CompiledOperation => {
    let perDocument = compiled.get(document);
    if (!perDocument) compiled.set(document, (perDocument = new Map()));
    const name = operationName ?? '';
    let operation = perDocument.get(name);
    if (operation === undefined) {
      const op = getOperationAST(document, operationName);
      const query = op && op.operation !== 'subscription' ? jit(document, operationName) : null;
      const sharedOp = query && sharedResults ? analyseSharedOperation(schema, document, operationName) : null;
      const sharedQuery = sharedOp && jit(sharedOp.document, operationName);
      operation = {
        query,
        // Keyed by the shared operation's text: the same query sent as another document shares too.
        shared: sharedOp && sharedQuery ? { op: sharedOp, query: sharedQuery, key: print(sharedOp.document) } : null,
      };
      if (perDocument.size < MAX_OPERATIONS_PER_DOCUMENT) perDocument.set(name, operation);
    }
    return operation;
  };

  const run = (query: CompiledQuery, a: ExecuteArgs) => {
    const result = query.query(undefined, a.contextValue, a.variableValues ?? {});
    return isPromiseLike(result) ? result.then(withStandardErrors) : withStandardErrors(result);
  };

  /** The shared result with this request's per-viewer fields, or null where it must run in full. */
  const runShared = async (shared: NonNullable<CompiledOperation['shared']>, a: ExecuteArgs): Promise<ExecutionResult | null> => {
    const variables = a.variableValues ?? {};
    if (!sharedFor(schema, shared.op, variables)) return null;
    let result: ExecutionResult;
    try {
      const version = await options.sharedResults!.version(a.contextValue);
      if (version === null) return null;
      result = await sharedResults!.get(version, `${shared.key}|${JSON.stringify(variables)}`, async () => run(shared.query, a));
    } catch {
      return null; // the versions could not be read, or the shared execution failed: run in full
    }
    if (result.errors?.length) return null;
    try {
      return { data: (await withViewerFields(result.data, shared.op.plan, a.contextValue)) as ExecutionResult['data'] };
    } catch {
      return null; // a per-viewer field failed: the full execution reports it the usual way
    }
  };

  return async (a) => {
    const { query, shared } = compile(a.document, a.operationName);
    if (!query) return interpret(a);
    if (shared) {
      const result = await runShared(shared, a);
      if (result) return result;
    }
    return run(query, a);
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
