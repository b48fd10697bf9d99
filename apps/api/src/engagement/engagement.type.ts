import { Field, Float, Int, ObjectType } from 'type-graphql';
import { CaptionStats } from '../caption/caption.type';
import { Post } from '../post/post.type';

@ObjectType({ simpleResolvers: true, description: 'Views and likes received on one day (UTC).' })
export class DailyStat {
  @Field({ description: 'The day, YYYY-MM-DD (UTC).' })
  date!: string;

  @Field(() => Int, { description: 'Views counted that day.' })
  views!: number;

  @Field(() => Int, { description: 'Likes given that day (still standing).' })
  likes!: number;
}

@ObjectType({ simpleResolvers: true, description: 'One of your posts with the engagement of each caption version.' })
export class PostAnalytics {
  @Field(() => Post, { description: 'The post.' })
  post!: Post;

  @Field(() => [CaptionStats], { description: 'Per caption version, oldest first.' })
  captions!: CaptionStats[];
}

@ObjectType({ simpleResolvers: true, description: 'Your engagement over time, for the analytics page.' })
export class AnalyticsSummary {
  @Field(() => Int, { description: 'Length of the daily series, in days (ending today).' })
  days!: number;

  @Field(() => Int, { description: 'Number of your posts.' })
  totalPosts!: number;

  @Field(() => Int, { description: 'All-time views of your posts.' })
  totalViews!: number;

  @Field(() => Int, { description: 'All-time likes of your posts.' })
  totalLikes!: number;

  @Field(() => Float, { description: 'totalLikes / totalViews; 0 without views.' })
  likeRate!: number;

  @Field(() => [DailyStat], { description: 'Views and likes per day, oldest first, one entry per day.' })
  daily!: DailyStat[];

  @Field(() => [PostAnalytics], { description: 'Per post (newest first), per caption version.' })
  posts!: PostAnalytics[];
}
