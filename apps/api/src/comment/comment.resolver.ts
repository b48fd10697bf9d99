import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import { LIMITS } from '@pixtale/shared';
import { User } from '../auth/auth.type';
import type { Context } from '../context';
import { Shared } from '../shared-results';
import { pageCost, subscribeToPost } from '../post/post.resolver';
import { Post } from '../post/post.type';
import type { CommentRecord, PostRecord } from '../store';
import { Comment, CommentConnection } from './comment.type';

@Resolver(() => Comment)
export class CommentResolver {
  @Authorized()
  @Mutation(() => Comment, {
    description:
      `Comments on a post: up to ${LIMITS.commentMaxLength} characters, normalised like captions (one line, no invisible ` +
      'characters); rate-limited per user. Pushed to commentAdded subscribers.',
  })
  addComment(@Arg('postId', () => ID) postId: string, @Arg('text') text: string, @Ctx() ctx: Context) {
    return ctx.services.comments.add(ctx.requireUser().id, postId, text);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Deletes a comment: yours, or any on your post (else FORBIDDEN).' })
  deleteComment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.comments.delete(ctx.requireUser().id, id);
  }

  @Subscription(() => Comment, {
    description: 'Pushes each new comment on the post.',
    subscribe: subscribeToPost('COMMENT_ADDED'),
  })
  commentAdded(
    @Root() payload: { commentId: string },
    @Arg('postId', () => ID, { description: 'The post to follow.' }) _postId: string,
    @Ctx() ctx: Context,
  ): Promise<CommentRecord> {
    ctx.resetLoaders();
    return ctx.services.comments.require(payload.commentId);
  }

  @Subscription(() => ID, {
    description: 'Pushes the id of each comment deleted from the post.',
    subscribe: subscribeToPost('COMMENT_DELETED'),
  })
  commentDeleted(
    @Root() payload: { commentId: string },
    @Arg('postId', () => ID, { description: 'The post to follow.' }) _postId: string,
  ): string {
    return payload.commentId;
  }

  @FieldResolver(() => Post, { description: 'The post commented on.' })
  async post(@Root() comment: CommentRecord, @Ctx() ctx: Context) {
    return (await ctx.loaders.post.load(comment.postId)) ?? ctx.services.posts.require(comment.postId);
  }

  @FieldResolver(() => User, { description: 'Who wrote it.' })
  async author(@Root() comment: CommentRecord, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(comment.authorId);
  }
}

/** Post fields about its comments. */
@Resolver(() => Post)
export class PostCommentsResolver {
  @Shared()
  @FieldResolver(() => Int, { description: 'Number of comments.' })
  commentCount(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return ctx.loaders.commentCount.load(post.id);
  }

  @FieldResolver(() => CommentConnection, {
    complexity: pageCost,
    description: 'Comments, oldest first, with cursor pagination.',
  })
  comments(
    @Root() post: PostRecord,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: LIMITS.pageSizeDefault,
      description: `Page size, 1 to ${LIMITS.pageSizeMax}.`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.comments.list(post.id, first ?? LIMITS.pageSizeDefault, after);
  }
}
