import { LIMITS } from '@pixtale/shared';
import { decodeCursor, encodeCursor, type PostCursor } from '../store';
import { badInput } from './errors';

/** Validates `first` (1 to LIMITS.pageSizeMax) and decodes `after`; BAD_USER_INPUT when either is wrong. */
export function pageArgs(first: number, after?: string | null): { first: number; after?: PostCursor } {
  if (!Number.isInteger(first) || first < 1 || first > LIMITS.pageSizeMax) {
    throw badInput(`"first" must be between 1 and ${LIMITS.pageSizeMax}`, { field: 'first' });
  }
  if (!after) return { first };
  const cursor = decodeCursor(after);
  if (!cursor) throw badInput('Invalid cursor', { field: 'after' });
  return { first, after: cursor };
}

/**
 * A connection from `first + 1` rows fetched in list order (the extra row only tells whether
 * more follow). Cursors are the (createdAt, id) keyset of each node.
 */
export function connectionOf<T extends { id: string; createdAt: Date }>(rows: T[], first: number) {
  const edges = rows.slice(0, first).map((node) => ({ node, cursor: encodeCursor({ createdAt: node.createdAt, id: node.id }) }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}
