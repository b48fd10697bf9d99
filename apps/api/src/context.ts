import DataLoader from 'dataloader';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { AuthService, Viewer } from './auth/auth.service';
import type { CommentService } from './comment/comment.service';
import { unauthenticated } from './common/errors';
import type { EngagementService } from './engagement/engagement.service';
import type { Env } from './env';
import type { LoginLimits } from './limits/login-limits';
import type { MediaService } from './media/media.service';
import type { PostService } from './post/post.service';
import type { PubSub } from './pubsub/pubsub';
import type { SearchService } from './search/search.service';
import type { CaptionVersionRecord, PostRecord, Store, JobRecord, TranslationRecord, UserRecord, UserStatsRecord } from './store';
import type { UserService } from './user/user.service';

/** Long-lived pieces built once per process (see server.ts). */
export interface AppDeps {
  env: Env;
  store: Store;
  pubsub: PubSub;
  logger: Logger;
  media: MediaService;
  services: {
    auth: AuthService;
    posts: PostService;
    engagement: EngagementService;
    users: UserService;
    comments: CommentService;
    search: SearchService;
  };
  /** Brute-force limits on logIn, per account and per address (limits/login-limits.ts). */
  loginLimits: LoginLimits;
  /** Whether translations can be made here: the reason when not (no translation model), else null. */
  translation: { unavailableReason(): string | null };
}

export interface Loaders {
  user: DataLoader<string, UserRecord | null>;
  post: DataLoader<string, PostRecord | null>;
  /** Post, follower and following counts of a user. */
  userStats: DataLoader<string, UserStatsRecord>;
  /** Whether the signed-in viewer follows the user (false when anonymous). */
  viewerFollows: DataLoader<string, boolean>;
  /** Number of comments on a post. */
  commentCount: DataLoader<string, number>;
  caption: DataLoader<string, CaptionVersionRecord | null>;
  captionsByPost: DataLoader<string, CaptionVersionRecord[]>;
  likedByMe: DataLoader<string, boolean>;
  /** Translations of a caption version (by caption id). */
  translationsByCaption: DataLoader<string, TranslationRecord[]>;
  /** Translation jobs of a caption version (by caption id), oldest first. */
  translationJobsByCaption: DataLoader<string, JobRecord[]>;
}

/** What every resolver gets, for HTTP requests and graphql-ws operations alike. */
export interface Context extends AppDeps {
  viewer: Viewer | null;
  /** Set when a token was sent but is invalid, expired or revoked. */
  authError: GraphQLError | null;
  /**
   * The anonymous visitor id (the API's HttpOnly cookie, issued on first use), or null where
   * none can be kept (graphql-ws). Only view counting reads it.
   */
  visitorId(): string | null;
  /** Rate-limit key: the user, or the client's address. */
  clientKey: string;
  ip: string;
  loaders: Loaders;
  /** Fresh loaders (subscriptions call this per event so counts are never stale). */
  resetLoaders(): void;
  /** The signed-in user, or throws UNAUTHENTICATED. */
  requireUser(): UserRecord;
  /** The signed-in viewer (user, how and with what scope), or throws UNAUTHENTICATED. */
  requireViewer(): Viewer;
}

export interface RequestInfo {
  authorization?: string | null;
  /** The client's address as limits/client-address.ts resolves it (never a raw X-Forwarded-For). */
  ip?: string | null;
  userAgent?: string | null;
  /** Reads or issues the anonymous visitor id (HTTP only; see engagement/visitor.ts). */
  visitorId?: () => string;
}

const byId = <T extends { id: string }>(rows: T[], ids: readonly string[]) => {
  const m = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => m.get(id) ?? null);
};

/**
 * A request's loaders, each made when first used: most requests use one or two of them (a shared
 * feed page only likedByMe), and making all eleven per request was a measurable share of the
 * garbage a request leaves.
 */
class RequestLoaders implements Loaders {
  #user?: Loaders['user'];
  #post?: Loaders['post'];
  #userStats?: Loaders['userStats'];
  #viewerFollows?: Loaders['viewerFollows'];
  #commentCount?: Loaders['commentCount'];
  #caption?: Loaders['caption'];
  #captionsByPost?: Loaders['captionsByPost'];
  #translationsByCaption?: Loaders['translationsByCaption'];
  #translationJobsByCaption?: Loaders['translationJobsByCaption'];
  #likedByMe?: Loaders['likedByMe'];

