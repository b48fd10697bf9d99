import {
  getArgumentValues,
  getNamedType,
  getOperationAST,
  getVariableValues,
  isObjectType,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import { Extensions } from 'type-graphql';

/**
 * Results shared by every viewer (issue 11's lever beyond the feed-page cache). A query that reads
 * only fields marked `@Shared()` (the same for every viewer, changing only when the store's feed
 * versions move) and `@PerViewer()` fields (`likedByMe`) is executed once per version and variables
 * without its per-viewer fields; every request then reads the versions (one indexed query), takes
 * the shared result and fills in its own per-viewer fields by the parent's id. A feed page then costs
 * a request no resolver runs at all but the per-viewer ones.
 *
 * Fragments on the same type are inlined and same-key fields merged (as graphql-js collects them).
 * Anything else runs as before: mutations, `@include`/`@skip`, interfaces, fields not marked,
 * arguments a `@Shared(when)` condition refuses (the FOLLOWING feed), a store that cannot tell
 * versions (null), a result with errors (executed again in full, so errors read as they always do).
 */

/** Decides from a field's arguments whether its value is shared. */
type SharedWhen = (args: Record<string, unknown>) => boolean;
/** A per-viewer field's value, from the request's context and the parent's `id`. */
export type PerViewerResolve = (context: never, parentId: string) => unknown;

const SHARED = 'sharedResult';
const PER_VIEWER = 'perViewerResult';

/**
 * On a field: its value is the same for every viewer and changes only with the store's feed
 * versions (see PostRepo.feedVersions for what moves them), optionally only for some arguments. On a
 * type: every field of it without arguments. Never on a field that looks at who asks (the viewer,
 * `@Authorized`): one viewer's answer would be served to all.
 */
export const Shared = (when?: SharedWhen) => Extensions({ [SHARED]: when ?? true });

/** On a leaf field of a type with an `id`: filled in per request by `resolve` (its resolver should call the same). */
export const PerViewer = (resolve: PerViewerResolve) => Extensions({ [PER_VIEWER]: resolve });

/** Where a shared result gets its per-viewer fields: mirrors the selections down to them. */
interface FillPlan {
  /** This level's response keys as the client selected them, in order, each copied, filled below or per viewer. */
  fields: { key: string; below?: FillPlan; perViewer?: PerViewerResolve }[];
}

/** An operation that can be shared, as analysed once per document. */
export interface SharedOperation {
  /** The operation alone, without per-viewer fields, with the parents' ids added under ID_KEY. */
  document: DocumentNode;
  /** Null when the operation has no per-viewer field. */
  plan: FillPlan | null;
  /** Argument conditions (`@Shared(when)`) to check against each request's variables. */
  conditions: { field: GraphQLField<unknown, unknown>; node: FieldNode; when: SharedWhen }[];
  /** The operation's variables, to coerce a request's (defaults included) before checking conditions. */
  variables: readonly VariableDefinitionNode[];
}

/** The alias under which a per-viewer field's parent id is fetched ("__" names are GraphQL's own, not a client's). */
const ID_KEY = '__sharedResultParentId';

const sharedMark = (type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): boolean | SharedWhen | undefined =>
  (field.extensions[SHARED] as boolean | SharedWhen | undefined) ??
  (type.extensions[SHARED] === true && field.args.length === 0 ? true : undefined);

/** The shared form of an operation, or null when it cannot be shared. */
export function analyseSharedOperation(
  schema: { getQueryType(): GraphQLObjectType | null | undefined },
  document: DocumentNode,
  operationName?: string | null,
): SharedOperation | null {
  const operation = getOperationAST(document, operationName);
  const query = schema.getQueryType();
  if (!operation || operation.operation !== 'query' || !query) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const conditions: SharedOperation['conditions'] = [];

  /**
   * The fields of these selection sets by response key, in first-seen order, with fragments on this
   * very type inlined (graphql-js's collectFields, for object types only); null for what is not shared
   * here: directives, fragments on another type (interfaces).
   */
  const collect = (sets: readonly SelectionSetNode[], type: GraphQLObjectType, into = new Map<string, FieldNode[]>()) => {
    for (const set of sets) {
      for (const node of set.selections) {
        if (node.directives?.length) return null;
        if (node.kind === Kind.FIELD) {
          const key = node.alias?.value ?? node.name.value;
          if (key === ID_KEY) return null; // a client's alias must not stand in for the parent id
          into.set(key, [...(into.get(key) ?? []), node]);
          continue;
        }
        const fragment = node.kind === Kind.FRAGMENT_SPREAD ? fragments.get(node.name.value) : node;
        if (!fragment || (fragment.typeCondition && fragment.typeCondition.name.value !== type.name)) return null;
        if (!collect([fragment.selectionSet], type, into)) return null;
      }
    }
    return into;
  };

  /** The shared selections of one level (fragments inlined, same-key fields merged) and how to fill it. */
  const walk = (
    sets: readonly SelectionSetNode[],
    type: GraphQLObjectType,
  ): { selections: SelectionNode[]; plan: FillPlan | null } | null => {
    const byKey = collect(sets, type);
    if (!byKey) return null;
    const selections: SelectionNode[] = [];
    const fields: FillPlan['fields'] = [];
    let filled = false;
    for (const [key, nodes] of byKey) {
      const node = nodes[0]!; // validation made every node of a key the same field with the same arguments
      const entry: FillPlan['fields'][number] = { key };
      fields.push(entry);
      if (node.name.value === '__typename') {
        selections.push(node);
        continue;
      }
      const field = type.getFields()[node.name.value];
      if (!field) return null;
      const perViewer = field.extensions[PER_VIEWER] as PerViewerResolve | undefined;
      if (perViewer) {
        if (node.selectionSet || !type.getFields().id) return null;
        entry.perViewer = perViewer;
        filled = true;
        continue;
      }
      const shared = sharedMark(type, field);
      if (!shared) return null;
      if (typeof shared === 'function') conditions.push({ field, node, when: shared });
      if (!node.selectionSet) {
        selections.push(node);
        continue;
      }
      const inner = getNamedType(field.type);
      if (!isObjectType(inner)) return null;
      const below = walk(
        nodes.map((n) => n.selectionSet!),
        inner,
      );
      if (!below) return null;
      if (below.plan) {
        entry.below = below.plan;
        filled = true;
      }
      selections.push({ ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: below.selections } });
    }
    if (fields.some((f) => f.perViewer)) {
      selections.push({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: ID_KEY }, name: { kind: Kind.NAME, value: 'id' } });
    }
    return { selections, plan: filled ? { fields } : null };
  };

  const root = walk([operation.selectionSet], query);
  if (!root) return null;
  return {
    document: {
      kind: Kind.DOCUMENT,
      definitions: [{ ...operation, selectionSet: { ...operation.selectionSet, selections: root.selections } }],
    },
    plan: root.plan,
    conditions,
    variables: operation.variableDefinitions ?? [],
  };
}

