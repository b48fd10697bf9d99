import { hashtagHref, splitHashtags, tagKey } from './hashtags';

describe('hashtags', () => {
  it('keys a tag like the API: lower-cased, without "#"', () => {
    expect(tagKey('#Sunset')).toBe('sunset');
    expect(tagKey('dog')).toBe('dog');
    expect(hashtagHref('#Café')).toBe('/tags/caf%C3%A9');
  });

  it('cuts user text into plain runs and #tags', () => {
    expect(splitHashtags('Dog on a #beach at #Sunset!')).toEqual([
      { text: 'Dog on a ' },
      { text: '#beach', tag: '#beach' },
      { text: ' at ' },
      { text: '#Sunset', tag: '#Sunset' },
      { text: '!' },
    ]);
    expect(splitHashtags('#straße_2 und mehr')).toEqual([{ text: '#straße_2', tag: '#straße_2' }, { text: ' und mehr' }]);
  });

  it('leaves "#" inside words and lone "#" alone', () => {
    expect(splitHashtags('C#code and issue # 4 and &#39;')).toEqual([{ text: 'C#code and issue # 4 and &#39;' }]);
    expect(splitHashtags('')).toEqual([]);
  });
});
