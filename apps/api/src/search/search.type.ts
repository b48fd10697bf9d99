import { Field, Int, ObjectType } from 'type-graphql';
import { User } from '../auth/auth.type';
import { Post } from '../post/post.type';

@ObjectType({ simpleResolvers: true, description: 'A hashtag: the posts whose live hashtags include it.' })
export class Hashtag {
  @Field({ description: 'The tag, lower-cased, without "#" (e.g. "sunset"); the same in /tags/<tag> links.' })
  tag!: string;

  @Field(() => Int, { description: "How many posts' live hashtags include it." })
  postCount!: number;
}

@ObjectType({ simpleResolvers: true, description: 'What a search found, best match first in each group.' })
export class SearchResults {
  @Field(() => [Post], { description: 'Posts whose live caption, its translations or hashtags match.' })
  posts!: Post[];

  @Field(() => [User], { description: 'People whose display name matches.' })
  users!: User[];

  @Field(() => [Hashtag], { description: 'Hashtags starting with a word of the query, most used first.' })
  hashtags!: Hashtag[];
}