  constructor(
    private readonly store: Store,
    private readonly viewer: Viewer | null,
  ) {}

  get user() {
    return (this.#user ??= new DataLoader(async (ids) => byId(await this.store.users.findByIds(ids), ids)));
  }
  get post() {
    return (this.#post ??= new DataLoader(async (ids) => byId(await this.store.posts.findByIds(ids), ids)));
  }
  get userStats() {
    return (this.#userStats ??= new DataLoader(async (ids) => {
      const m = new Map((await this.store.users.stats(ids)).map((s) => [s.userId, s]));
      return ids.map((id) => m.get(id) ?? { userId: id, postCount: 0, followerCount: 0, followingCount: 0 });
    }));
  }
  get viewerFollows() {
    return (this.#viewerFollows ??= new DataLoader(async (ids) => {
      if (!this.viewer) return ids.map(() => false);
      const followed = new Set(await this.store.follows.followedIds(this.viewer.user.id, ids));
      return ids.map((id) => followed.has(id));
    }));
  }
  get commentCount() {
    return (this.#commentCount ??= new DataLoader(async (postIds) => {
      const m = new Map((await this.store.comments.countByPosts(postIds)).map((c) => [c.postId, c.count]));
      return postIds.map((id) => m.get(id) ?? 0);
    }));
  }
  get caption() {
    return (this.#caption ??= new DataLoader(async (ids) => byId(await this.store.captions.findByIds(ids), ids)));
  }
  get captionsByPost() {
    return (this.#captionsByPost ??= new DataLoader(async (postIds) => {
      const all = await this.store.captions.listByPosts(postIds);
      return postIds.map((id) => all.filter((c) => c.postId === id));
    }));
  }
  get translationsByCaption() {
    return (this.#translationsByCaption ??= new DataLoader(async (captionIds) => {
      const all = await this.store.translations.listByCaptions(captionIds);
      return captionIds.map((id) => all.filter((t) => t.captionId === id));
    }));
  }
  get translationJobsByCaption() {
    return (this.#translationJobsByCaption ??= new DataLoader(async (captionIds) => {
      const all = await this.store.jobs.findByCaptions(captionIds);
      return captionIds.map((id) => all.filter((j) => j.captionId === id));
    }));
  }
  get likedByMe() {
    return (this.#likedByMe ??= new DataLoader(async (postIds) => {
      if (!this.viewer) return postIds.map(() => false);
      const liked = new Set(await this.store.engagement.likedPostIds(this.viewer.user.id, postIds));
      return postIds.map((id) => liked.has(id));
    }));
  }
}

/** Reads `Authorization: Bearer <token>` (header or graphql-ws connectionParams). */
export function bearerOf(authorization?: string | null): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m ? m[1]! : null;
}

/** One context factory for HTTP and graphql-ws. */
export async function createContext(deps: AppDeps, req: RequestInfo): Promise<Context> {
  let viewer: Viewer | null = null;
  let authError: GraphQLError | null = null;
  if (req.authorization) {
    const token = bearerOf(req.authorization);
    if (!token) authError = unauthenticated('Malformed Authorization header (expected "Bearer <token>")');
    else {
      try {
        viewer = await deps.services.auth.authenticate(token);
      } catch (e) {
        authError = e as GraphQLError;
      }
    }
  }
  const ip = req.ip ?? 'unknown';
  const ctx: Context = {
    ...deps,
    viewer,
    authError,
    ip,
    visitorId: () => req.visitorId?.() ?? null,
    clientKey: viewer ? `user:${viewer.user.id}` : `ip:${ip}`,
    loaders: new RequestLoaders(deps.store, viewer),
    resetLoaders() {
      ctx.loaders = new RequestLoaders(deps.store, viewer);
    },
    requireUser() {
      return ctx.requireViewer().user;
    },
    requireViewer() {
      if (authError) throw authError;
      if (!viewer) throw unauthenticated();
      return viewer;
    },
  };
  return ctx;
}
