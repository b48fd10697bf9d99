import * as ml from './index';

// The main entry is the app's surface: keep it small (tools live in ./tools).
it('exports only what the app calls', () => {
  expect(Object.keys(ml).sort()).toEqual([
    'CaptionerConfigError',
    'CaptionerDisposedError',
    'CaptionerInputError',
    'DEFAULT_MODEL',
    'DEFAULT_TRANSLATION_MODEL',
    'TranslationInputError',
    'authorHashtags',
    'createCaptioner',
    'createTranslator',
    'modelAvailability',
  ]);
});
