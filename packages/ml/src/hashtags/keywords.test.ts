import fs from 'node:fs';
import { BLOCKLIST_FILE, shippedBlocklist } from './blocklist';
import { createKeywordHashtagger, keywordHashtags, lemmaKey, singular } from './keywords';

describe('keyword hashtags', () => {
  it('tags the content words of a caption in order, then topic words', () => {
    expect(keywordHashtags({ caption: 'A black dog runs on the beach', alternatives: [] })).toEqual([
      '#black',
      '#dog',
      '#run',
      '#beach',
      '#pets',
      '#summer',
    ]);
  });

  it('folds plurals and -ing forms together and drops stopwords', () => {
    const tags = keywordHashtags({
      caption: 'Two dogs and a dog are running with their dog in the running water',
      alternatives: [],
    });
    expect(tags).toEqual(['#dog', '#running', '#water', '#pets', '#outdoors']);
    expect(singular('puppies')).toBe('puppy');
    expect(singular('boxes')).toBe('box');
    expect(singular('children')).toBe('child');
    expect(singular('grass')).toBe('grass');
    expect(lemmaKey('running')).toBe(lemmaKey('run'));
    expect(lemmaKey('runs')).toBe(lemmaKey('run'));
    expect(lemmaKey('jumped')).toBe(lemmaKey('jumping'));
  });

  it('produces lowercase #letters/digits only, without duplicates', () => {
    const tags = keywordHashtags({ caption: "A man's T-shirt, 3 boys & BMX-bikes!", alternatives: [] });
    for (const tag of tags) expect(tag).toMatch(/^#[a-z0-9]+$/);
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags).toContain('#tshirt');
    expect(tags).toContain('#boy');
    expect(tags).toContain('#bmxbike');
  });

  it('fills up to 3 tags from the alternatives, and caps at 10', () => {
    expect(keywordHashtags({ caption: 'A man', alternatives: ['A man in a red shirt', 'A man on a bike'] })).toEqual([
      '#man',
      '#red',
      '#shirt',
    ]);
    const long = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike';
    expect(keywordHashtags({ caption: long, alternatives: [] })).toHaveLength(10);
    expect(keywordHashtags({ caption: '', alternatives: [] })).toEqual([]);
  });

  it('never suggests blocklisted words', () => {
    const tags = keywordHashtags({ caption: 'A naked man with a gun', alternatives: [] }, { blocklist: ['man'] });
    expect(tags).toEqual([]);
  });

  it('blocks every word of the one list in models/hashtags-gan/config.json (read by training too)', () => {
    const listed = (JSON.parse(fs.readFileSync(BLOCKLIST_FILE, 'utf8')) as { blocklist: string[] }).blocklist;
    expect([...shippedBlocklist()]).toEqual(listed);
    expect(keywordHashtags({ caption: listed.join(' '), alternatives: [] }, { min: 0 })).toEqual([]);
  });

  it('plugs in as a HashtagGenerator', async () => {
    const gen = createKeywordHashtagger({ max: 2 });
    expect(gen.name).toBe('keywords');
    expect(await gen.generate({ caption: 'A brown dog plays in the snow', alternatives: [] })).toEqual(['#brown', '#dog']);
  });
});
