import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth/auth-checker';
import { AuthResolver, UserResolver } from './auth/auth.resolver';
import { CommentResolver, PostCommentsResolver } from './comment/comment.resolver';
import { EngagementResolver } from './engagement/engagement.resolver';
import { PostResolver } from './post/post.resolver';
import { SearchResolver } from './search/search.resolver';
import { CaptionLanguageResolver, LanguageResolver } from './translation/translation.resolver';
import { UserProfileResolver } from './user/user.resolver';

let built: Promise<GraphQLSchema> | null = null;

/**
 * The executable schema (built once per process). Subscriptions use `subscribe` functions
 * that read the pub/sub from the context, so the schema holds no per-server state.
 */
export function getSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      AuthResolver,
      UserResolver,
      UserProfileResolver,
      PostResolver,
      PostCommentsResolver,
      CommentResolver,
      EngagementResolver,
      SearchResolver,
      LanguageResolver,
      CaptionLanguageResolver,
    ],
    authChecker,
    validate: false,
    // Every @Subscription here has its own `subscribe` that uses the context's pub/sub;
    // type-graphql still wants a pubSub option, which nothing calls.
    pubSub: {
      publish: () => {
        throw new Error('use the context pub/sub');
      },
      subscribe: () => {
        throw new Error('use the context pub/sub');
      },
    },
  });
  return built;
}
