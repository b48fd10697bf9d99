import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { LIMITS } from '@pixtale/shared';
import type { Context } from '../context';
import { pageCost } from '../post/post.resolver';
import { PostConnection } from '../post/post.type';
import type { HashtagRecord } from '../store';
import { Hashtag, SearchResults } from './search.type';

@Resolver(() => Hashtag)
export class SearchResolver {
  @Query(() => SearchResults, {
    complexity: ({ childComplexity, args }) =>
      1 + childComplexity * Math.min(Number(args.first ?? LIMITS.pageSizeDefault) || 1, LIMITS.pageSizeMax),
    description:
      'Full-text search: posts (live caption, its translations, hashtags), people (display names) and hashtags. Every word ' +
      'must match the start of a word ("bicy" finds "bicycle"); best match first. Any text is accepted (only letters and ' +
      `digits are searched for: a query without any finds nothing); at most ${LIMITS.searchQueryMaxLength} characters.`,
  })
  search(
    @Arg('query') query: string,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: LIMITS.pageSizeDefault,
      description: `Results per group, 1 to ${LIMITS.pageSizeMax}.`,
    })
    first: number | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.search.search(query, first ?? LIMITS.pageSizeDefault);
  }

  @Query(() => Hashtag, {
    nullable: true,
    description:
      'A hashtag ("sunset" or "#Sunset": case and a leading "#" do not matter); null when no post\'s live hashtags include it.',
  })
  hashtag(@Arg('tag') tag: string, @Ctx() ctx: Context) {
    return ctx.services.search.hashtag(tag);
  }

  @FieldResolver(() => PostConnection, {
    complexity: pageCost,
    description: 'Posts whose live hashtags include this one, newest first.',
  })
  posts(
    @Root() hashtag: HashtagRecord,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: LIMITS.pageSizeDefault,
      description: `Page size, 1 to ${LIMITS.pageSizeMax}.`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.posts.feed(first ?? LIMITS.pageSizeDefault, after, { hashtag: hashtag.tag });
  }
}
