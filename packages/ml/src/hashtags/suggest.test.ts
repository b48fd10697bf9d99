import sharp from 'sharp';
import { createCaptioner } from '../captioner';
import { modelsDir } from '../testing/fixtures';
import { defaultHashtagger, meanRegions } from './model';

// The real encoder and the real hashtag model (models/ is committed): hashtags for a caption the
// author wrote follow that caption, not the one the model wrote.
type Loaded = Awaited<ReturnType<typeof createCaptioner>>;
let captioner: Loaded;
let beach: Buffer;
beforeAll(async () => {
  captioner = await createCaptioner({ modelsDir, threads: 1 });
  // Sky over sea over sand, drawn with sharp.
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320">
    <rect width="480" height="140" fill="#8cc8f0"/><rect y="140" width="480" height="80" fill="#1f6fa8"/>
    <rect y="220" width="480" height="100" fill="#e8d29a"/><circle cx="380" cy="60" r="30" fill="#ffd34d"/></svg>`;
  beach = await sharp(Buffer.from(svg)).jpeg().toBuffer();
});
afterAll(() => captioner?.dispose());

it("suggestHashtags: the author's #tags as written, then the model's tags for this image and this caption", async () => {
  const tags = await captioner.suggestHashtags(beach, '#Beach at sunset');
  expect(tags[0]).toBe('#Beach');
  expect(tags.filter((t) => t.toLowerCase() === '#beach')).toHaveLength(1);
  expect(tags.length).toBeGreaterThan(1);

  // The rest is exactly what the hashtag model gives for the image vector and the new words.
  const hashtagger = await defaultHashtagger({ modelsDir, threads: 1 });
  const pixels = (await import('../preprocess')).preprocess(beach, captioner.encoder.preprocessor);
  const features = await captioner.encoder.run([(await pixels).pixels]);
  const imageVector = meanRegions(features, 0, captioner.encoder.gridSize, captioner.encoder.config.featureDim);
  const model = await hashtagger.generate({ caption: ' Beach at sunset', alternatives: [], imageVector });
  await hashtagger.dispose?.();
  expect(tags.slice(1)).toEqual(model.filter((t) => t !== '#beach').slice(0, 9));

  // Another caption for the same image gives other tags: they follow the words, not a stale caption.
  const other = await captioner.suggestHashtags(beach, 'a dog runs through the snow');
  expect(other).not.toEqual(tags);
  expect(other.some((t) => t === '#dog' || t === '#snow')).toBe(true);
});
