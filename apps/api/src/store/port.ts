import type { ApiTokenScope, CaptionSource, CaptionStatus } from '@pixtale/shared';

/**
 * The store port: every repository the API needs, as plain async interfaces.
 * Adapters: SQLite (embedded default) and MongoDB through mongoose.
 * Both pass the same contract suite (contract.test-suite.ts).
 * Ids are opaque strings. Times are `Date`s.
 */

export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  /** argon2id hash; null for accounts that only sign in with Google. */
  passwordHash: string | null;
  /** Public profile text ('' when none). */
  bio: string;
  /** The profile picture: a small square WebP (content-addressed like post images), null when none. */
  avatar: ImageVariant | null;
  createdAt: Date;
  /**
   * Raised by "log out everywhere": sessions and API tokens made under an older version are
   * refused on every request.
   */
  tokenVersion: number;
}

/** One sign-in: its id is the session token's `jti`, so this one session can be ended (logOut). */
export interface SessionRecord {
  id: string;
  userId: string;
  /** The user's tokenVersion when it was made. */
  tokenVersion: number;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Public counts of a user's profile. */
export interface UserStatsRecord {
  userId: string;
  postCount: number;
  followerCount: number;
  followingCount: number;
}

export interface CommentRecord {
  id: string;
  postId: string;
  authorId: string;
  text: string;
  createdAt: Date;
}

/** A hashtag and how many posts' live hashtags include it. `tag` is its key: lower-cased, without '#'. */
export interface HashtagRecord {
  tag: string;
  postCount: number;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  /** sha256 of the token; the token itself is shown once and never stored. */
  tokenHash: string;
  scope: ApiTokenScope;
  /** The session it was created in (null for tokens from before sessions were recorded); ending that session revokes it. */
  sessionId: string | null;
  /** The user's tokenVersion when it was made. */
  tokenVersion: number;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ImageVariant {
  /** Content address: sha256 hex of the file bytes. */
  key: string;
  /** File name under DATA_DIR/media, e.g. `<key>.webp`. */
  file: string;
  width: number;
  height: number;
  bytes: number;
}

export interface PostImage {
  feed: ImageVariant;
  detail: ImageVariant;
  /** JPEG of the detail size: what the captioner reads and what old clients can show. */
  detailJpeg: ImageVariant;
}

export interface CaptionSuggestionRecord {
  text: string;
  score: number;
}

export interface AttentionRecord {
  gridWidth: number;
  gridHeight: number;
  words: { word: string; weights: number[] }[];
}

export interface PostRecord {
  id: string;
  authorId: string;
  image: PostImage;
  captionStatus: CaptionStatus;
  /** Why captioning failed (status FAILED). */
  captionError: string | null;
  /** The live caption version, null until the first version exists. */
  currentCaptionId: string | null;
  suggestions: CaptionSuggestionRecord[];
  hashtags: string[];
  attention: AttentionRecord | null;
  /** Name of the model that captioned the post. */
  captionModel: string | null;
  likeCount: number;
  viewCount: number;
  createdAt: Date;
}

export interface CaptionVersionRecord {
  id: string;
  postId: string;
  text: string;
  source: CaptionSource;
  version: number;
  createdAt: Date;
}

export interface ViewRecord {
  postId: string;
  viewerKey: string;
  /** Anonymous views: the client address key the view was counted for. */
  addressKey: string | null;
  captionVersionId: string | null;
  createdAt: Date;
}

export type JobStatus = 'PENDING' | 'PROCESSING' | 'DONE' | 'FAILED';

/** What a job does: caption a post's image, or translate one caption version into every language. */
export type JobKind = 'caption' | 'translation';

/** One durable job of the one queue (table/collection `jobs`). */
export interface JobRecord {
  id: string;
  kind: JobKind;
  postId: string;
  /** The caption version to translate (kind `translation`); null for caption jobs. */
  captionId: string | null;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  /** Not claimable before this time (retry back-off). */
  runAt: Date;
  /** Who holds the lease (for logs). */
  leaseOwner: string | null;
  /**
   * A fresh random value per claim. Every later write of the claim (heartbeat, complete, fail,
   * release) must present it, so a worker whose lease expired and was claimed again by another
   * can no longer change the job, nor apply its result (see JobRepo.complete).
   */
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A claimed job, as its holder names it in every write. */
export interface JobLease {
  id: string;
  token: string;
}

/** One caption version translated into one language. */
export interface TranslationRecord {
  captionId: string;
  postId: string;
  /** Target language code, e.g. `de`. */
  language: string;
  text: string;
  /** Name of the translation model. */
  model: string;
  createdAt: Date;
}

/** Keyset cursor for newest-first post lists. */
export interface PostCursor {
  createdAt: Date;
  id: string;
}

export interface NewPost {
  authorId: string;
  image: PostImage;
  /** A caption the author wrote at upload; becomes version 1 (source USER). */
  caption: string | null;
}

export interface CaptionResultRecord {
  caption: string;
  suggestions: CaptionSuggestionRecord[];
  hashtags: string[];
  attention: AttentionRecord | null;
  model: string;
}

export interface CaptionStatsRecord {
  caption: CaptionVersionRecord;
  views: number;
  likes: number;
}

export interface DailyCountRecord {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  views: number;
  likes: number;
}

export interface UserRepo {
  /** Throws DuplicateError when the email (case-insensitive) is taken. */
  create(input: { email: string; displayName: string; passwordHash: string | null }): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | null>;
  findByIds(ids: readonly string[]): Promise<UserRecord[]>;
  findByEmail(email: string): Promise<UserRecord | null>;
  /**
   * "Log out everywhere": raises the user's tokenVersion (which alone refuses every older session
   * and API token), then marks their live sessions and API tokens revoked. Returns the new version.
   */
  revokeAllSessions(userId: string, at: Date): Promise<number>;
  /** Changes the given profile fields (`avatar: null` removes the picture); null when there is no such user. */
  updateProfile(
    id: string,
    patch: { displayName?: string; bio?: string; avatar?: ImageVariant | null },
  ): Promise<UserRecord | null>;
  /** How many users have this avatar file (for content-addressed file cleanup). */
  countByAvatarKey(key: string): Promise<number>;
  /** Post, follower and following counts of the users (one record per existing id). */
  stats(ids: readonly string[]): Promise<UserStatsRecord[]>;
  /** Full-text search over display names (see SearchTerms): best match first. */
  search(terms: SearchTerms, first: number): Promise<UserRecord[]>;
}

export interface FollowRepo {
  /** False when already following. */
  follow(followerId: string, followeeId: string, at: Date): Promise<boolean>;
  /** False when not following. */
  unfollow(followerId: string, followeeId: string): Promise<boolean>;
  /** The ids among `userIds` that the follower follows. */
  followedIds(followerId: string, userIds: readonly string[]): Promise<string[]>;
}

export interface CommentRepo {
  /** Null when the post does not exist (any more). */
  create(input: { postId: string; authorId: string; text: string }): Promise<CommentRecord | null>;
  findById(id: string): Promise<CommentRecord | null>;
  findByIds(ids: readonly string[]): Promise<CommentRecord[]>;
  /** Deletes the comment; returns it, or null when there was none. */
  delete(id: string): Promise<CommentRecord | null>;
  /** A post's comments, oldest first (conversation order); `after` is exclusive. */
  listByPost(postId: string, opts: { first: number; after?: PostCursor }): Promise<CommentRecord[]>;
  /** Comment counts of the posts (posts without comments may be left out). */
  countByPosts(postIds: readonly string[]): Promise<{ postId: string; count: number }[]>;
}

export interface SessionRepo {
  /** Also forgets sessions that expired more than a day ago. */
  create(input: { userId: string; tokenVersion: number; expiresAt: Date }): Promise<SessionRecord>;
  findById(id: string): Promise<SessionRecord | null>;
  /**
   * Ends the user's session and revokes the API tokens created in it (tokens first, so a failure
   * half-way leaves the session live and the call can be repeated). False when no such live session.
   */
  revoke(userId: string, id: string, at: Date): Promise<boolean>;
}

export interface ApiTokenRepo {
  create(input: {
    userId: string;
    name: string;
    tokenHash: string;
    scope: ApiTokenScope;
    sessionId: string | null;
    tokenVersion: number;
  }): Promise<ApiTokenRecord>;
  findByHash(tokenHash: string): Promise<ApiTokenRecord | null>;
  listByUser(userId: string): Promise<ApiTokenRecord[]>;
  /** Revokes the user's token; false when no such live token. */
  revoke(userId: string, id: string): Promise<boolean>;
  touch(id: string, at: Date): Promise<void>;
}

/** See PostRepo.feedVersions. */
export interface FeedVersions {
  content: number;
  counts: number;
  extras: number;
}

export interface PostCountsRecord {
  id: string;
  likeCount: number;
  viewCount: number;
}

export interface PostRepo {
  /** Creates the post and, when a caption is given, its version 1 (USER), atomically. Queues no job. */
  create(input: NewPost): Promise<PostRecord>;
  findById(id: string): Promise<PostRecord | null>;
  findByIds(ids: readonly string[]): Promise<PostRecord[]>;
  /**
   * Newest first; `after` is exclusive. Filters: one author's posts, the posts of the users
   * `followedBy` follows, posts whose live hashtags include `hashtag` (a key: see hashtagKey).
   */
  list(opts: {
    first: number;
    after?: PostCursor;
    authorId?: string;
    followedBy?: string;
    hashtag?: string;
  }): Promise<PostRecord[]>;
  /**
   * Three numbers a process may cache under, read together (one query). `content` changes whenever
   * anything a feed page shows from the store may have changed except like and view counts: posts,
   * caption versions, authors' names and pictures. `counts` changes whenever a like or view count
   * does. `extras` changes with what a post shows beyond its row, caption and author: its captions'
   * translations, their translation jobs' status, its comments (the feed-page cache ignores it;
   * results shared between viewers are kept under all three). Read by every process on the same
   * store, so what was cached under one value is never served after a change, from any process.
   * Null when the adapter cannot tell (MongoDB today): then nothing may be cached on it.
   */
  feedVersions(): Promise<FeedVersions | null>;
  /** Like and view counts of these posts (one record per existing id). */
  countsByIds(ids: readonly string[]): Promise<PostCountsRecord[]>;
  /** How many posts' live hashtags include the tag (a key: see hashtagKey). */
  countByHashtag(tag: string): Promise<number>;
  /**
   * Full-text search over the live caption, its translations and the live hashtags: every term
   * must match (as a word prefix); best match first.
   */
  search(terms: SearchTerms, first: number): Promise<PostRecord[]>;
  /** Hashtags starting with one of the terms (their keys), with their post counts, most used first. */
  searchHashtags(terms: SearchTerms, first: number): Promise<HashtagRecord[]>;
  /** Deletes the post with its captions, translations, likes, views and jobs; returns the deleted post. */
  delete(id: string): Promise<PostRecord | null>;
  /** How many posts use an image with this detail key (for content-addressed file cleanup). */
  countByImageKey(key: string): Promise<number>;
  setCaptionStatus(id: string, status: PostRecord['captionStatus'], error?: string | null): Promise<void>;
  /**
   * Stores a machine caption: suggestions, hashtags, attention, status READY, and a MODEL
   * caption version when the post has none yet (`addedVersion`). Atomic. Null when no such post.
   */
  applyCaptionResult(
    id: string,
    result: CaptionResultRecord,
  ): Promise<{ post: PostRecord; addedVersion: CaptionVersionRecord | null } | null>;
}

export interface CaptionRepo {
  /**
   * Adds the next version (source USER or MODEL) and makes it live. Atomic. Queues no job.
   * `hashtags`, when given, replace the post's hashtags in the same write (they follow the live version).
   */
  addVersion(
    postId: string,
    text: string,
    source: CaptionVersionRecord['source'],
    opts?: { hashtags?: string[] },
  ): Promise<CaptionVersionRecord>;
  findById(id: string): Promise<CaptionVersionRecord | null>;
  findByIds(ids: readonly string[]): Promise<CaptionVersionRecord[]>;
  /** All versions of the posts, oldest first. */
  listByPosts(postIds: readonly string[]): Promise<CaptionVersionRecord[]>;
}

export interface EngagementRepo {
  /** Likes the post, attributing it to the live caption version. False when already liked. */
  like(postId: string, userId: string, at: Date): Promise<boolean>;
  /** False when it was not liked. */
  unlike(postId: string, userId: string): Promise<boolean>;
  /** The post ids among `postIds` that the user likes. */
  likedPostIds(userId: string, postIds: readonly string[]): Promise<string[]>;
  /**
   * Counts a view unless the same viewer's last counted view of the post is younger than
   * `windowMs`, or (when `address` is given: anonymous viewers) a view from the same address
   * was counted for the post within `address.windowMs`, whatever its viewer key; attributed to
   * the live caption version. True when counted. Atomic: concurrent calls count at most once.
   */
  recordView(
    postId: string,
    viewerKey: string,
    at: Date,
    windowMs: number,
    address?: { key: string; windowMs: number },
  ): Promise<boolean>;
  /**
   * Views and likes per caption version of a post, oldest version first.
   * Analytics never include the author's own views (viewer key `user:<authorId>`) or likes.
   */
  captionStats(postId: string): Promise<CaptionStatsRecord[]>;
  /** Views and likes per caption version of all posts by an author (the author's own left out). */
  captionStatsByAuthor(authorId: string): Promise<CaptionStatsRecord[]>;
  /** Per-day views and likes received by an author's posts since `since` (the author's own left out). */
  dailyByAuthor(authorId: string, since: Date): Promise<DailyCountRecord[]>;
  /** All views and likes an author's posts received from others. */
  totalsByAuthor(authorId: string): Promise<{ views: number; likes: number }>;
}

/**
 * The one job queue: durable jobs with leases, heartbeats, back-off and crash recovery, for
 * every kind. What a job does is the worker's business (jobs/job.worker.ts); which jobs to
 * queue is the services' (inside store.transaction, with the writes that call for them).
 */
export interface JobRepo {
  enqueue(input: { kind: JobKind; postId: string; captionId?: string | null; maxAttempts: number }): Promise<JobRecord>;
  /**
   * Claims the oldest runnable job of one of `kinds`: PENDING with runAt <= now, or PROCESSING
   * whose lease expired (a crashed worker). Sets PROCESSING, a new lease (owner, fresh token,
   * expiry) and attempts + 1. Atomic: two workers never hold the same job.
   */
  claim(kinds: readonly JobKind[], owner: string, now: Date, leaseMs: number): Promise<JobRecord | null>;
  /** Extends the lease; false when it is no longer ours (expired and claimed again, or finished). */
  heartbeat(lease: JobLease, now: Date, leaseMs: number): Promise<boolean>;
  /**
   * DONE, when the lease is still ours; false otherwise. Called in the transaction that applies
   * the job's result, so a result is applied once, by the lease's holder.
   */
  complete(lease: JobLease): Promise<boolean>;
  /** Records a failure: back to PENDING at `retryAt`, or FAILED when `retryAt` is null. False when not ours. */
  fail(lease: JobLease, error: string, retryAt: Date | null): Promise<boolean>;
  /** Gives the job back unfinished (a stopping worker): PENDING now, this attempt not counted. */
  release(lease: JobLease): Promise<boolean>;
  /** Jobs of a post, oldest first (all kinds unless `kind`). */
  findByPost(postId: string, kind?: JobKind): Promise<JobRecord[]>;
  /** Translation jobs of the caption versions, oldest first. */
  findByCaptions(captionIds: readonly string[]): Promise<JobRecord[]>;
  countByStatus(kind?: JobKind): Promise<Record<JobStatus, number>>;
}

export interface TranslationRepo {
  /**
   * Stores the translation of a caption version into one language, replacing an earlier one.
   * Null when the caption version no longer exists (its post was deleted).
   */
  save(input: { captionId: string; language: string; text: string; model: string }): Promise<TranslationRecord | null>;
  /** Translations of the caption versions, ordered by caption id then language. */
  listByCaptions(captionIds: readonly string[]): Promise<TranslationRecord[]>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  users: UserRepo;
  sessions: SessionRepo;
  follows: FollowRepo;
  comments: CommentRepo;
  apiTokens: ApiTokenRepo;
  posts: PostRepo;
  captions: CaptionRepo;
  engagement: EngagementRepo;
  jobs: JobRepo;
  translations: TranslationRepo;
  /**
   * Runs `fn` in one transaction of the store: every store call made while `fn` runs (through
   * `tx` or this store) commits with it or not at all. Calls from elsewhere wait until it ends
   * (SQLite) or are isolated from it (MongoDB). `fn` must do nothing but store calls: it may be
   * run again when MongoDB reports a transient conflict. Nested calls join the outer transaction.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A search query as the stores take it: the words of what was typed, lower-cased, each made only
 * of letters, digits and marks (see search-terms.ts), so an adapter can quote them safely.
 */
export interface SearchTerms {
  words: string[];
}

/** A unique constraint was violated (duplicate email, second like...). */
export class DuplicateError extends Error {
  constructor(public readonly what: string) {
    super(`Duplicate ${what}`);
    this.name = 'DuplicateError';
  }
}

export function encodeCursor(c: PostCursor): string {
  return Buffer.from(`${c.createdAt.getTime()}:${c.id}`).toString('base64url');
}

export function decodeCursor(s: string): PostCursor | null {
  const raw = Buffer.from(s, 'base64url').toString('utf8');
  const m = /^(\d{1,15}):([A-Za-z0-9_-]{1,64})$/.exec(raw);
  if (!m) return null;
  return { createdAt: new Date(Number(m[1])), id: m[2]! };
}
