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
      "Records that the caller viewed the post, attributed to the live caption version. Counted once per viewer per post per 30 minutes; anonymous viewers by the visitor id in the API's HttpOnly cookie (send credentials), and at most once per post per client address per hour whatever the cookie. The author's own views are not counted.",
  })
  recordView(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    if (ctx.authError) throw ctx.authError;
    const userId = ctx.viewer?.user.id ?? null;
    return ctx.services.engagement.view({ userId, visitorId: userId ? null : ctx.visitorId(), ip: ctx.ip }, postId);
  }

  @Authorized()
  @Query(() => [CaptionStats], {
    description: 'Views, likes and like rate per caption version of your post, oldest version first.',
  })
  captionAnalytics(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    return ctx.services.engagement.captionAnalytics(ctx.requireUser().id, postId);
  }

  @Authorized()
  @Query(() => AnalyticsSummary, {
    description: 'Your totals, a daily views/likes series and a per-post per-caption-version table.',
  })
  myAnalytics(
    @Arg('days', () => Int, {
      nullable: true,
      defaultValue: 30,
      description: 'Days in the daily series (1 to 365), ending today.',
    })
    days: number | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.engagement.summary(ctx.requireUser().id, days ?? 30);
  }
}
