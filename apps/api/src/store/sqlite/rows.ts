import type { ApiTokenScope, CaptionSource, CaptionStatus } from '@pixtale/shared';
import type {
  ApiTokenRecord,
  AttentionRecord,
  CaptionStatsRecord,
  CaptionVersionRecord,
  CommentRecord,
  JobKind,
  JobRecord,
  JobStatus,
  PostRecord,
  SearchTerms,
  SessionRecord,
  TranslationRecord,
  UserRecord,
} from '../port';

/** Row mappers (SQLite rows to port records) and the SQL helpers every repository shares. */

export type Row = Record<string, unknown>;

const date = (v: unknown): Date => new Date(v as number);
const dateOrNull = (v: unknown): Date | null => (v == null ? null : new Date(v as number));
const json = <T>(v: unknown, fallback: T): T => (v == null ? fallback : (JSON.parse(v as string) as T));

export function toUser(r: Row): UserRecord {
  return {
    id: r.id as string,
    email: r.email as string,
    displayName: r.display_name as string,
    passwordHash: (r.password_hash as string | null) ?? null,
    bio: (r.bio as string | null) ?? '',
    avatar: json(r.avatar, null),
    createdAt: date(r.created_at),
    tokenVersion: r.token_version as number,
  };
}

export function toSession(r: Row): SessionRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    tokenVersion: r.token_version as number,
    createdAt: date(r.created_at),
    expiresAt: date(r.expires_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

export function toComment(r: Row): CommentRecord {
  return {
    id: r.id as string,
    postId: r.post_id as string,
    authorId: r.author_id as string,
    text: r.text as string,
    createdAt: date(r.created_at),
  };
}

/**
 * An FTS5 query from search terms: each word quoted (a string, so nothing in it is syntax) as a
 * prefix (`"bicy"*`), all required. Null when there is nothing to search for.
 */
export function ftsQuery(terms: SearchTerms): string | null {
  if (terms.words.length === 0) return null;
  return terms.words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(' ');
}

export function toToken(r: Row): ApiTokenRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    name: r.name as string,
    tokenHash: r.token_hash as string,
    scope: r.scope as ApiTokenScope,
    sessionId: (r.session_id as string | null) ?? null,
    tokenVersion: r.token_version as number,
    createdAt: date(r.created_at),
    lastUsedAt: dateOrNull(r.last_used_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

/**
 * `readAttention` gives the row's attention JSON; lists pass one that reads it from the table and
 * `keepAttention: false`, so a listed post (which may sit in the shared feed-page cache) never
 * holds its ~10 kB attention map once read.
 */
export function toPost(r: Row, readAttention: () => unknown = () => r.attention, keepAttention = true): PostRecord {
  const post: PostRecord = {
    id: r.id as string,
    authorId: r.author_id as string,
    image: json(r.image, null as never),
    captionStatus: r.caption_status as CaptionStatus,
    captionError: (r.caption_error as string | null) ?? null,
    currentCaptionId: (r.current_caption_id as string | null) ?? null,
    suggestions: json(r.suggestions, []),
    hashtags: json(r.hashtags, []),
    attention: null,
    captionModel: (r.caption_model as string | null) ?? null,
    likeCount: r.like_count as number,
    viewCount: r.view_count as number,
    createdAt: date(r.created_at),
  };
  // The attention map (8x8 weights per caption word, about 10 kB of JSON) is parsed on first
  // read: lists such as the feed read many rows and rarely ask for it.
  let attention: AttentionRecord | null | undefined;
  Object.defineProperty(post, 'attention', {
    enumerable: true,
    get: () => {
      if (attention !== undefined) return attention;
      const parsed = json<AttentionRecord | null>(readAttention(), null);
      if (keepAttention) attention = parsed;
      return parsed;
    },
    set: (v: AttentionRecord | null) => {
      attention = v;
    },
  });
  return post;
}

export function toCaption(r: Row): CaptionVersionRecord {
  return {
    id: r.id as string,
    postId: r.post_id as string,
    text: r.text as string,
    source: r.source as CaptionSource,
    version: r.version as number,
    createdAt: date(r.created_at),
  };
}

export function toJob(r: Row): JobRecord {
  return {
    id: r.id as string,
    kind: r.kind as JobKind,
    postId: r.post_id as string,
    captionId: (r.caption_id as string | null) ?? null,
    status: r.status as JobStatus,
    attempts: r.attempts as number,
    maxAttempts: r.max_attempts as number,
    runAt: date(r.run_at),
    leaseOwner: (r.lease_owner as string | null) ?? null,
    leaseToken: (r.lease_token as string | null) ?? null,
    leaseExpiresAt: dateOrNull(r.lease_expires_at),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function toTranslation(r: Row): TranslationRecord {
  return {
    captionId: r.caption_id as string,
    postId: r.post_id as string,
    language: r.language as string,
    text: r.text as string,
    model: r.model as string,
    createdAt: date(r.created_at),
  };
}

export function toStats(r: Row): CaptionStatsRecord {
  return { caption: toCaption(r), views: r.views as number, likes: r.likes as number };
}

// No `instanceof Error` here: errors from the native module may come from another realm (jest).
export const isUnique = (e: unknown) =>
  /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(String((e as { code?: unknown })?.code ?? ''));

export const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');
