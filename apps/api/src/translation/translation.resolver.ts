import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { CAPTION_LANGUAGES, SOURCE_LANGUAGE } from '@pixtale/shared';
import { Caption } from '../caption/caption.type';
import type { Context } from '../context';
import { Shared } from '../shared-results';
import type { CaptionVersionRecord, TranslationRecord } from '../store';
import { Language } from './translation.type';

/** A caption version read in another language: what Post.caption(language:) returns for a translation. */
export type TranslatedCaption = CaptionVersionRecord & { language: string };

/** The caption version as a Caption in `translation`'s language (id `<captionId>:<language>`, see Caption.id). */
export function translatedCaption(caption: CaptionVersionRecord, translation: TranslationRecord): TranslatedCaption {
  return { ...caption, id: `${caption.id}:${translation.language}`, text: translation.text, language: translation.language };
}

@Resolver()
export class LanguageResolver {
  @Query(() => [Language], {
    description: 'Languages captions can be read in: English (the source) first, then the translations.',
  })
  supportedLanguages(): Language[] {
    return CAPTION_LANGUAGES.map((l) => ({ ...l, source: l.code === SOURCE_LANGUAGE }));
  }
}

@Resolver(() => Caption)
export class CaptionLanguageResolver {
  @Shared() // read from the caption record alone
  @FieldResolver(() => String, {
    description: 'Language of text: "en" for a caption as written, else the translation\'s code (Post.caption(language:)).',
  })
  language(@Root() caption: CaptionVersionRecord & { language?: string }, @Ctx() _ctx: Context): string {
    return caption.language ?? SOURCE_LANGUAGE;
  }
}
