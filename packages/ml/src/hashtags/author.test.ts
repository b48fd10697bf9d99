import { authorHashtags, mergeHashtags } from './author';

describe('author hashtags', () => {
  it('keeps the tags people write as they wrote them, once each, in any script', () => {
    expect(authorHashtags('#Beach at sunset #beach #SunsetVibes #été #日本 # nope')).toEqual([
      '#Beach',
      '#SunsetVibes',
      '#été',
      '#日本',
    ]);
    expect(authorHashtags('no tags here')).toEqual([]);
  });

  it("puts the author's tags first, then the model's other suggestions, up to the limit", () => {
    expect(mergeHashtags('#Beach at sunset', ['#beach', '#sunset', '#sea', '#summer'], 3)).toEqual(['#Beach', '#sunset', '#sea']);
    // the author's own tags are never cut
    expect(mergeHashtags('#a1 #b2 #c3', ['#dog'], 2)).toEqual(['#a1', '#b2', '#c3']);
  });
});
