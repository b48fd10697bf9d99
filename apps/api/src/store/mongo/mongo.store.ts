import type { AsyncLocalStorage } from 'node:async_hooks';
import mongoose, { type ClientSession } from 'mongoose';
import type { ApiTokenScope, CaptionSource, CaptionStatus } from '@pixtale/shared';
import { hashtagKeys } from '../hashtags';
import { newId, newLeaseToken } from '../ids';
import { wordsOf } from '../search-terms';
import { registerModels, type Models } from './models';
import {
  DuplicateError,
  type ApiTokenRecord,
  type CaptionStatsRecord,
  type CaptionVersionRecord,
  type CommentRecord,
  type DailyCountRecord,
  type HashtagRecord,
  type JobLease,
  type JobRecord,
  type JobStatus,
  type PostRecord,
  type SessionRecord,
  type SearchTerms,
  type Store,
  type TranslationRecord,
  type UserRecord,
} from '../port';

// Lean documents are plain objects; we map them field by field into port records.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

const isDup = (e: unknown) => typeof e === 'object' && e !== null && (e as { code?: number }).code === 11000;

function toUser(d: Doc): UserRecord {
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
function toSession(d: Doc): SessionRecord {
  return {
    id: d._id,
    userId: d.userId,
    tokenVersion: d.tokenVersion,
    createdAt: d.createdAt,
    expiresAt: d.expiresAt,
    revokedAt: d.revokedAt ?? null,
  };
}
function toComment(d: Doc): CommentRecord {
  return { id: d._id, postId: d.postId, authorId: d.authorId, text: d.text, createdAt: d.createdAt };
}

function toToken(d: Doc): ApiTokenRecord {
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
function toPost(d: Doc): PostRecord {
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
function toCaption(d: Doc): CaptionVersionRecord {
  return {
    id: d._id,
    postId: d.postId,
    text: d.text,
    source: d.source as CaptionSource,
    version: d.version,
    createdAt: d.createdAt,
  };
}
function toJob(d: Doc): JobRecord {
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
function toTranslation(d: Doc): TranslationRecord {
  return { captionId: d.captionId, postId: d.postId, language: d.language, text: d.text, model: d.model, createdAt: d.createdAt };
}

/** Search words are letters, digits and marks only; escaped all the same, since they end up in a regex. */
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** Diacritics folded ("Zoë" is found by "zoe"), as the text index and SQLite's FTS5 do. */
const fold = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
/** The words kept for prefix search: lower-cased, folded, distinct. */
const prefixWords = (text: string) => [...new Set(wordsOf(text).map(fold).filter(Boolean))];
/** Documents having, for every search word, a word (in `field`) that starts with it. */
const prefixFilter = (field: string, terms: SearchTerms): Doc => ({
  $and: terms.words.map((w) => ({ [field]: { $regex: `^${escapeRegex(fold(w))}` } })),
});
/**
 * Orders prefix matches like the text index weighs fields: per search word, 3 when a word of the
 * caption starts with it, 2 for the hashtags, 1 for the translations; newest first among equals.
 */
function byPrefixScore(docs: Doc[], terms: SearchTerms): Doc[] {
  const words = terms.words.map(fold);
  const score = (d: Doc) => {
    const fields: [string, number][] = [
      [d.search?.caption ?? '', 3],
      [d.search?.hashtags ?? '', 2],
      [d.search?.translations ?? '', 1],
    ];
    let total = 0;
    for (const [text, weight] of fields) {
      const own = prefixWords(text);
      total += weight * words.filter((w) => own.some((x) => x.startsWith(w))).length;
    }
    return total;
  };
  return docs
    .map((d, i) => ({ d, i, s: score(d) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.d);
}
/** Prefix matches examined for ranking, at most. */
const PREFIX_CANDIDATES = 200;
/**
 * $text terms: the words alone, which $text ORs and scores (phrases and negations need '"' and '-',
 * which words never contain); the prefix filter beside it makes every word required.
 */
const textSearch = (terms: SearchTerms) => terms.words.join(' ');

/**
 * Connects the MongoDB adapter. Multi-document writes (post + caption + job, like + counter,
 * view + counter, new caption version) run in transactions, so MongoDB must be a replica set
 * (a single-node replica set is enough: see docker-compose.yml).
 */
export async function openMongoStore(uri: string): Promise<Store> {
  // Inside conn.transaction(fn), every operation uses the transaction's session without being
  // passed it: store.transaction(fn) can then call any repository method.
  mongoose.set('transactionAsyncLocalStorage', true);
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const m: Models = registerModels(conn);
  // Several API and worker processes may start together: one of them at a time brings the
  // database up to date (index changes, legacy collections), the others wait and find it done.
  await withStartupLock(conn, async () => {
    await Promise.all(Object.values(m).map((model) => model.syncIndexes()));
    await adoptLegacyJobs(conn, m);
  });

  const transactionStorage = (
    mongoose as unknown as { transactionAsyncLocalStorage?: AsyncLocalStorage<{ session?: ClientSession }> }
  ).transactionAsyncLocalStorage;
  /** Runs `fn` in a transaction, or in the one already open (MongoDB has no nested transactions). */
  const tx = <T>(fn: (session: ClientSession) => Promise<T>): Promise<T> => {
    const open = transactionStorage?.getStore()?.session;
    return open ? fn(open) : conn.transaction(fn);
  };

  async function addVersion(session: ClientSession, postId: string, text: string, source: CaptionSource) {
    const last = await m.CaptionVersion.findOne({ postId }, { version: 1 }, { session }).sort({ version: -1 }).lean();
    const rec: CaptionVersionRecord = {
      id: newId(),
      postId,
      text,
      source,
      version: ((last?.version as number | undefined) ?? 0) + 1,
      createdAt: new Date(),
    };
    await m.CaptionVersion.create([{ _id: rec.id, postId, text, source, version: rec.version, createdAt: rec.createdAt }], {
      session,
    });
    await m.Post.updateOne({ _id: postId }, { $set: { currentCaptionId: rec.id } }, { session });
    return rec;
  }

  /** Updates a job only while `lease` holds it (PROCESSING, same token); true when it did. */
  async function leased(lease: JobLease, update: Doc) {
    const r = await m.Job.updateOne({ _id: lease.id, leaseToken: lease.token, status: 'PROCESSING' }, update);
    return r.matchedCount === 1;
  }
  const NO_LEASE = { leaseOwner: null, leaseToken: null, leaseExpiresAt: null };

  /**
   * Rebuilds a post's search document (live caption, its translations, live hashtags), its words
   * for prefix search and its hashtag keys. Called in the transaction of every write that changes them.
   */
  async function refreshPostSearch(session: ClientSession | undefined, postId: string) {
    const p = await m.Post.findById(postId, { currentCaptionId: 1, hashtags: 1 }, { session }).lean();
    if (!p) return;
    // One after the other: a transaction's session takes one operation at a time.
    const caption = p.currentCaptionId
      ? await m.CaptionVersion.findById(p.currentCaptionId, { text: 1 }, { session }).lean()
      : null;
    const translations = p.currentCaptionId
      ? await m.Translation.find({ captionId: p.currentCaptionId }, { text: 1 }, { session }).sort({ language: 1 }).lean()
      : [];
    const hashtags: string[] = p.hashtags ?? [];
    const search = {
      caption: (caption?.text as string | undefined) ?? '',
      translations: translations.map((t) => t.text as string).join(' '),
      hashtags: hashtags.map((t) => t.replace(/^#+/, '')).join(' '),
    };
    await m.Post.updateOne(
      { _id: postId },
      {
        $set: {
          search,
          words: prefixWords(`${search.caption} ${search.translations} ${search.hashtags}`),
          tags: hashtagKeys(hashtags),
        },
      },
      { session },
    );
  }

  // Databases from before search: build the missing search fields once.
  for (const p of await m.Post.find({ words: { $exists: false } }, { _id: 1 }).lean())
    await refreshPostSearch(undefined, p._id as string);
  for (const u of await m.User.find({ nameWords: { $exists: false } }, { displayName: 1 }).lean()) {
    await m.User.updateOne({ _id: u._id }, { $set: { nameWords: prefixWords(u.displayName as string) } });
  }

  // Analytics leave out the author's own views and likes.
  const NOT_AUTHOR_VIEW = { $expr: { $ne: ['$viewerKey', { $concat: ['user:', '$authorId'] }] } };
  const NOT_AUTHOR_LIKE = { $expr: { $ne: ['$userId', '$authorId'] } };

  async function statsFor(captions: CaptionVersionRecord[]): Promise<CaptionStatsRecord[]> {
    const ids = captions.map((c) => c.id);
    const [views, likes] = await Promise.all([
      m.View.aggregate<{ _id: string; n: number }>([
        { $match: { captionVersionId: { $in: ids }, ...NOT_AUTHOR_VIEW } },
        { $group: { _id: '$captionVersionId', n: { $sum: 1 } } },
      ]),
      m.Like.aggregate<{ _id: string; n: number }>([
        { $match: { captionVersionId: { $in: ids }, ...NOT_AUTHOR_LIKE } },
        { $group: { _id: '$captionVersionId', n: { $sum: 1 } } },
      ]),
    ]);
    const v = new Map(views.map((x) => [x._id, x.n]));
    const l = new Map(likes.map((x) => [x._id, x.n]));
    return captions.map((c) => ({ caption: c, views: v.get(c.id) ?? 0, likes: l.get(c.id) ?? 0 }));
  }

  const store: Store = {
    kind: 'mongo',

    users: {
      async create({ email, displayName, passwordHash }) {
        const u: UserRecord = {
          id: newId(),
          email,
          displayName,
          passwordHash,
          bio: '',
          avatar: null,
          createdAt: new Date(),
          tokenVersion: 0,
        };
        try {
          await m.User.create({
            _id: u.id,
            email,
            emailLower: email.toLowerCase(),
            displayName,
            nameWords: prefixWords(displayName),
            passwordHash,
            createdAt: u.createdAt,
            tokenVersion: 0,
          });
        } catch (e) {
          if (isDup(e)) throw new DuplicateError('email');
          throw e;
        }
        return u;
      },
      async findById(id) {
        const d = await m.User.findById(id).lean();
        return d ? toUser(d) : null;
      },
      async findByIds(ids) {
        return (await m.User.find({ _id: { $in: ids } }).lean()).map(toUser);
      },
      async findByEmail(email) {
        const d = await m.User.findOne({ emailLower: email.toLowerCase() }).lean();
        return d ? toUser(d) : null;
      },
      async revokeAllSessions(userId, at) {
        // The version first: it alone refuses every older session and token, so the marks below
        // (what the account page shows) may lag or be retried without a gap in protection.
        const u = await m.User.findOneAndUpdate(
          { _id: userId },
          { $inc: { tokenVersion: 1 } },
          { returnDocument: 'after' },
        ).lean();
        await m.Session.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } });
        await m.ApiToken.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } });
        return u?.tokenVersion ?? 0;
      },
      async updateProfile(id, patch) {
        const set: Doc = {};
        if (patch.displayName !== undefined)
          Object.assign(set, { displayName: patch.displayName, nameWords: prefixWords(patch.displayName) });
        if (patch.bio !== undefined) set.bio = patch.bio;
        if (patch.avatar !== undefined) set.avatar = patch.avatar;
        const d = Object.keys(set).length
          ? await m.User.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean()
          : await m.User.findById(id).lean();
        return d ? toUser(d) : null;
      },
      async countByAvatarKey(key) {
        return m.User.countDocuments({ 'avatar.key': key });
      },
      async stats(ids) {
        const group = (field: string) => [
          { $match: { [field]: { $in: [...ids] } } },
          { $group: { _id: `$${field}`, n: { $sum: 1 } } },
        ];
        const [users, posts, followers, following] = await Promise.all([
          m.User.find({ _id: { $in: ids } }, { _id: 1 }).lean(),
          m.Post.aggregate<{ _id: string; n: number }>(group('authorId')),
          m.Follow.aggregate<{ _id: string; n: number }>(group('followeeId')),
          m.Follow.aggregate<{ _id: string; n: number }>(group('followerId')),
        ]);
        const map = (rows: { _id: string; n: number }[]) => new Map(rows.map((r) => [r._id, r.n]));
        const [p, fr, fg] = [map(posts), map(followers), map(following)];
        return users.map((u) => {
          const id = u._id as string;
          return { userId: id, postCount: p.get(id) ?? 0, followerCount: fr.get(id) ?? 0, followingCount: fg.get(id) ?? 0 };
        });
      },
      async search(terms, first) {
        if (terms.words.length === 0) return [];
        const ranked = await m.User.find(
          { $text: { $search: textSearch(terms) }, ...prefixFilter('nameWords', terms) },
          { score: { $meta: 'textScore' } },
        )
          .sort({ score: { $meta: 'textScore' }, createdAt: 1, _id: 1 })
          .limit(first)
          .lean();
        if (ranked.length >= first) return ranked.map(toUser);
        // Prefix matches that are not whole words ("ann" for "Annabel"): $text has no prefix search.
        const more = await m.User.find({ _id: { $nin: ranked.map((d) => d._id) }, ...prefixFilter('nameWords', terms) })
          .sort({ createdAt: 1, _id: 1 })
          .limit(first - ranked.length)
          .lean();
        return [...ranked, ...more].map(toUser);
      },
    },

    follows: {
      async follow(followerId, followeeId, at) {
        try {
          await m.Follow.create({ _id: `${followerId}:${followeeId}`, followerId, followeeId, createdAt: at });
          return true;
        } catch (e) {
          if (isDup(e)) return false;
          throw e;
        }
      },
      async unfollow(followerId, followeeId) {
        return (await m.Follow.deleteOne({ followerId, followeeId })).deletedCount === 1;
      },
      async followedIds(followerId, userIds) {
        return (await m.Follow.find({ followerId, followeeId: { $in: userIds } }, { followeeId: 1 }).lean()).map(
          (d) => d.followeeId as string,
        );
      },
    },

    comments: {
      async create({ postId, authorId, text }) {
        if (!(await m.Post.exists({ _id: postId }))) return null;
        const c: CommentRecord = { id: newId(), postId, authorId, text, createdAt: new Date() };
        await m.Comment.create({ _id: c.id, postId, authorId, text, createdAt: c.createdAt });
        // The post may have been deleted between the check and the write: drop the orphan.
        if (!(await m.Post.exists({ _id: postId }))) {
          await m.Comment.deleteOne({ _id: c.id });
          return null;
        }
        return c;
      },
      async findById(id) {
        const d = await m.Comment.findById(id).lean();
        return d ? toComment(d) : null;
      },
      async findByIds(ids) {
        return (await m.Comment.find({ _id: { $in: ids } }).lean()).map(toComment);
      },
      async delete(id) {
        const d = await m.Comment.findOneAndDelete({ _id: id }).lean();
        return d ? toComment(d) : null;
      },
      async listByPost(postId, { first, after }) {
        const filter: Doc = { postId };
        if (after) filter.$or = [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, _id: { $gt: after.id } }];
        return (await m.Comment.find(filter).sort({ createdAt: 1, _id: 1 }).limit(first).lean()).map(toComment);
      },
      async countByPosts(postIds) {
        const rows = await m.Comment.aggregate<{ _id: string; n: number }>([
          { $match: { postId: { $in: [...postIds] } } },
          { $group: { _id: '$postId', n: { $sum: 1 } } },
        ]);
        return rows.map((r) => ({ postId: r._id, count: r.n }));
      },
    },

    sessions: {
      async create({ userId, tokenVersion, expiresAt }) {
        const now = new Date();
        const rec: SessionRecord = { id: newId(now.getTime()), userId, tokenVersion, createdAt: now, expiresAt, revokedAt: null };
        // Expired sessions are dropped by the TTL index (models.ts).
        await m.Session.create({ _id: rec.id, userId, tokenVersion, createdAt: now, expiresAt });
        return rec;
      },
      async findById(id) {
        const d = await m.Session.findById(id).lean();
        return d ? toSession(d) : null;
      },
      async revoke(userId, id, at) {
        const live = await m.Session.exists({ _id: id, userId, revokedAt: null });
        if (!live) return false;
        await m.ApiToken.updateMany({ sessionId: id, userId, revokedAt: null }, { $set: { revokedAt: at } });
        const r = await m.Session.updateOne({ _id: id, userId, revokedAt: null }, { $set: { revokedAt: at } });
        return r.modifiedCount === 1;
      },
    },

    apiTokens: {
      async create({ userId, name, tokenHash, scope, sessionId, tokenVersion }) {
        const t: ApiTokenRecord = {
          id: newId(),
          userId,
          name,
          tokenHash,
          scope,
          sessionId,
          tokenVersion,
          createdAt: new Date(),
          lastUsedAt: null,
          revokedAt: null,
        };
        await m.ApiToken.create({ _id: t.id, userId, name, tokenHash, scope, sessionId, tokenVersion, createdAt: t.createdAt });
        return t;
      },
      async findByHash(tokenHash) {
        const d = await m.ApiToken.findOne({ tokenHash }).lean();
        return d ? toToken(d) : null;
      },
      async listByUser(userId) {
        return (await m.ApiToken.find({ userId }).sort({ createdAt: -1 }).lean()).map(toToken);
      },
      async revoke(userId, id) {
        const r = await m.ApiToken.updateOne({ _id: id, userId, revokedAt: null }, { $set: { revokedAt: new Date() } });
        return r.modifiedCount === 1;
      },
      async touch(id, at) {
        await m.ApiToken.updateOne({ _id: id }, { $set: { lastUsedAt: at } });
      },
    },

    posts: {
      async create(input) {
        const now = new Date();
        const id = newId(now.getTime());
        await tx(async (session) => {
          await m.Post.create(
            [
              {
                _id: id,
                authorId: input.authorId,
                image: input.image,
                imageKey: input.image.detail.key,
                captionStatus: 'PENDING',
                createdAt: now,
              },
            ],
            { session },
          );
          if (input.caption != null) await addVersion(session, id, input.caption, 'USER');
          await refreshPostSearch(session, id);
        });
        return toPost((await m.Post.findById(id).lean())!);
      },
      async findById(id) {
        const d = await m.Post.findById(id).lean();
        return d ? toPost(d) : null;
      },
      async findByIds(ids) {
        return (await m.Post.find({ _id: { $in: ids } }).lean()).map(toPost);
      },
      async list({ first, after, authorId, followedBy, hashtag }) {
        const filter: Doc = {};
        if (authorId) filter.authorId = authorId;
        if (hashtag) filter.tags = hashtag;
        if (followedBy) {
          const followees = (await m.Follow.find({ followerId: followedBy }, { followeeId: 1 }).lean()).map(
            (d) => d.followeeId as string,
          );
          filter.authorId = authorId ? (followees.includes(authorId) ? authorId : { $in: [] }) : { $in: followees };
        }
        if (after) filter.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }];
        return (await m.Post.find(filter).sort({ createdAt: -1, _id: -1 }).limit(first).lean()).map(toPost);
      },
      async delete(id) {
        return tx(async (session) => {
          const d = await m.Post.findOneAndDelete({ _id: id }, { session }).lean();
          if (!d) return null;
          await Promise.all([
            m.CaptionVersion.deleteMany({ postId: id }, { session }),
            m.Like.deleteMany({ postId: id }, { session }),
            m.View.deleteMany({ postId: id }, { session }),
            m.ViewMark.deleteMany({ postId: id }, { session }),
            m.Job.deleteMany({ postId: id }, { session }),
            m.Translation.deleteMany({ postId: id }, { session }),
            m.Comment.deleteMany({ postId: id }, { session }),
          ]);
          return toPost(d);
        });
      },
      async countByImageKey(key) {
        return m.Post.countDocuments({ imageKey: key });
      },
      async countByHashtag(tag) {
        return m.Post.countDocuments({ tags: tag });
      },
      async search(terms, first) {
        if (terms.words.length === 0) return [];
        const ranked = await m.Post.find(
          { $text: { $search: textSearch(terms) }, ...prefixFilter('words', terms) },
          { score: { $meta: 'textScore' } },
        )
          .sort({ score: { $meta: 'textScore' }, createdAt: -1, _id: -1 })
          .limit(first)
          .lean();
        if (ranked.length >= first) return ranked.map(toPost);
        // Prefix matches that are not whole words ("bicy" for "bicycle"): $text has no prefix search.
        const more = await m.Post.find({ _id: { $nin: ranked.map((d) => d._id) }, ...prefixFilter('words', terms) })
          .sort({ createdAt: -1, _id: -1 })
          .limit(PREFIX_CANDIDATES)
          .lean();
        return [...ranked, ...byPrefixScore(more, terms).slice(0, first - ranked.length)].map(toPost);
      },
      async searchHashtags(terms, first) {
        if (terms.words.length === 0) return [];
        const starts = terms.words.map((w) => new RegExp(`^${escapeRegex(w)}`));
        const rows = await m.Post.aggregate<{ _id: string; n: number }>([
          { $match: { tags: { $in: starts } } },
          { $unwind: '$tags' },
          { $match: { tags: { $in: starts } } },
          { $group: { _id: '$tags', n: { $sum: 1 } } },
          { $sort: { n: -1, _id: 1 } },
          { $limit: first },
        ]);
        return rows.map((r): HashtagRecord => ({ tag: r._id, postCount: r.n }));
      },
      async setCaptionStatus(id, status, error = null) {
        await m.Post.updateOne({ _id: id }, { $set: { captionStatus: status, captionError: error } });
      },
      async applyCaptionResult(id, result) {
        return tx(async (session) => {
          const d = await m.Post.findById(id, null, { session }).lean();
          if (!d) return null;
          await m.Post.updateOne(
            { _id: id },
            {
              $set: {
                captionStatus: 'READY',
                captionError: null,
                suggestions: result.suggestions,
                hashtags: result.hashtags,
                attention: result.attention,
                captionModel: result.model,
              },
            },
            { session },
          );
          const addedVersion = d.currentCaptionId == null ? await addVersion(session, id, result.caption, 'MODEL') : null;
          await refreshPostSearch(session, id);
          return { post: toPost((await m.Post.findById(id, null, { session }).lean())!), addedVersion };
        });
      },
    },

    captions: {
      async addVersion(postId, text, source, opts) {
        return tx(async (session) => {
          const rec = await addVersion(session, postId, text, source);
          if (opts?.hashtags) await m.Post.updateOne({ _id: postId }, { $set: { hashtags: opts.hashtags } }, { session });
          await refreshPostSearch(session, postId);
          return rec;
        });
      },
      async findById(id) {
        const d = await m.CaptionVersion.findById(id).lean();
        return d ? toCaption(d) : null;
      },
      async findByIds(ids) {
        return (await m.CaptionVersion.find({ _id: { $in: ids } }).lean()).map(toCaption);
      },
      async listByPosts(postIds) {
        return (
          await m.CaptionVersion.find({ postId: { $in: postIds } })
            .sort({ postId: 1, version: 1 })
            .lean()
        ).map(toCaption);
      },
    },

    engagement: {
      async like(postId, userId, at) {
        try {
          return await tx(async (session) => {
            const p = await m.Post.findById(postId, { currentCaptionId: 1, authorId: 1 }, { session }).lean();
            if (!p) return false;
            await m.Like.create(
              [{ postId, userId, authorId: p.authorId, captionVersionId: p.currentCaptionId ?? null, createdAt: at }],
              { session },
            );
            await m.Post.updateOne({ _id: postId }, { $inc: { likeCount: 1 } }, { session });
            return true;
          });
        } catch (e) {
          if (isDup(e)) return false;
          throw e;
        }
      },
      async unlike(postId, userId) {
        return tx(async (session) => {
          const r = await m.Like.deleteOne({ postId, userId }, { session });
          if (r.deletedCount !== 1) return false;
          await m.Post.updateOne({ _id: postId }, { $inc: { likeCount: -1 } }, { session });
          return true;
        });
      },
      async likedPostIds(userId, postIds) {
        return (await m.Like.find({ userId, postId: { $in: postIds } }, { postId: 1 }).lean()).map((d) => d.postId as string);
      },
      async recordView(postId, viewerKey, at, windowMs, address) {
        try {
          return await tx(async (session) => {
            const p = await m.Post.findById(postId, { currentCaptionId: 1, authorId: 1 }, { session }).lean();
            if (!p) return false;
            // Conditional upsert: matches only when the last counted view is old enough; when a recent
            // mark exists the upsert collides on _id (E11000) and the view is not counted.
            const mark = (key: string, ms: number) =>
              m.ViewMark.updateOne(
                { _id: `${postId}:${key}`, lastCountedAt: { $lte: new Date(at.getTime() - ms) } },
                { $set: { lastCountedAt: at, postId } },
                { upsert: true, session },
              );
            await mark(viewerKey, windowMs);
            if (address) await mark(address.key, address.windowMs);
            await m.View.create(
              [
                {
                  postId,
                  viewerKey,
                  addressKey: address?.key ?? null,
                  authorId: p.authorId,
                  captionVersionId: p.currentCaptionId ?? null,
                  createdAt: at,
                },
              ],
              { session },
            );
            await m.Post.updateOne({ _id: postId }, { $inc: { viewCount: 1 } }, { session });
            return true;
          });
        } catch (e) {
          if (isDup(e)) return false;
          throw e;
        }
      },
      async captionStats(postId) {
        const caps = (await m.CaptionVersion.find({ postId }).sort({ version: 1 }).lean()).map(toCaption);
        return statsFor(caps);
      },
      async captionStatsByAuthor(authorId) {
        const posts = await m.Post.find({ authorId }, { _id: 1 }).sort({ createdAt: -1, _id: -1 }).lean();
        const order = new Map(posts.map((p, i) => [p._id as string, i]));
        const caps = (await m.CaptionVersion.find({ postId: { $in: [...order.keys()] } }).lean())
          .map(toCaption)
          .sort((a, b) => order.get(a.postId)! - order.get(b.postId)! || a.version - b.version);
        return statsFor(caps);
      },
      async dailyByAuthor(authorId, since) {
        const group = (notAuthor: object) => [
          { $match: { authorId, createdAt: { $gte: since }, ...notAuthor } },
          { $group: { _id: { $dateToString: { format: '%Y-%m-%d', date: '$createdAt' } }, n: { $sum: 1 } } },
        ];
        const [views, likes] = await Promise.all([
          m.View.aggregate<{ _id: string; n: number }>(group(NOT_AUTHOR_VIEW)),
          m.Like.aggregate<{ _id: string; n: number }>(group(NOT_AUTHOR_LIKE)),
        ]);
        const days = new Map<string, DailyCountRecord>();
        for (const v of views) days.set(v._id, { day: v._id, views: v.n, likes: 0 });
        for (const l of likes) days.set(l._id, { day: l._id, views: days.get(l._id)?.views ?? 0, likes: l.n });
        return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
      },
      async totalsByAuthor(authorId) {
        const [views, likes] = await Promise.all([
          m.View.countDocuments({ authorId, ...NOT_AUTHOR_VIEW }),
          m.Like.countDocuments({ authorId, ...NOT_AUTHOR_LIKE }),
        ]);
        return { views, likes };
      },
    },

    translations: {
      async save({ captionId, language, text, model }) {
        const c = await m.CaptionVersion.findById(captionId, { postId: 1 }).lean();
        if (!c) return null;
        const d = await m.Translation.findOneAndUpdate(
          { _id: `${captionId}:${language}` },
          { $set: { captionId, postId: c.postId, language, text, model, createdAt: new Date() } },
          { upsert: true, returnDocument: 'after' },
        ).lean();
        // The post may have been deleted between the lookup and the write: drop the orphan.
        if (!(await m.CaptionVersion.exists({ _id: captionId }))) {
          await m.Translation.deleteOne({ _id: `${captionId}:${language}` });
          return null;
        }
        await refreshPostSearch(undefined, c.postId as string);
        return toTranslation(d!);
      },
      async listByCaptions(captionIds) {
        if (captionIds.length === 0) return [];
        return (
          await m.Translation.find({ captionId: { $in: captionIds } })
            .sort({ captionId: 1, language: 1 })
            .lean()
        ).map(toTranslation);
      },
    },

    // ---- The one job queue (all kinds): leases, heartbeats, back-off, crash recovery ----
    jobs: {
      async enqueue({ kind, postId, captionId = null, maxAttempts }) {
        const now = new Date();
        const id = newId(now.getTime());
        await m.Job.create([
          {
            _id: id,
            kind,
            postId,
            captionId,
            status: 'PENDING',
            attempts: 0,
            maxAttempts,
            runAt: now,
            createdAt: now,
            updatedAt: now,
          },
        ]);
        return toJob((await m.Job.findById(id).lean())!);
      },
      async claim(kinds, owner, now, leaseMs) {
        if (kinds.length === 0) return null;
        const d = await m.Job.findOneAndUpdate(
          {
            kind: { $in: kinds },
            $or: [
              { status: 'PENDING', runAt: { $lte: now } },
              { status: 'PROCESSING', leaseExpiresAt: { $lt: now } },
            ],
          },
          {
            $set: {
              status: 'PROCESSING',
              leaseOwner: owner,
              leaseToken: newLeaseToken(),
              leaseExpiresAt: new Date(now.getTime() + leaseMs),
              updatedAt: now,
            },
            $inc: { attempts: 1 },
          },
          { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
        ).lean();
        return d ? toJob(d) : null;
      },
      async heartbeat(lease, now, leaseMs) {
        return leased(lease, { $set: { leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: new Date() } });
      },
      async complete(lease) {
        return leased(lease, { $set: { status: 'DONE', ...NO_LEASE, updatedAt: new Date() } });
      },
      async fail(lease, error, retryAt) {
        const set: Doc = { status: retryAt ? 'PENDING' : 'FAILED', lastError: error, ...NO_LEASE, updatedAt: new Date() };
        if (retryAt) set.runAt = retryAt;
        return leased(lease, { $set: set });
      },
      async release(lease) {
        return leased(lease, { $set: { status: 'PENDING', ...NO_LEASE, updatedAt: new Date() }, $inc: { attempts: -1 } });
      },
      async findByPost(postId, kind) {
        return (
          await m.Job.find(kind ? { postId, kind } : { postId })
            .sort({ createdAt: 1, _id: 1 })
            .lean()
        ).map(toJob);
      },
      async findByCaptions(captionIds) {
        if (captionIds.length === 0) return [];
        return (
          await m.Job.find({ captionId: { $in: captionIds } })
            .sort({ createdAt: 1, _id: 1 })
            .lean()
        ).map(toJob);
      },
      async countByStatus(kind) {
        const out: Record<JobStatus, number> = { PENDING: 0, PROCESSING: 0, DONE: 0, FAILED: 0 };
        const match = kind ? [{ $match: { kind } }] : [];
        for (const r of await m.Job.aggregate<{ _id: JobStatus; n: number }>([
          ...match,
          { $group: { _id: '$status', n: { $sum: 1 } } },
        ])) {
          out[r._id] = r.n;
        }
        return out;
      },
    },

    async transaction(fn) {
      return tx(() => fn(store));
    },

    async close() {
      await conn.close();
    },
  };
  return store;
}

