import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CaptionSource, CaptionStatus } from '@pixtale/shared';
import { Shared } from '../shared-results';

registerEnumType(CaptionStatus, {
  name: 'CaptionStatus',
  description: 'Where the machine caption of a post is: PENDING -> PROCESSING -> READY or FAILED (retryable).',
  valuesConfig: {
    PENDING: { description: 'Queued for the caption worker.' },
    PROCESSING: { description: 'The worker is captioning the image.' },
    READY: { description: 'Captioned: caption, suggestions and hashtags are set.' },
    FAILED: { description: 'Captioning failed; see captionError, and retryCaption to try again.' },
  },
});

registerEnumType(CaptionSource, {
  name: 'CaptionSource',
  description: 'Who wrote a caption version.',
  valuesConfig: {
    MODEL: { description: "Pixtale's captioning model." },
    USER: { description: "The post's author." },
  },
});

@ObjectType({ simpleResolvers: true, description: "One version of a post's caption. Edits add versions; history is kept." })
export class Caption {
  @Shared()
  @Field(() => ID, {
    description:
      'Id of this caption version. A translated caption (Post.caption(language:)) has the id "<version id>:<language>", ' +
      'so normalising client caches keep the English and the translated caption apart.',
  })
  id!: string;

  @Shared()
  @Field({ description: 'The caption text (in `language`).' })
  text!: string;

  @Shared()
  @Field(() => CaptionSource, { description: 'MODEL (machine caption) or USER (written by the author).' })
  source!: CaptionSource;

  @Shared()
  @Field(() => Int, { description: 'Version number, 1 for the first caption, +1 per edit.' })
  version!: number;

  @Shared()
  @Field({ description: 'When this version was created (went live).' })
  createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'Engagement received while one caption version was live.' })
export class CaptionStats {
  @Field(() => Caption, { description: 'The caption version.' })
  caption!: Caption;

  @Field(() => Int, { description: 'Views counted while this version was live.' })
  views!: number;

  @Field(() => Int, { description: 'Likes given while this version was live (and not since withdrawn).' })
  likes!: number;

  @Field(() => Float, { description: 'likes / views; 0 when there are no views.' })
  likeRate!: number;
}

@Shared()
@ObjectType({ simpleResolvers: true, description: "An alternative caption from the model's beam search." })
export class CaptionSuggestion {
  @Field({ description: 'The alternative caption.' })
  text!: string;

  @Field(() => Float, { description: 'Length-normalised log-probability (higher is better).' })
  score!: number;
}

@Shared()
@ObjectType({ simpleResolvers: true, description: 'Where the model looked when it wrote one word.' })
export class WordAttention {
  @Field({ description: 'The caption word.' })
  word!: string;

  @Field(() => [Float], { description: 'Weights over the grid, row-major (gridHeight rows of gridWidth), summing to 1.' })
  weights!: number[];
}

@Shared()
@ObjectType({
  simpleResolvers: true,
  description: 'Per-word attention of the machine caption over the image, for a heatmap overlay.',
})
export class CaptionAttention {
  @Field(() => Int, { description: 'Grid columns.' })
  gridWidth!: number;

  @Field(() => Int, { description: 'Grid rows.' })
  gridHeight!: number;

  @Field(() => [WordAttention], { description: 'One entry per word of the machine caption, in order.' })
  words!: WordAttention[];
}
