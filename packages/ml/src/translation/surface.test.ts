import { copiesEnglishWord, isAllCaps, surfaceForm } from './surface';

describe('surfaceForm', () => {
  it.each([
    ['A dog runs on the beach.', 'A dog runs on the beach.', 'Ein Hund rennt.', 'Ein Hund rennt.'],
    ['A dog runs on the beach', 'A dog runs on the beach.', 'Ein Hund rennt.', 'Ein Hund rennt'],
    ['a dog runs!', 'A dog runs.', 'Ein Hund rennt.', 'Ein Hund rennt!'],
    ['Is this a cat?', 'Is this a cat.', 'Ist das eine Katze.', 'Ist das eine Katze?'],
    ['Sunset at the lake...', 'Sunset at the lake.', 'Sonnenuntergang am See', 'Sonnenuntergang am See...'],
    ['Wow!!', 'Wow.', 'Toll.', 'Toll!!'],
    ['A dog. ?!', 'A dog.', 'Ein Hund.', 'Ein Hund?!'],
  ])('%j reaches the model as %j; its %j comes back as %j', (input, modelInput, output, restored) => {
    const form = surfaceForm(input);
    expect(form.modelInput).toBe(modelInput);
    expect(form.restore(output)).toBe(restored);
  });

  it('reads shouted text in sentence case and shouts the translation back', () => {
    const form = surfaceForm('DOG ON THE BEACH!');
    expect(form.modelInput).toBe('Dog on the beach.');
    expect(form.restore('Hund am Strand.')).toBe('HUND AM STRAND!');
    expect(surfaceForm('ŽENA V PARKU').restore('Une femme au parc.')).toBe('UNE FEMME AU PARC');
  });

  it('tells shouting from a capitalised sentence or an acronym in one', () => {
    expect(isAllCaps('DOG ON BEACH')).toBe(true);
    expect(isAllCaps('NYC 2024!')).toBe(true);
    expect(isAllCaps('A man in NYC.')).toBe(false);
    expect(isAllCaps('A')).toBe(false);
    expect(isAllCaps('42')).toBe(false);
  });

  it('has nothing for the model when the sentence is only punctuation', () => {
    const form = surfaceForm('?!');
    expect(form.modelInput).toBeNull();
    expect(form.restore('')).toBe('?!');
  });
});

describe('copiesEnglishWord', () => {
  it('is true when a word that is never a name starts the translation untranslated, whole or as a prefix', () => {
    expect(copiesEnglishWord('Is this a dog.', 'Is diesem Hund.')).toBe(true);
    expect(copiesEnglishWord('Who wants ice cream.', 'Whow wandert Eis.')).toBe(true);
    expect(copiesEnglishWord('Me and my friends at the lake.', 'Me und Freunde am See.')).toBe(true);
  });

  it('is false for names, for translated first words and for short prefixes', () => {
    expect(copiesEnglishWord('Anna plays football.', 'Anna spielt Fußball.')).toBe(false);
    expect(copiesEnglishWord('This dog runs.', 'Dieser Hund rennt.')).toBe(false);
    expect(copiesEnglishWord('I love it.', 'Il adore ça.')).toBe(false); // "I" is not a prefix check
    expect(copiesEnglishWord('A dog.', 'A dog.')).toBe(false); // "A" is not in the list (Czech "A" = "and")
    expect(copiesEnglishWord('', 'Ein Hund.')).toBe(false);
    expect(copiesEnglishWord('Will plays football.', 'Will spielt Fußball.')).toBe(false); // a name too
    expect(copiesEnglishWord('Oh, what a dog.', 'Oh, was ein Hund.')).toBe(false); // German says "Oh" too
  });
});
