import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { datasetImages, makeJpeg } from '../testing/harness';
import { MediaService } from './media.service';

/** A valid 1x1 PNG whose IHDR is rewritten (with a correct CRC) to claim width x height. */
function pngClaiming(width: number, height: number): Buffer {
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWP4//8/AAX+Av5Y8msOAAAAAElFTkSuQmCC',
    'base64',
  );
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  let c = 0xffffffff;
  for (const byte of png.subarray(12, 29)) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  png.writeUInt32BE((c ^ 0xffffffff) >>> 0, 29);
  return png;
}

let dir: string;
let media: MediaService;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-media-'));
  media = new MediaService({ dir, maxBytes: 15 * 1024 * 1024, maxPixels: 50_000_000 });
  await media.init();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { extensions?: { code?: string; reason?: string } }) => `${e.extensions?.code}/${e.extensions?.reason}`,
  );

test('normalises a JPEG: feed + detail WebP and detail JPEG, content-addressed files', async () => {
  const img = await media.ingest(await makeJpeg({ width: 2400, height: 1200 }));
  expect([img.feed.width, img.feed.height]).toEqual([640, 320]);
  expect([img.detail.width, img.detail.height]).toEqual([1600, 800]);
  for (const v of [img.feed, img.detail, img.detailJpeg]) {
    const bytes = fs.readFileSync(media.pathOf(v));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(v.key);
    expect(v.file.startsWith(v.key)).toBe(true);
  }
  expect((await sharp(media.pathOf(img.detail)).metadata()).format).toBe('webp');
  expect((await sharp(media.pathOf(img.detailJpeg)).metadata()).format).toBe('jpeg');
  const again = await media.ingest(await makeJpeg({ width: 2400, height: 1200 }));
  expect(again.detail.key).toBe(img.detail.key); // same content, same address
});

test('strips EXIF and GPS, and auto-rotates by the EXIF orientation', async () => {
  const input = await makeJpeg({ width: 300, height: 100, exif: true, orientation: 6 });
  const inMeta = await sharp(input).metadata();
  expect(inMeta.exif).toBeDefined();
  expect(input.includes(Buffer.from('PixtaleCam'))).toBe(true);
  const img = await media.ingest(input);
  expect([img.detail.width, img.detail.height]).toEqual([100, 300]); // rotated 90°
  for (const v of [img.feed, img.detail, img.detailJpeg]) {
    const bytes = fs.readFileSync(media.pathOf(v));
    const meta = await sharp(bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation ?? 1).toBe(1);
    expect(bytes.includes(Buffer.from('PixtaleCam'))).toBe(false);
    expect(bytes.includes(Buffer.from('GPS'))).toBe(false);
  }
});

test('accepts PNG, WebP and the first frame of a GIF, whatever the file is called', async () => {
  const base = sharp({ create: { width: 64, height: 48, channels: 3, background: '#369' } });
  for (const fmt of ['png', 'webp', 'gif'] as const) {
    const img = await media.ingest(await base.clone().toFormat(fmt).toBuffer());
    expect([img.detail.width, img.detail.height]).toEqual([64, 48]);
  }
});

const photos = datasetImages();
// Skipped, with the reason in its title, when the datasets are absent.
('files' in photos ? test : test.skip)(
  `a real photo from the dataset${'reason' in photos ? ` [skipped: ${photos.reason}]` : ''}`,
  async () => {
    if (!('files' in photos)) return;
    const img = await media.ingest(fs.readFileSync(photos.files[0]!));
    expect(img.detail.width).toBeGreaterThan(100);
  },
);

test('rejects non-images, truncated images, oversized files and pixel bombs', async () => {
  expect(await codeOf(media.ingest(Buffer.from('%PDF-1.4 definitely not an image')))).toBe('UNSUPPORTED_IMAGE/NOT_AN_IMAGE');
  expect(await codeOf(media.ingest(Buffer.alloc(0)))).toBe('UNSUPPORTED_IMAGE/NOT_AN_IMAGE');
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  expect(await codeOf(media.ingest(svg))).toBe('UNSUPPORTED_IMAGE/NOT_AN_IMAGE');
  const jpeg = await makeJpeg({ width: 800, height: 600 });
  expect(await codeOf(media.ingest(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBe('UNSUPPORTED_IMAGE/CORRUPT_IMAGE');
  const small = new MediaService({ dir, maxBytes: 1000, maxPixels: 50_000_000 });
  expect(await codeOf(small.ingest(jpeg))).toBe('PAYLOAD_TOO_LARGE/FILE_TOO_LARGE');
  // A real bomb in miniature: a 3000 x 3000 single-colour PNG is ~30 KB but 9 MP; with a 1 MP limit it must be refused.
  const bomb = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#fff' } })
    .png({ compressionLevel: 9 })
    .toBuffer();
  expect(bomb.length).toBeLessThan(100_000);
  const strict = new MediaService({ dir, maxBytes: 15 * 1024 * 1024, maxPixels: 1_000_000 });
  expect(await codeOf(strict.ingest(bomb))).toBe('PAYLOAD_TOO_LARGE/TOO_MANY_PIXELS');
  // And at full scale under the default limit: a PNG whose header claims 60000 x 60000 (3.6 GP).
  expect(await codeOf(media.ingest(pngClaiming(60000, 60000)))).toBe('PAYLOAD_TOO_LARGE/TOO_MANY_PIXELS');
});
