import { hashtagKey, hashtagKeys } from './hashtags';
import { searchTerms, wordsOf } from './search-terms';

describe('searchTerms', () => {
  test.each([
    ['Red  BICYCLE', ['red', 'bicycle']],
    ['"bicy*" -red NEAR(a b) OR ^x', ['bicy', 'red', 'near', 'a', 'b', 'or', 'x']],
    ["don't", ['don', 't']],
    ['#my_tag', ['my', 'tag']],
    ['Zoë ÜBER straße', ['zoë', 'über', 'straße']],
    ['e\u0301t\u00E9', ['été']], // NFC
    ['in\u200Bvisible', ['invisible']],
    ['🙂 👩‍👩‍👧 ((( ))) *** ---', []],
    ['', []],
    ['a a A', ['a']],
  ])('%j -> %j', (query, words) => {
    expect(searchTerms(query).words).toEqual(words);
  });

  test('at most 8 words of at most 64 characters', () => {
    expect(searchTerms('a b c d e f g h i j').words).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(searchTerms('x'.repeat(100)).words).toEqual(['x'.repeat(64)]);
  });

  test('wordsOf: every distinct word, lower-cased', () => {
    expect(wordsOf('A dog, a DOG and #Bike_2')).toEqual(['a', 'dog', 'and', 'bike', '2']);
  });
});

describe('hashtagKey', () => {
  test.each([
    ['#Sunset', 'sunset'],
    ['sunset', 'sunset'],
    ['  ##SUNSET ', 'sunset'],
    ['#Über_2026', 'über_2026'],
    ['#', null],
    ['', null],
    ['two words', null],
    ['#a-b', null],
    ['x'.repeat(101), null],
  ])('%j -> %j', (raw, key) => {
    expect(hashtagKey(raw)).toBe(key);
  });

  test('hashtagKeys: distinct keys in order, non-tags dropped', () => {
    expect(hashtagKeys(['#Lake', '#sunset', '#LAKE', '#'])).toEqual(['lake', 'sunset']);
  });
});