/**
 * Whether this request's arguments let the operation be shared: its variables coerced as execution
 * will coerce them (the operation's defaults included), then each condition on its field's arguments.
 */
export function sharedFor(schema: GraphQLSchema, op: SharedOperation, variables: Record<string, unknown>): boolean {
  if (!op.conditions.length) return true;
  try {
    const coerced = getVariableValues(schema, op.variables, variables);
    if (!coerced.coerced) return false; // the full execution reports the errors the usual way
    return op.conditions.every((c) => c.when(getArgumentValues(c.field, c.node, coerced.coerced)));
  } catch {
    return false;
  }
}

/**
 * The client's data: the shared data (never changed: other requests hold it) copied along the paths
 * to the per-viewer fields, which are resolved for this request. Every per-viewer value is asked for
 * before any is awaited, so DataLoader batches them (one query for a page's likedByMe); then the
 * copy is built in one pass, visiting the fields in the same order.
 */
export async function withViewerFields(data: unknown, plan: FillPlan | null, context: unknown): Promise<unknown> {
  if (!plan) return data;
  const asked: unknown[] = [];
  const ask = (value: unknown, at: FillPlan): void => {
    if (value == null) return;
    if (Array.isArray(value)) return value.forEach((item) => ask(item, at));
    const source = value as Record<string, unknown>;
    for (const f of at.fields) {
      if (f.below) ask(source[f.key], f.below);
      else if (f.perViewer) asked.push(f.perViewer(context as never, source[ID_KEY] as string));
    }
  };
  ask(data, plan);
  const answers = await Promise.all(asked);
  let next = 0;
  const build = (value: unknown, at: FillPlan): unknown => {
    if (value == null) return value;
    if (Array.isArray(value)) return value.map((item) => build(item, at));
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of at.fields)
      out[f.key] = f.below ? build(source[f.key], f.below) : f.perViewer ? answers[next++] : source[f.key];
    return out;
  };
  return build(data, plan);
}

/**
 * Shared results of this process under one version: a new version drops them all. Concurrent
 * requests for one result share one execution; a result with errors or a failed execution is not
 * kept. Bounded by count and by size (a result's JSON length, measured once when it is kept), oldest
 * out first.
 */
export class SharedResultCache {
  private version: string | null = null;
  private readonly results = new Map<string, { result: Promise<ExecutionResult>; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxResults = 256,
    private readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  get(version: string, key: string, execute: () => Promise<ExecutionResult>): Promise<ExecutionResult> {
    if (version !== this.version) {
      this.results.clear();
      this.bytes = 0;
      this.version = version;
    }
    const hit = this.results.get(key);
    if (hit) return hit.result;
    this.evict(this.maxResults - 1, this.maxBytes);
    const entry = { result: execute(), bytes: 0 };
    this.results.set(key, entry);
    const forget = () => {
      if (this.results.get(key) !== entry) return;
      this.results.delete(key);
      this.bytes -= entry.bytes;
    };
    entry.result.then((r) => {
      if (r.errors?.length) return forget();
      if (this.results.get(key) !== entry) return;
      entry.bytes = JSON.stringify(r.data ?? null).length;
      this.bytes += entry.bytes;
      this.evict(this.maxResults, this.maxBytes);
    }, forget);
    return entry.result;
  }

  /** Drops the oldest results until at most `count` are kept and they hold at most `bytes`. */
  private evict(count: number, bytes: number) {
    for (const [key, entry] of this.results) {
      if (this.results.size <= count && this.bytes <= bytes) return;
      this.results.delete(key);
      this.bytes -= entry.bytes;
    }
  }

  /** How many results are kept, and their size. */
  get size() {
    return { results: this.results.size, bytes: this.bytes };
  }
}
