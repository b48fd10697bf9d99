/**
 * Caption languages. Captions are written in English (the source); the API translates every
 * caption version into the other languages with @pixtale/ml's translator.
 */
export const SOURCE_LANGUAGE = 'en';

/** Every language a caption can be read in, source first, each with its own name and its English name. */
export const CAPTION_LANGUAGES = [
  { code: 'en', name: 'English', englishName: 'English' },
  { code: 'de', name: 'Deutsch', englishName: 'German' },
  { code: 'fr', name: 'Français', englishName: 'French' },
  { code: 'cs', name: 'Čeština', englishName: 'Czech' },
] as const;

export type CaptionLanguage = (typeof CAPTION_LANGUAGES)[number]['code'];

/** Languages captions are translated into (every caption language except the source). */
export const TRANSLATION_LANGUAGES = CAPTION_LANGUAGES.map((l) => l.code).filter(
  (c): c is Exclude<CaptionLanguage, typeof SOURCE_LANGUAGE> => c !== SOURCE_LANGUAGE,
);

/** The language code for a client's input ("DE", " fr ") or null when it is not a caption language. */
export function captionLanguageOf(input: string): CaptionLanguage | null {
  const code = input.trim().toLowerCase();
  return CAPTION_LANGUAGES.some((l) => l.code === code) ? (code as CaptionLanguage) : null;
}
