import type { FileUpload } from 'graphql-upload-minimal';
import { GraphQLUpload } from 'graphql-upload-minimal';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { LIMITS, SOURCE_LANGUAGE, TRANSLATION_LANGUAGES } from '@pixtale/shared';
import { User } from '../auth/auth.type';
import { Caption, CaptionAttention } from '../caption/caption.type';
import type { Context } from '../context';
import type { ImageVariant, PostRecord, TranslationRecord } from '../store';
import { parseCaptionLanguage } from '../translation/languages';
import { translatedCaption } from '../translation/translation.resolver';
import { Translation, TranslationStatus } from '../translation/translation.type';
import { PerViewer, Shared } from '../shared-results';
import { FeedScope, ImageFile, Post, PostConnection, PostImages } from './post.type';

const fileOf = (ctx: Context, v: ImageVariant): ImageFile => ({
  url: `${ctx.env.publicUrl}/media/${v.file}`,
  width: v.width,
  height: v.height,
  bytes: v.bytes,
});

const likedByMe = (ctx: Context, postId: string) => ctx.loaders.likedByMe.load(postId);

type Complexity = { childComplexity: number; args: Record<string, unknown> };
export const pageCost = ({ childComplexity, args }: Complexity) =>
  1 + childComplexity * Math.min(Number(args.first ?? LIMITS.pageSizeDefault) || 1, LIMITS.pageSizeMax);

/**
 * A subscription's `subscribe` for a topic keyed by post id: NOT_FOUND for an unknown post, then
 * that post's events.
 */
export const subscribeToPost =
  (topic: 'POST_UPDATED' | 'COMMENT_ADDED' | 'COMMENT_DELETED') =>
  async ({ args, context }: { args: Record<string, unknown>; context: unknown }) => {
    const ctx = context as Context;
    await ctx.services.posts.require(args.postId as string);
    return ctx.pubsub.subscribe(topic, args.postId as string);
  };

@Resolver(() => Post)
export class PostResolver {
  @Shared()
  @Query(() => Post, { nullable: true, description: 'A post by id; null when it does not exist.' })
  post(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.posts.get(id);
  }

  @Shared((args) => args.scope !== FeedScope.FOLLOWING) // FOLLOWING depends on the viewer
  @Query(() => PostConnection, {
    complexity: pageCost,
    description:
      'All posts (scope EVERYONE), or those of the users you follow (FOLLOWING, needs a session), newest first, with cursor pagination.',
  })
  async feed(
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: LIMITS.pageSizeDefault,
      description: `Page size, 1 to ${LIMITS.pageSizeMax}.`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after: string | null,
    @Arg('scope', () => FeedScope, { nullable: true, defaultValue: FeedScope.EVERYONE, description: 'Whose posts.' })
    scope: FeedScope | null,
    @Ctx() ctx: Context,
  ) {
    if (scope === FeedScope.FOLLOWING)
      return ctx.services.posts.feed(first ?? LIMITS.pageSizeDefault, after, { followedBy: ctx.requireUser().id });
    const { connection, authors, captions } = await ctx.services.posts.everyoneFeed(first ?? LIMITS.pageSizeDefault, after);
    for (const author of authors) ctx.loaders.user.prime(author.id, author);
    for (const caption of captions) ctx.loaders.caption.prime(caption.id, caption);
    return connection;
  }

  @Query(() => PostConnection, { complexity: pageCost, description: "One user's posts, newest first." })
  userPosts(
    @Arg('userId', () => ID) userId: string,
    @Arg('first', () => Int, {
      nullable: true,
      defaultValue: LIMITS.pageSizeDefault,
      description: `Page size, 1 to ${LIMITS.pageSizeMax}.`,
    })
    first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.posts.feed(first ?? LIMITS.pageSizeDefault, after, { authorId: userId });
  }

