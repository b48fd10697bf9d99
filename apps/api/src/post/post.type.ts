import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CaptionStatus } from '@pixtale/shared';
import { CaptionSuggestion } from '../caption/caption.type';
import { Shared } from '../shared-results';

@Shared()
@ObjectType({ simpleResolvers: true, description: "One stored size of a post's image." })
export class ImageFile {
  @Field({ description: 'Absolute URL of the file (content-addressed, cacheable forever).' })
  url!: string;

  @Field(() => Int, { description: 'Width in pixels.' })
  width!: number;

  @Field(() => Int, { description: 'Height in pixels.' })
  height!: number;

  @Field(() => Int, { description: 'File size in bytes.' })
  bytes!: number;
}

@Shared()
@ObjectType({ simpleResolvers: true, description: "The normalised sizes of a post's image (auto-rotated, metadata stripped)." })
export class PostImages {
  @Field(() => ImageFile, { description: 'Feed size (longest side up to 640 px), WebP.' })
  feed!: ImageFile;

  @Field(() => ImageFile, { description: 'Detail size (longest side up to 1600 px), WebP.' })
  detail!: ImageFile;

  @Field(() => ImageFile, { description: 'Detail size as JPEG, for clients without WebP.' })
  detailJpeg!: ImageFile;
}

@ObjectType({ simpleResolvers: true, description: 'An image post with its machine-written, editable caption.' })
export class Post {
  @Shared()
  @Field(() => ID, { description: 'Stable id of the post.' })
  id!: string;

  @Shared()
  @Field(() => CaptionStatus, { description: 'Captioning status: PENDING, PROCESSING, READY or FAILED.' })
  captionStatus!: CaptionStatus;

  @Shared()
  @Field(() => String, { nullable: true, description: 'Why captioning failed (status FAILED), else null.' })
  captionError!: string | null;

  @Shared()
  @Field(() => [CaptionSuggestion], {
    description:
      "Alternative captions from the model's beam search, in the order the model ranked them (after its nearest-neighbour vote, so scores need not decrease).",
  })
  suggestions!: CaptionSuggestion[];

  @Shared()
  @Field(() => [String], { description: 'Hashtags suggested by the model, e.g. "#dog".' })
  hashtags!: string[];

  @Shared()
  @Field(() => String, { nullable: true, description: 'Name of the model that captioned the image.' })
  captionModel!: string | null;

  @Shared()
  @Field(() => Int, { description: 'Number of likes.' })
  likeCount!: number;

  @Shared()
  @Field(() => Int, { description: 'Number of counted views (once per viewer per 30 minutes).' })
  viewCount!: number;

  @Shared()
  @Field({ description: 'When the post was created.' })
  createdAt!: Date;
}

@Shared()
@ObjectType({ simpleResolvers: true, description: 'A post in a paginated list.' })
export class PostEdge {
  @Field({ description: 'Opaque cursor of this post; pass it as `after` to get the posts that follow.' })
  cursor!: string;

  @Field(() => Post, { description: 'The post.' })
  node!: Post;
}

@Shared()
@ObjectType({ simpleResolvers: true, description: 'Pagination state of a list.' })
export class PageInfo {
  @Field({ description: 'Whether more posts follow endCursor.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; null when the page is empty.' })
  endCursor!: string | null;
}

@Shared()
@ObjectType({ simpleResolvers: true, description: 'A page of posts, newest first.' })
export class PostConnection {
  @Field(() => [PostEdge], { description: 'The posts of this page.' })
  edges!: PostEdge[];

  @Field(() => PageInfo, { description: 'Pagination state.' })
  pageInfo!: PageInfo;
}

/** Whose posts a feed lists. */
export enum FeedScope {
  EVERYONE = 'EVERYONE',
  FOLLOWING = 'FOLLOWING',
}
registerEnumType(FeedScope, {
  name: 'FeedScope',
  description: 'Whose posts a feed lists.',
  valuesConfig: {
    EVERYONE: { description: "Everyone's posts." },
    FOLLOWING: { description: 'Posts of the users you follow (needs a session).' },
  },
});
