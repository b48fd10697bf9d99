import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { CaptionStats } from '../caption/caption.type';
import type { Context } from '../context';
import { Post } from '../post/post.type';
import { AnalyticsSummary } from './engagement.type';

@Resolver()
export class EngagementResolver {
  @Authorized()
  @Mutation(() => Post, { description: 'Likes a post (once per user), attributed to the live caption version.' })
  likePost(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    return ctx.services.engagement.like(ctx.requireUser().id, postId);
  }

  @Authorized()
  @Mutation(() => Post, { description: 'Withdraws your like.' })
  unlikePost(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    return ctx.services.engagement.unlike(ctx.requireUser().id, postId);
  }

  @Mutation(() => Post, {
    description:
      'Records that the caller viewed the post. Counted once per viewer per post per 30 minutes and attributed to the live caption version. Anonymous viewers are counted by client.',
  })
  recordView(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    if (ctx.authError) throw ctx.authError;
    return ctx.services.engagement.view(ctx.viewerKey, postId);
  }

  @Authorized()
  @Query(() => [CaptionStats], { description: 'Views, likes and like rate per caption version of your post, oldest version first.' })
  captionAnalytics(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    return ctx.services.engagement.captionAnalytics(ctx.requireUser().id, postId);
  }

  @Authorized()
  @Query(() => AnalyticsSummary, { description: 'Your totals, a daily views/likes series and a per-post per-caption-version table.' })
  myAnalytics(
    @Arg('days', () => Int, { nullable: true, defaultValue: 30, description: 'Days in the daily series (1 to 365), ending today.' }) days: number | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.engagement.summary(ctx.requireUser().id, days ?? 30);
  }
}
