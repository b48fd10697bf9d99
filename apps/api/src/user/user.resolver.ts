import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LIMITS } from '@pixtale/shared';
import { User } from '../auth/auth.type';
import type { Context } from '../context';
import { Shared } from '../shared-results';
import { pageCost } from '../post/post.resolver';
import { PostConnection } from '../post/post.type';
import type { UserRecord } from '../store';

/** Profiles: the public side of a User, follows and profile edits. */
@Resolver(() => User)
export class UserProfileResolver {
  @Query(() => User, { nullable: true, description: "A user's public profile by id; null when there is no such user." })
  user(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(id);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      'Follows a user. BAD_USER_INPUT (CANNOT_FOLLOW_SELF) for yourself, CONFLICT (ALREADY_FOLLOWING) when you already do.',
  })
  follow(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context) {
    return ctx.services.users.follow(ctx.requireUser().id, userId);
  }

  @Authorized()
  @Mutation(() => User, { description: 'Stops following a user. CONFLICT (NOT_FOLLOWING) when you do not follow them.' })
  unfollow(@Arg('userId', () => ID) userId: string, @Ctx() ctx: Context) {
    return ctx.services.users.unfollow(ctx.requireUser().id, userId);
  }

  @Authorized()
  @Mutation(() => User, {
    description:
      'Changes your profile; arguments left out stay as they are. Display name: the sign-up rules; bio: up to ' +
      `${LIMITS.bioMaxLength} characters ("" clears it); both normalised (one line, no invisible characters). avatar: an image ` +
      '(multipart upload, the same formats and limits as posts), stored as a square with its metadata stripped.',
  })
  updateProfile(
    @Arg('displayName', () => String, { nullable: true }) displayName: string | null,
    @Arg('bio', () => String, { nullable: true }) bio: string | null,
    @Arg('avatar', () => GraphQLUpload, { nullable: true, description: 'A new profile picture.' })
    avatar: Promise<FileUpload> | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.users.updateProfile(ctx.requireUser().id, { displayName, bio, avatar });
  }

  @Shared()
  @FieldResolver(() => String, { nullable: true, description: 'URL of the square profile picture (WebP); null when none.' })
  avatarUrl(@Root() user: UserRecord, @Ctx() ctx: Context): string | null {
    return user.avatar ? `${ctx.env.publicUrl}/media/${user.avatar.file}` : null;
  }

  @FieldResolver(() => Int, { description: 'Number of posts.' })
  async postCount(@Root() user: UserRecord, @Ctx() ctx: Context) {
    return (await ctx.loaders.userStats.load(user.id)).postCount;
  }

  @FieldResolver(() => Int, { description: 'Number of users who follow this user.' })
  async followerCount(@Root() user: UserRecord, @Ctx() ctx: Context) {
    return (await ctx.loaders.userStats.load(user.id)).followerCount;
  }

  @FieldResolver(() => Int, { description: 'Number of users this user follows.' })
  async followingCount(@Root() user: UserRecord, @Ctx() ctx: Context) {
    return (await ctx.loaders.userStats.load(user.id)).followingCount;
  }

  @FieldResolver(() => Boolean, {
    description: 'Whether the signed-in viewer follows this user (false when anonymous or yourself).',
  })
  viewerFollows(@Root() user: UserRecord, @Ctx() ctx: Context) {
    return ctx.loaders.viewerFollows.load(user.id);
  }

  @FieldResolver(() => PostConnection, { complexity: pageCost, description: "This user's posts, newest first." })
  posts(
    @Root() user: UserRecord,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: LIMITS.pageSizeDefault,
      description: `Page size, 1 to ${LIMITS.pageSizeMax}.`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.posts.feed(first ?? LIMITS.pageSizeDefault, after, { authorId: user.id });
  }
}
