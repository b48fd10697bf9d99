import { CAPTION_LANGUAGES, SOURCE_LANGUAGE, type CaptionLanguage } from '@pixtale/shared';
import type { Caption, Translation, TranslationStatus } from '@/graphql/generated/graphql';

export type { CaptionLanguage };

/** The caption as the reader asked for it. */
export type CaptionIn =
  /** No caption yet (being written, or captioning failed). */
  | { kind: 'none' }
  /** English, or the translation into the chosen language. */
  | { kind: 'text'; text: string; lang: CaptionLanguage; translated: boolean; original: string }
  /** The chosen language's translation of the live caption has not arrived yet. */
  | { kind: 'translating'; lang: CaptionLanguage; original: string }
  /** It will not come (translation failed, or the server has no translation model): show the original. */
  | { kind: 'unavailable'; lang: CaptionLanguage; original: string };

/** Picks the text to show: the live caption in `language`, or "translating" until its translation exists. */
export function captionIn(
  post: {
    caption?: Pick<Caption, 'id' | 'text'> | null | undefined;
    translations?: Pick<Translation, 'language' | 'text' | 'captionId'>[] | null | undefined;
    translationStatus?: TranslationStatus | null | undefined;
  },
  language: CaptionLanguage,
): CaptionIn {
  const caption = post.caption;
  if (!caption) return { kind: 'none' };
  if (language === SOURCE_LANGUAGE)
    return { kind: 'text', text: caption.text, lang: SOURCE_LANGUAGE, translated: false, original: caption.text };
  // Only a translation of the live version counts: after an edit the old one is stale.
  const t = post.translations?.find((x) => x.language === language && x.captionId === caption.id);
  if (t && t.text.trim()) return { kind: 'text', text: t.text, lang: language, translated: true, original: caption.text };
  const never =
    post.translationStatus === 'FAILED' || post.translationStatus === 'UNAVAILABLE' || post.translationStatus === 'READY';
  return { kind: never ? 'unavailable' : 'translating', lang: language, original: caption.text };
}

/** The language's own name ("Deutsch"). */
export function languageName(code: CaptionLanguage): string {
  return CAPTION_LANGUAGES.find((l) => l.code === code)?.name ?? code;
}

export const LANGUAGE_STORAGE_KEY = 'pixtale.captionLanguage';

/** A stored choice, or English when there is none (or it is not a caption language). */
export function parseStoredLanguage(value: string | null | undefined): CaptionLanguage {
  return CAPTION_LANGUAGES.find((l) => l.code === value)?.code ?? SOURCE_LANGUAGE;
}
