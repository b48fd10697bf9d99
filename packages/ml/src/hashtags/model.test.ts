import fs from 'node:fs';
import path from 'node:path';
import { requireModel, modelsDir } from '../testing/fixtures';
import { lemmaKey } from './keywords';
import { createHashtagger, defaultHashtagger, meanRegions, type ModelHashtagger } from './model';

describe('trained hashtag model (models/hashtags-gan)', () => {
  let tagger: ModelHashtagger;
  beforeAll(async () => {
    requireModel('hashtags-gan');
    tagger = await createHashtagger();
  });
  afterAll(() => tagger?.dispose());

  it('returns 3-10 lowercase #tags without near-duplicates', async () => {
    for (const caption of [
      'A black dog runs on the beach.',
      'Two children are playing soccer in a park',
      'A man rides a bike down a mountain trail',
    ]) {
      const tags = await tagger.generate({ caption, alternatives: [] });
      expect(tags.length).toBeGreaterThanOrEqual(3);
      expect(tags.length).toBeLessThanOrEqual(10);
      for (const t of tags) expect(t).toMatch(/^#[a-z0-9]+$/);
      expect(new Set(tags.map((t) => lemmaKey(t.slice(1)))).size).toBe(tags.length);
    }
    const dog = await tagger.generate({ caption: 'A black dog runs on the beach.', alternatives: [] });
    expect(dog).toContain('#dog');
    expect(dog).toContain('#beach');
  });

  it('uses an image vector when given one, and checks its size', async () => {
    // The vector's size is the encoder's feature size, recorded by the export (480 for CenterNet).
    const { imageDim } = JSON.parse(fs.readFileSync(path.join(modelsDir, 'hashtags-gan', 'config.json'), 'utf8')) as {
      imageDim: number;
    };
    const vec = new Float32Array(imageDim).fill(0.1);
    const tags = await tagger.generate({ caption: 'A dog in the snow', alternatives: [], imageVector: vec });
    expect(tags.length).toBeGreaterThanOrEqual(3);
    await expect(tagger.generate({ caption: 'A dog', alternatives: [], imageVector: new Float32Array(5) })).rejects.toThrow(
      new RegExp(`expects ${imageDim}`),
    );
  });

  it('never suggests blocklisted words and returns nothing for nothing', async () => {
    const blocked = await createHashtagger({ blocklist: ['dog'] });
    try {
      expect(await blocked.generate({ caption: 'A dog with a dog', alternatives: [] })).not.toContain('#dog');
    } finally {
      await blocked.dispose();
    }
    expect(await tagger.generate({ caption: '   ', alternatives: [] })).toEqual([]);
  });

  it('averages encoder regions and is the default when the folder exists', async () => {
    const f = Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]); // 2 images x 2 regions x 2 dims
    expect(Array.from(meanRegions(f, 1, 2, 2))).toEqual([20, 30]);
    const def = await defaultHashtagger({ modelsDir });
    expect(def.name).toBe('hashtags-gan');
    await def.dispose?.();
    const fallback = await defaultHashtagger({ modelsDir: '/nonexistent' });
    expect(fallback.name).toBe('keywords');
  });
});