/**
 * Runs `fn` holding a lock document (`pixtale_locks`, _id `startup`): inserting it succeeds for
 * one process; the others retry until it is removed, or until it has expired (a holder that died
 * mid-way; every step of `fn` is safe to repeat).
 */
async function withStartupLock(conn: mongoose.Connection, fn: () => Promise<void>, ttlMs = 120_000) {
  const locks = conn.db!.collection<{ _id: string; owner: string; expiresAt: Date }>('pixtale_locks');
  const owner = newLeaseToken();
  for (;;) {
    try {
      await locks.insertOne({ _id: 'startup', owner, expiresAt: new Date(Date.now() + ttlMs) });
      break;
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e; // duplicate key: someone holds it
      await locks.deleteOne({ _id: 'startup', expiresAt: { $lt: new Date() } });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await fn();
  } finally {
    await locks.deleteOne({ _id: 'startup', owner });
  }
}

/**
 * Jobs from before the one queue (collections `caption_jobs` and `translation_jobs`) move into
 * `jobs` with their kind, pending and leased ones included; then the old collections are dropped.
 * Safe to repeat after a crash half-way (upserts by id).
 */
async function adoptLegacyJobs(conn: mongoose.Connection, m: Models) {
  const db = conn.db!;
  for (const [name, kind] of [
    ['caption_jobs', 'caption'],
    ['translation_jobs', 'translation'],
  ] as const) {
    if (!(await db.listCollections({ name }).hasNext())) continue;
    const legacy = db.collection<Doc>(name);
    const docs = await legacy.find().toArray();
    if (docs.length > 0) {
      await m.Job.collection.bulkWrite(
        docs.map(({ _id, ...rest }) => ({
          updateOne: {
            filter: { _id },
            update: { $setOnInsert: { ...rest, kind, captionId: rest.captionId ?? null, leaseToken: null } },
            upsert: true,
          },
        })),
      );
    }
    await legacy.drop();
  }
}
