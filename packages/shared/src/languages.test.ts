import { CAPTION_LANGUAGES, SOURCE_LANGUAGE, TRANSLATION_LANGUAGES, captionLanguageOf } from './languages';

describe('caption languages', () => {
  it('English is the source, listed first; translations are de, fr, cs', () => {
    expect(CAPTION_LANGUAGES[0].code).toBe(SOURCE_LANGUAGE);
    expect(TRANSLATION_LANGUAGES).toEqual(['de', 'fr', 'cs']);
    expect(CAPTION_LANGUAGES.map((l) => l.name)).toEqual(['English', 'Deutsch', 'Français', 'Čeština']);
  });

  it('reads client input case- and space-insensitively, and refuses anything else', () => {
    expect(captionLanguageOf(' DE ')).toBe('de');
    expect(captionLanguageOf('en')).toBe('en');
    for (const bad of ['', 'xx', 'german', 'de-DE', 'constructor']) expect(captionLanguageOf(bad)).toBeNull();
  });
});
