import { Schema, type Connection } from 'mongoose';

/**
 * Mongoose schemas of the MongoDB adapter. Ids are our own time-ordered strings (`_id: String`)
 * so cursors and ids look the same on both adapters. Every query path has an index.
 */

const user = new Schema(
  {
    _id: String,
    email: { type: String, required: true },
    emailLower: { type: String, required: true },
    displayName: { type: String, required: true },
    passwordHash: { type: String, default: null },
    bio: { type: String, default: '' },
    avatar: {
      type: new Schema({ key: String, file: String, width: Number, height: Number, bytes: Number }, { _id: false }),
      default: null,
    },
    /** Lower-cased words of displayName, for prefix search (wordsOf). */
    nameWords: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
    tokenVersion: { type: Number, default: 0 },
  },
  { versionKey: false },
);
user.index({ emailLower: 1 }, { unique: true });
user.index({ displayName: 'text' }, { name: 'user_search', default_language: 'none' });
user.index({ nameWords: 1 });
user.index({ 'avatar.key': 1 }, { sparse: true });

const session = new Schema(
  {
    _id: String,
    userId: { type: String, required: true },
    tokenVersion: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
session.index({ userId: 1 });
// MongoDB drops a session a day after it expires (its token is refused from expiry on anyway).
session.index({ expiresAt: 1 }, { expireAfterSeconds: 24 * 3600 });

const apiToken = new Schema(
  {
    _id: String,
    userId: { type: String, required: true },
    name: { type: String, required: true },
    tokenHash: { type: String, required: true },
    // Tokens from before scopes had full access.
    scope: { type: String, default: 'WRITE' },
    sessionId: { type: String, default: null },
    tokenVersion: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
apiToken.index({ tokenHash: 1 }, { unique: true });
apiToken.index({ userId: 1, createdAt: -1 });
apiToken.index({ sessionId: 1 });

const variant = new Schema({ key: String, file: String, width: Number, height: Number, bytes: Number }, { _id: false });

const post = new Schema(
  {
    _id: String,
    authorId: { type: String, required: true },
    image: { feed: variant, detail: variant, detailJpeg: variant },
    imageKey: { type: String, required: true },
    captionStatus: { type: String, required: true },
    captionError: { type: String, default: null },
    currentCaptionId: { type: String, default: null },
    suggestions: { type: [{ _id: false, text: String, score: Number }], default: [] },
    hashtags: { type: [String], default: [] },
    attention: { type: Schema.Types.Mixed, default: null },
    captionModel: { type: String, default: null },
    likeCount: { type: Number, default: 0 },
    viewCount: { type: Number, default: 0 },
    /** Keys of the live hashtags (hashtagKeys): lower-cased, without '#'. */
    tags: { type: [String], default: [] },
    /** The search document, rebuilt on every write of the live caption, its translations or hashtags. */
    search: {
      caption: { type: String, default: '' },
      translations: { type: String, default: '' },
      hashtags: { type: String, default: '' },
    },
    /** Lower-cased words of the search document, for prefix search ($text matches whole words only). */
    words: { type: [String], default: undefined },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
post.index({ createdAt: -1, _id: -1 });
post.index({ tags: 1, createdAt: -1, _id: -1 });
post.index({ words: 1 });
// No stemming or stop words: captions come in several languages.
post.index(
  { 'search.caption': 'text', 'search.translations': 'text', 'search.hashtags': 'text' },
  {
    name: 'post_search',
    default_language: 'none',
    weights: { 'search.caption': 3, 'search.hashtags': 2, 'search.translations': 1 },
  },
);
post.index({ authorId: 1, createdAt: -1, _id: -1 });
post.index({ imageKey: 1 });

const captionVersion = new Schema(
  {
    _id: String,
    postId: { type: String, required: true },
    text: { type: String, required: true },
    source: { type: String, required: true },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
captionVersion.index({ postId: 1, version: 1 }, { unique: true });

const like = new Schema(
  {
    postId: { type: String, required: true },
    userId: { type: String, required: true },
    authorId: { type: String, required: true },
    captionVersionId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
like.index({ postId: 1, userId: 1 }, { unique: true });
like.index({ userId: 1, postId: 1 });
like.index({ captionVersionId: 1 });
like.index({ authorId: 1, createdAt: 1 });

const view = new Schema(
  {
    postId: { type: String, required: true },
    viewerKey: { type: String, required: true },
    /** Anonymous views: the client address key the view was counted for. */
    addressKey: { type: String, default: null },
    authorId: { type: String, required: true },
    captionVersionId: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
view.index({ postId: 1, viewerKey: 1, createdAt: -1 });
view.index({ captionVersionId: 1 });
view.index({ authorId: 1, createdAt: 1 });

/**
 * Last counted view per (post, viewer) and per (post, anonymous address): makes "once per window"
 * race-free with a conditional upsert.
 */
const viewMark = new Schema(
  { _id: String, postId: { type: String, required: true }, lastCountedAt: { type: Date, required: true } },
  { versionKey: false },
);
viewMark.index({ postId: 1 });

/** The one job queue (every kind); see JobRepo in port.ts. */
const job = new Schema(
  {
    _id: String,
    kind: { type: String, required: true },
    postId: { type: String, required: true },
    captionId: { type: String, default: null },
    status: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    maxAttempts: { type: Number, required: true },
    runAt: { type: Date, required: true },
    leaseOwner: { type: String, default: null },
    leaseToken: { type: String, default: null },
    leaseExpiresAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
job.index({ status: 1, runAt: 1, createdAt: 1 });
job.index({ status: 1, leaseExpiresAt: 1 });
job.index({ postId: 1 });
job.index({ captionId: 1 });

/** One caption version in one language; `_id` is `<captionId>:<language>`. */
const translation = new Schema(
  {
    _id: String,
    captionId: { type: String, required: true },
    postId: { type: String, required: true },
    language: { type: String, required: true },
    text: { type: String, required: true },
    model: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
translation.index({ captionId: 1, language: 1 }, { unique: true });
translation.index({ postId: 1 });

/** `_id` is `<followerId>:<followeeId>`: one follow per pair. */
const follow = new Schema(
  {
    _id: String,
    followerId: { type: String, required: true },
    followeeId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
follow.index({ followerId: 1, followeeId: 1 }, { unique: true });
follow.index({ followeeId: 1 });

const comment = new Schema(
  {
    _id: String,
    postId: { type: String, required: true },
    authorId: { type: String, required: true },
    text: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
comment.index({ postId: 1, createdAt: 1, _id: 1 });

export function registerModels(conn: Connection) {
  return {
    User: conn.model('User', user, 'users'),
    Session: conn.model('Session', session, 'sessions'),
    ApiToken: conn.model('ApiToken', apiToken, 'api_tokens'),
    Post: conn.model('Post', post, 'posts'),
    CaptionVersion: conn.model('CaptionVersion', captionVersion, 'caption_versions'),
    Like: conn.model('Like', like, 'likes'),
    View: conn.model('View', view, 'views'),
    ViewMark: conn.model('ViewMark', viewMark, 'view_marks'),
    Job: conn.model('Job', job, 'jobs'),
    Translation: conn.model('Translation', translation, 'caption_translations'),
    Follow: conn.model('Follow', follow, 'follows'),
    Comment: conn.model('Comment', comment, 'comments'),
  };
}

export type Models = ReturnType<typeof registerModels>;
