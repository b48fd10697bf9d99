import { captionIn, languageName, parseStoredLanguage } from './translation';

const caption = { id: 'c2', text: 'A dog runs.' };
const translations = [
  { language: 'de', text: 'Ein Hund rennt.', captionId: 'c2' },
  { language: 'fr', text: 'Un chien (old version).', captionId: 'c1' },
];

describe('captionIn', () => {
  it('English is the caption as written', () => {
    expect(captionIn({ caption, translations }, 'en')).toEqual({
      kind: 'text',
      text: 'A dog runs.',
      lang: 'en',
      translated: false,
      original: 'A dog runs.',
    });
  });
  it('a translation of the live version is shown', () => {
    expect(captionIn({ caption, translations }, 'de')).toEqual({
      kind: 'text',
      text: 'Ein Hund rennt.',
      lang: 'de',
      translated: true,
      original: 'A dog runs.',
    });
  });
  it('a missing translation, or one of an older version, is "translating"', () => {
    expect(captionIn({ caption, translations }, 'fr')).toEqual({ kind: 'translating', lang: 'fr', original: 'A dog runs.' });
    expect(captionIn({ caption, translations: undefined }, 'cs')).toEqual({
      kind: 'translating',
      lang: 'cs',
      original: 'A dog runs.',
    });
  });
  it('a translation that will not come (failed, no model on the server) is "unavailable"', () => {
    for (const translationStatus of ['FAILED', 'UNAVAILABLE', 'READY'] as const) {
      expect(captionIn({ caption, translations, translationStatus }, 'fr')).toEqual({
        kind: 'unavailable',
        lang: 'fr',
        original: 'A dog runs.',
      });
    }
    expect(captionIn({ caption, translations, translationStatus: 'PENDING' }, 'fr').kind).toBe('translating');
    expect(captionIn({ caption, translations, translationStatus: 'FAILED' }, 'de').kind).toBe('text');
  });
  it('no caption yet is "none" in every language', () => {
    expect(captionIn({ caption: null, translations: [] }, 'de')).toEqual({ kind: 'none' });
  });
});

test('language names and stored choices', () => {
  expect(['en', 'de', 'fr', 'cs'].map((c) => languageName(c as never))).toEqual(['English', 'Deutsch', 'Français', 'Čeština']);
  expect(parseStoredLanguage('fr')).toBe('fr');
  expect(parseStoredLanguage('xx')).toBe('en');
  expect(parseStoredLanguage(null)).toBe('en');
});
