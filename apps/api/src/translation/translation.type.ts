import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Shared } from '../shared-results';

/** Where the translations of a post's live caption version are. */
export const TranslationStatus = {
  NONE: 'NONE',
  PENDING: 'PENDING',
  READY: 'READY',
  FAILED: 'FAILED',
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type TranslationStatus = (typeof TranslationStatus)[keyof typeof TranslationStatus];

registerEnumType(TranslationStatus, {
  name: 'TranslationStatus',
  description:
    'Where the translations of the live caption version are: PENDING -> READY, or FAILED; UNAVAILABLE while the server has no translation model.',
  valuesConfig: {
    NONE: { description: 'Nothing to translate: no caption yet (or a version from before translations existed).' },
    PENDING: { description: 'Queued or being translated; each language appears in translations as it is done.' },
    READY: { description: 'Translated: translations has every language.' },
    FAILED: { description: 'Translation failed after retries; translations may be partial.' },
    UNAVAILABLE: { description: 'The server has no translation model yet; the job waits and runs once one is installed.' },
  },
});

@Shared()
@ObjectType({ simpleResolvers: true, description: 'A caption version machine-translated from English into another language.' })
export class Translation {
  @Field({ description: 'Language code of the translation: "de", "fr" or "cs" (see supportedLanguages).' })
  language!: string;

  @Field({ description: 'The translated caption.' })
  text!: string;

  @Field(() => ID, { description: 'Id of the caption version that was translated (Caption.id of the English caption).' })
  captionId!: string;

  @Field({ description: 'Name of the translation model that wrote it.' })
  model!: string;

  @Field({ description: 'When the translation was stored.' })
  createdAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'A language captions can be read in (Post.caption(language:)).' })
export class Language {
  @Field({ description: 'Language code (ISO 639-1), e.g. "de"; pass it to Post.caption(language:).' })
  code!: string;

  @Field({ description: 'The language\'s name in that language, e.g. "Deutsch" (for a language switcher).' })
  name!: string;

  @Field({ description: 'The language\'s name in English, e.g. "German".' })
  englishName!: string;

  @Field({ description: 'True for English, the language captions are written in; false for machine translations.' })
  source!: boolean;
}
