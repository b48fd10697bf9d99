import { Field, ID, ObjectType } from 'type-graphql';
import { PageInfo } from '../post/post.type';

@ObjectType({ simpleResolvers: true, description: 'A comment on a post.' })
export class Comment {
  @Field(() => ID, { description: 'Stable id of the comment.' })
  id!: string;

  @Field({ description: 'The text, normalised (one line, no invisible or control characters).' })
  text!: string;

  @Field({ description: 'When the comment was written.' })
  createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'A comment in a paginated list.' })
export class CommentEdge {
  @Field({ description: 'Opaque cursor of this comment; pass it as `after` to get the comments that follow.' })
  cursor!: string;

  @Field(() => Comment, { description: 'The comment.' })
  node!: Comment;
}

@ObjectType({ simpleResolvers: true, description: 'A page of comments, oldest first.' })
export class CommentConnection {
  @Field(() => [CommentEdge], { description: 'The comments of this page.' })
  edges!: CommentEdge[];

  @Field(() => PageInfo, { description: 'Pagination state.' })
  pageInfo!: PageInfo;
}