  @Authorized()
  @Mutation(() => Post, {
    description:
      'Uploads an image (GraphQL multipart request; JPEG, PNG, WebP, GIF, HEIC; up to 15 MB) and queues its caption job. ' +
      'An optional caption becomes version 1 (source USER); the model still adds suggestions and hashtags.',
  })
  createPost(
    @Arg('image', () => GraphQLUpload, { description: 'The image file.' }) image: Promise<FileUpload>,
    @Arg('caption', () => String, { nullable: true, description: 'Your own caption (optional).' }) caption: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.posts.create(ctx.requireUser().id, image, caption);
  }

  @Authorized()
  @Mutation(() => Post, { description: 'Edits the caption of your post: adds a new version (source USER) and makes it live.' })
  editCaption(@Arg('postId', () => ID) postId: string, @Arg('text') text: string, @Ctx() ctx: Context) {
    return ctx.services.posts.editCaption(ctx.requireUser().id, postId, text);
  }

  @Authorized()
  @Mutation(() => Post, { description: 'Queues captioning again for your post whose captionStatus is FAILED.' })
  retryCaption(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    return ctx.services.posts.retryCaption(ctx.requireUser().id, postId);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: 'Deletes your post with its captions, likes, views and image files.' })
  deletePost(@Arg('postId', () => ID) postId: string, @Ctx() ctx: Context) {
    return ctx.services.posts.delete(ctx.requireUser().id, postId);
  }

  @Subscription(() => Post, {
    description: 'Pushes the post whenever its caption status, caption versions, translations, likes or views change.',
    subscribe: subscribeToPost('POST_UPDATED'),
  })
  async postUpdated(
    @Root() payload: { postId: string },
    @Arg('postId', () => ID, { description: 'The post to follow.' }) _postId: string,
    @Ctx() ctx: Context,
  ): Promise<PostRecord> {
    ctx.resetLoaders();
    return ctx.services.posts.require(payload.postId);
  }

  @Subscription(() => Post, {
    description: 'Pushes every new post.',
    subscribe: ({ context }) => (context as Context).pubsub.subscribe('FEED_UPDATED'),
  })
  async feedUpdated(@Root() payload: { postId: string }, @Ctx() ctx: Context): Promise<PostRecord> {
    ctx.resetLoaders();
    return ctx.services.posts.require(payload.postId);
  }

  @Subscription(() => ID, {
    description: 'Pushes the id of every deleted post.',
    subscribe: ({ context }) => (context as Context).pubsub.subscribe('POST_DELETED'),
  })
  postDeleted(@Root() payload: { postId: string }): string {
    return payload.postId;
  }

  @Shared()
  @FieldResolver(() => User, { description: 'Who posted it.' })
  async author(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return ctx.loaders.user.load(post.authorId);
  }

  @Shared()
  @FieldResolver(() => String, { description: 'Display name of the author (shortcut for author { displayName }).' })
  async authorName(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return (await ctx.loaders.user.load(post.authorId))?.displayName ?? '';
  }

  @Shared()
  @FieldResolver(() => String, { description: 'URL of the detail-size image (WebP).' })
  imageUrl(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return fileOf(ctx, post.image.detail).url;
  }

  @Shared()
  @FieldResolver(() => String, { description: 'URL of the feed-size image (WebP).' })
  feedImageUrl(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return fileOf(ctx, post.image.feed).url;
  }

  @Shared()
  @FieldResolver(() => PostImages, { description: 'All stored sizes of the image.' })
  images(@Root() post: PostRecord, @Ctx() ctx: Context): PostImages {
    return {
      feed: fileOf(ctx, post.image.feed),
      detail: fileOf(ctx, post.image.detail),
      detailJpeg: fileOf(ctx, post.image.detailJpeg),
    };
  }

  @Shared()
  @FieldResolver(() => Int, { description: 'Width of the detail image in pixels.' })
  width(@Root() post: PostRecord) {
    return post.image.detail.width;
  }

  @Shared()
  @FieldResolver(() => Int, { description: 'Height of the detail image in pixels.' })
  height(@Root() post: PostRecord) {
    return post.image.detail.height;
  }

  @Shared()
  @FieldResolver(() => Caption, {
    nullable: true,
    description:
      'The live caption version; null until the first caption exists. With `language` (a code from supportedLanguages), ' +
      'the same version read in that language: text translated, `language` set, id "<version id>:<language>", source, version ' +
      'and createdAt those of the version; null until that translation exists, and for good when the model withheld it as ' +
      'likely wrong (translationStatus READY without it; see translations). "en" or no argument: the ' +
      'caption as written. An unknown language is a BAD_USER_INPUT error (reason UNSUPPORTED_LANGUAGE, extensions.supportedLanguages).',
  })
  async caption(
    @Root() post: PostRecord,
    @Arg('language', () => String, {
      nullable: true,
      description: 'Language code, e.g. "de"; default: the caption as written (English).',
    })
    language: string | null | undefined,
    @Ctx() ctx: Context,
  ) {
    const lang = language == null ? SOURCE_LANGUAGE : parseCaptionLanguage(language);
    if (!post.currentCaptionId) return null;
    const caption = await ctx.loaders.caption.load(post.currentCaptionId);
    if (!caption || lang === SOURCE_LANGUAGE) return caption;
    const translation = (await ctx.loaders.translationsByCaption.load(caption.id)).find((t) => t.language === lang);
    return translation ? translatedCaption(caption, translation) : null;
  }

  @Shared() // the jobs' status, and whether this process can translate: the same for every viewer
  @FieldResolver(() => TranslationStatus, {
    description: 'Where the translations of the live caption version are (NONE, PENDING, READY, FAILED, UNAVAILABLE).',
  })
  async translationStatus(@Root() post: PostRecord, @Ctx() ctx: Context): Promise<TranslationStatus> {
    if (!post.currentCaptionId) return TranslationStatus.NONE;
    const job = (await ctx.loaders.translationJobsByCaption.load(post.currentCaptionId)).at(-1);
    if (!job) return TranslationStatus.NONE;
    if (job.status === 'DONE') return TranslationStatus.READY;
    if (job.status === 'FAILED') return TranslationStatus.FAILED;
    return ctx.translation.unavailableReason() ? TranslationStatus.UNAVAILABLE : TranslationStatus.PENDING;
  }

  @Shared()
  @FieldResolver(() => [Translation], {
    description:
      'Machine translations of the live caption version, in supportedLanguages order; each language appears once it is ' +
      'translated (postUpdated fires for each), so the list is empty until the first arrives and after an edit. A language ' +
      'the model is not confident in (questions, chat unlike its training captions) is withheld and never appears for that ' +
      'version; postUpdated fires once more when all are done (translationStatus READY).',
  })
  async translations(@Root() post: PostRecord, @Ctx() ctx: Context): Promise<TranslationRecord[]> {
    if (!post.currentCaptionId) return [];
    const all = await ctx.loaders.translationsByCaption.load(post.currentCaptionId);
    const order = (l: string) => {
      const i = (TRANSLATION_LANGUAGES as readonly string[]).indexOf(l);
      return i < 0 ? TRANSLATION_LANGUAGES.length : i;
    };
    return [...all].sort((a, b) => order(a.language) - order(b.language));
  }

  @Shared()
  @FieldResolver(() => String, { nullable: true, description: 'Text of the live caption (shortcut for caption { text }).' })
  async captionText(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return post.currentCaptionId ? ((await ctx.loaders.caption.load(post.currentCaptionId))?.text ?? null) : null;
  }

  @Shared()
  @FieldResolver(() => [Caption], {
    complexity: ({ childComplexity }) => 1 + childComplexity * 10,
    description: 'Every caption version, oldest first.',
  })
  captions(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return ctx.loaders.captionsByPost.load(post.id);
  }

  @Shared()
  @FieldResolver(() => CaptionAttention, {
    nullable: true,
    description: 'Per-word attention of the machine caption over the image (for the heatmap); null until READY.',
  })
  attention(@Root() post: PostRecord) {
    return post.attention;
  }

  @PerViewer(likedByMe)
  @FieldResolver(() => Boolean, { description: 'Whether the signed-in viewer likes this post (false when anonymous).' })
  likedByMe(@Root() post: PostRecord, @Ctx() ctx: Context) {
    return likedByMe(ctx, post.id);
  }
}
