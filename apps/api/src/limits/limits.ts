import {
  Kind,
  type DocumentNode,
  type GraphQLError,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ErrorCode, ErrorReason, LIMITS } from '@pixtale/shared';
import { appError } from '../common/errors';
import type { Env } from '../env';
import { isLimiterVerdict, memoryLimiters, rateLimited, type LimiterFactory } from './limiter';

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
}

function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
}

/** Field nesting depth of a selection set, following fragments (introspection fields ignored). */
function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value.startsWith('__')) continue;
      max = Math.max(max, 1 + depthOf(s.selectionSet, fragments, seen));
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(s.selectionSet, fragments, seen));
    } else {
      const name = s.name.value;
      if (seen.has(name)) continue;
      const f = fragments.get(name);
      max = Math.max(max, depthOf(f?.selectionSet, fragments, new Set([...seen, name])));
    }
  }
  return max;
}

/**
 * Root field names of the operation that will run, once per occurrence (aliases repeat a field),
 * looking through inline fragments and fragment spreads: rate limits charge each of them, so
 * packing many mutations into one request or hiding them in a fragment buys nothing.
 */
export function rootFieldsOf(document: DocumentNode, operationName?: string | null): string[] {
  const op = operationOf(document, operationName);
  if (!op) return [];
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const fieldsOf = (set: SelectionSetNode, seen: Set<string>): string[] =>
    set.selections.flatMap((s) => {
      if (s.kind === Kind.FIELD) return [s.name.value];
      if (s.kind === Kind.INLINE_FRAGMENT) return fieldsOf(s.selectionSet, seen);
      const f = fragments.get(s.name.value);
      return f && !seen.has(f.name.value) ? fieldsOf(f.selectionSet, new Set([...seen, f.name.value])) : [];
    });
  return fieldsOf(op.selectionSet, new Set());
}

/**
 * Rejects operations nested deeper than `maxDepth` or costing more than `maxComplexity`
 * (one point per field; list fields multiply by their page size). Returns the error or null.
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limits: QueryLimits = { maxDepth: LIMITS.maxQueryDepth, maxComplexity: LIMITS.maxQueryComplexity },
): GraphQLError | null {
  // Clients repeat the same few operations: remember verdicts per (document, operation, variables).
  let perDoc = verdicts.get(document);
  if (!perDoc) verdicts.set(document, (perDoc = new Map()));
  const key = `${operationName ?? ''}|${limits.maxDepth}|${limits.maxComplexity}|${JSON.stringify(variables ?? {})}`;
  if (perDoc.has(key)) return perDoc.get(key)!;
  const verdict = computeQueryLimits(schema, document, variables, operationName, limits);
  if (perDoc.size < 1000) perDoc.set(key, verdict);
  return verdict;
}

/** Verdicts keyed by the parsed document (Apollo reuses parsed documents for repeated query strings). */
const verdicts = new WeakMap<DocumentNode, Map<string, GraphQLError | null>>();

function computeQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  limits: QueryLimits = { maxDepth: LIMITS.maxQueryDepth, maxComplexity: LIMITS.maxQueryComplexity },
): GraphQLError | null {
  const op = operationOf(document, operationName);
  if (!op) return null;
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const depth = depthOf(op.selectionSet, fragments, new Set());
  if (depth > limits.maxDepth) {
    return appError(ErrorCode.QUERY_TOO_COMPLEX, `Query is ${depth} levels deep; the limit is ${limits.maxDepth}`, {
      reason: ErrorReason.QUERY_TOO_DEEP,
      depth,
      maxDepth: limits.maxDepth,
      http: { status: 400 },
    });
  }
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    return null; // invalid variables etc.: let normal execution report it
  }
  if (complexity > limits.maxComplexity) {
    return appError(ErrorCode.QUERY_TOO_COMPLEX, `Query costs ${complexity} points; the limit is ${limits.maxComplexity}`, {
      reason: ErrorReason.QUERY_TOO_COSTLY,
      complexity,
      maxComplexity: limits.maxComplexity,
      http: { status: 400 },
    });
  }
  return null;
}

const AUTH_FIELDS = new Set(['logIn', 'signUp', 'signInWithGoogle']);
/** Operations that may carry an image to decode (updateProfile: a profile picture). */
const UPLOAD_FIELDS = new Set(['createPost', 'updateProfile']);
const COMMENT_FIELDS = new Set(['addComment']);

/**
 * Per-client rate limits (stores: see limiter.ts): every operation, plus tighter budgets for
 * sign-in, uploads and comments. `ip` is the client's address as resolved by client-address.ts.
 */
export class RateLimits {
  private readonly general: RateLimiterAbstract;
  private readonly auth: RateLimiterAbstract;
  private readonly upload: RateLimiterAbstract;
  private readonly comment: RateLimiterAbstract;

  constructor(
    env: Pick<
      Env,
      | 'RATE_LIMIT_POINTS'
      | 'RATE_LIMIT_WINDOW_SECONDS'
      | 'AUTH_RATE_LIMIT_POINTS'
      | 'UPLOAD_RATE_LIMIT_POINTS'
      | 'COMMENT_RATE_LIMIT_POINTS'
    >,
    createLimiter: LimiterFactory = memoryLimiters,
  ) {
    const duration = env.RATE_LIMIT_WINDOW_SECONDS;
    this.general = createLimiter({ keyPrefix: 'op', points: env.RATE_LIMIT_POINTS, duration });
    this.auth = createLimiter({ keyPrefix: 'auth', points: env.AUTH_RATE_LIMIT_POINTS, duration });
    this.upload = createLimiter({ keyPrefix: 'upload', points: env.UPLOAD_RATE_LIMIT_POINTS, duration });
    this.comment = createLimiter({ keyPrefix: 'comment', points: env.COMMENT_RATE_LIMIT_POINTS, duration });
  }

  /** Consumes the operation's points; throws RATE_LIMITED when a budget is spent. */
  async consume(clientKey: string, ip: string, rootFields: string[]): Promise<void> {
    try {
      await this.general.consume(clientKey);
      // One point per field, not per request: aliases could otherwise pack hundreds into one.
      const count = (fields: ReadonlySet<string>) => rootFields.filter((f) => fields.has(f)).length;
      const [auth, upload, comment] = [count(AUTH_FIELDS), count(UPLOAD_FIELDS), count(COMMENT_FIELDS)];
      if (auth) await this.auth.consume(`ip:${ip}`, auth);
      if (upload) await this.upload.consume(clientKey, upload);
      if (comment) await this.comment.consume(clientKey, comment);
    } catch (e) {
      if (isLimiterVerdict(e)) throw rateLimited(e.msBeforeNext);
      throw e;
    }
  }
}
