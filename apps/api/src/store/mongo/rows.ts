import type { ApiTokenScope, CaptionSource, CaptionStatus } from '@pixtale/shared';
import type {
  ApiTokenRecord,
  CaptionVersionRecord,
  CommentRecord,
  JobRecord,
  JobStatus,
  PostRecord,
  SessionRecord,
  TranslationRecord,
  UserRecord,
} from '../port';

/** Document mappers (lean mongoose documents to port records), shared by the repositories. */

// Lean documents are plain objects; we map them field by field into port records.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = Record<string, any>;

export const isDup = (e: unknown) => typeof e === 'object' && e !== null && (e as { code?: number }).code === 11000;

export function toUser(d: Doc): UserRecord {
  const avatar = d.avatar
    ? { key: d.avatar.key, file: d.avatar.file, width: d.avatar.width, height: d.avatar.height, bytes: d.avatar.bytes }
    : null;
  return {
    id: d._id,
    email: d.email,
    displayName: d.displayName,
    passwordHash: d.passwordHash ?? null,
    bio: d.bio ?? '',
    avatar,
    createdAt: d.createdAt,
    tokenVersion: d.tokenVersion ?? 0,
  };
}
export function toSession(d: Doc): SessionRecord {
  return {
    id: d._id,
    userId: d.userId,
    tokenVersion: d.tokenVersion,
    createdAt: d.createdAt,
    expiresAt: d.expiresAt,
    revokedAt: d.revokedAt ?? null,
  };
}
export function toComment(d: Doc): CommentRecord {
  return { id: d._id, postId: d.postId, authorId: d.authorId, text: d.text, createdAt: d.createdAt };
}

export function toToken(d: Doc): ApiTokenRecord {
  return {
    id: d._id,
    userId: d.userId,
    name: d.name,
    tokenHash: d.tokenHash,
    scope: (d.scope ?? 'WRITE') as ApiTokenScope,
    sessionId: d.sessionId ?? null,
    tokenVersion: d.tokenVersion ?? 0,
    createdAt: d.createdAt,
    lastUsedAt: d.lastUsedAt ?? null,
    revokedAt: d.revokedAt ?? null,
  };
}
export function toPost(d: Doc): PostRecord {
  return {
    id: d._id,
    authorId: d.authorId,
    image: d.image,
    captionStatus: d.captionStatus as CaptionStatus,
    captionError: d.captionError ?? null,
    currentCaptionId: d.currentCaptionId ?? null,
    suggestions: (d.suggestions ?? []).map((s: Doc) => ({ text: s.text, score: s.score })),
    hashtags: d.hashtags ?? [],
    attention: d.attention ?? null,
    captionModel: d.captionModel ?? null,
    likeCount: d.likeCount ?? 0,
    viewCount: d.viewCount ?? 0,
    createdAt: d.createdAt,
  };
}
export function toCaption(d: Doc): CaptionVersionRecord {
  return {
    id: d._id,
    postId: d.postId,
    text: d.text,
    source: d.source as CaptionSource,
    version: d.version,
    createdAt: d.createdAt,
  };
}
export function toJob(d: Doc): JobRecord {
  return {
    id: d._id,
    kind: d.kind,
    postId: d.postId,
    captionId: d.captionId ?? null,
    status: d.status as JobStatus,
    attempts: d.attempts,
    maxAttempts: d.maxAttempts,
    runAt: d.runAt,
    leaseOwner: d.leaseOwner ?? null,
    leaseToken: d.leaseToken ?? null,
    leaseExpiresAt: d.leaseExpiresAt ?? null,
    lastError: d.lastError ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
export function toTranslation(d: Doc): TranslationRecord {
  return { captionId: d.captionId, postId: d.postId, language: d.language, text: d.text, model: d.model, createdAt: d.createdAt };
}
