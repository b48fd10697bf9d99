import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { CaptionerInputError } from './errors';
import { preprocess } from './preprocess';
import { hugePngHeader, solid, twoColourImage } from './testing/images';

const cfg = { size: 299 };

function pixel(pixels: Uint8Array, x: number, y: number): [number, number, number] {
  const i = (y * 299 + x) * 3;
  return [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!];
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<CaptionerInputError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ${code}, got a result`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CaptionerInputError);
  expect((err as CaptionerInputError).code).toBe(code);
  return err as CaptionerInputError;
}

describe('preprocess', () => {
  it('decodes a JPEG to 299x299x3 uint8', async () => {
    const jpeg = await solid(64, 48, '#336699').jpeg({ quality: 95 }).toBuffer();
    const out = await preprocess(jpeg, cfg);
    expect(out.pixels).toBeInstanceOf(Uint8Array);
    expect(out.pixels.length).toBe(299 * 299 * 3);
    expect(out.original).toEqual({ width: 64, height: 48, format: 'jpeg' });
    const [r, g, b] = pixel(out.pixels, 150, 150);
    expect(Math.abs(r - 0x33)).toBeLessThan(4);
    expect(Math.abs(g - 0x66)).toBeLessThan(4);
    expect(Math.abs(b - 0x99)).toBeLessThan(4);
  });

  it('squashes (no crop): a wide image keeps both halves', async () => {
    const png = await (await twoColourImage(400, 100)).png().toBuffer();
    const out = await preprocess(png, cfg);
    expect(pixel(out.pixels, 10, 150)).toEqual([255, 0, 0]);
    expect(pixel(out.pixels, 290, 150)).toEqual([0, 0, 255]);
  });

  it('applies EXIF orientation before squashing', async () => {
    // Orientation 6 = rotate 90° clockwise to display: the red left half ends up on top.
    const jpeg = await (await twoColourImage(200, 100)).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const out = await preprocess(jpeg, cfg);
    expect(out.original.width).toBe(100);
    expect(out.original.height).toBe(200);
    const top = pixel(out.pixels, 150, 20);
    const bottom = pixel(out.pixels, 150, 280);
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
  });

  it('flattens transparency on white', async () => {
    const png = await solid(32, 32, '#00000000', 4).png().toBuffer();
    const out = await preprocess(png, cfg);
    expect(pixel(out.pixels, 0, 0)).toEqual([255, 255, 255]);
    expect(pixel(out.pixels, 298, 298)).toEqual([255, 255, 255]);
    const half = await solid(32, 32, '#ff000080', 4).png().toBuffer();
    const [r, g, b] = pixel((await preprocess(half, cfg)).pixels, 100, 100);
    expect(r).toBeGreaterThan(250);
    expect(g).toBeGreaterThan(110);
    expect(g).toBeLessThan(145);
    expect(b).toBe(g);
  });

  it('expands grayscale to three equal channels', async () => {
    const grey = await solid(50, 50, '#808080').toColourspace('b-w').png().toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const [r, g, b] = pixel((await preprocess(grey, cfg)).pixels, 20, 20);
    expect(r).toBe(g);
    expect(g).toBe(b);
    expect(Math.abs(r - 128)).toBeLessThan(3);
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const cmyk = await solid(40, 40, '#ff0000').toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const [r, g, b] = pixel((await preprocess(cmyk, cfg)).pixels, 150, 150);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
  });

  it('reduces a 16-bit PNG to 8 bits per channel', async () => {
    const png16 = await solid(40, 30, '#20c040').toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const out = await preprocess(png16, cfg);
    expect(out.pixels.length).toBe(299 * 299 * 3);
    const [r, g, b] = pixel(out.pixels, 150, 150);
    expect(Math.abs(r - 0x20)).toBeLessThan(3);
    expect(Math.abs(g - 0xc0)).toBeLessThan(3);
    expect(Math.abs(b - 0x40)).toBeLessThan(3);
  });

  it('decodes WebP and the first frame of a GIF', async () => {
    const webp = await solid(20, 20, '#00ff00').webp({ lossless: true }).toBuffer();
    expect(pixel((await preprocess(webp, cfg)).pixels, 5, 5)).toEqual([0, 255, 0]);
    const gif = await solid(20, 20, '#0000ff').gif().toBuffer();
    expect(pixel((await preprocess(gif, cfg)).pixels, 5, 5)).toEqual([0, 0, 255]);
  });

  it('upsamples a 1x1 image', async () => {
    const tiny = await solid(1, 1, '#ff00ff').png().toBuffer();
    const out = await preprocess(tiny, cfg);
    expect(pixel(out.pixels, 0, 0)).toEqual([255, 0, 255]);
    expect(pixel(out.pixels, 298, 298)).toEqual([255, 0, 255]);
  });

  it('rejects zero bytes, non-images, truncated files and missing files with codes', async () => {
    await expectCode(preprocess(Buffer.alloc(0), cfg), 'EMPTY_INPUT');
    await expectCode(preprocess(Buffer.from('hello, I am a text file\n'), cfg), 'NOT_AN_IMAGE');
    await expectCode(preprocess(Buffer.from('{"json": true}'), cfg), 'NOT_AN_IMAGE');
    const jpeg = await solid(300, 300, '#123456').jpeg().toBuffer();
    await expectCode(preprocess(jpeg.subarray(0, 200), cfg), 'TRUNCATED_IMAGE');
    const png = await (await twoColourImage(300, 300)).png({ compressionLevel: 0 }).toBuffer();
    await expectCode(preprocess(png.subarray(0, Math.floor(png.length / 2)), cfg), 'TRUNCATED_IMAGE');
    const err = await expectCode(preprocess('/nonexistent/cat.jpg', cfg), 'FILE_NOT_FOUND');
    expect(err.message).toContain('/nonexistent/cat.jpg');
  });

  it('reads files and rejects empty files and directories', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-pre-'));
    try {
      const file = path.join(dir, 'a.png');
      await solid(10, 10, '#ffffff').png().toFile(file);
      expect((await preprocess(file, cfg)).pixels.length).toBe(299 * 299 * 3);
      fs.writeFileSync(path.join(dir, 'empty.jpg'), '');
      await expectCode(preprocess(path.join(dir, 'empty.jpg'), cfg), 'EMPTY_INPUT');
      await expectCode(preprocess(dir, cfg), 'NOT_AN_IMAGE');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses 20000x20000 pixels from the header alone, quickly', async () => {
    const started = Date.now();
    const err = await expectCode(preprocess(hugePngHeader(20000, 20000), cfg), 'TOO_MANY_PIXELS');
    expect(err.message).toMatch(/too large/);
    expect(Date.now() - started).toBeLessThan(2000);
    await expectCode(preprocess(await solid(100, 100, '#fff').png().toBuffer(), cfg, { maxPixels: 5000 }), 'TOO_MANY_PIXELS');
  });

  it('an upload larger than the training images is first reduced to their long side (aspect kept), then squashed', async () => {
    const photo = await (await twoColourImage(4000, 3000)).jpeg({ quality: 90 }).toBuffer();
    const training = { size: 64, sourceLongSide: 224 };
    const reduced = await sharp(photo).resize(224, 224, { fit: 'inside' }).png().toBuffer();
    expect(await sharp(reduced).metadata()).toMatchObject({ width: 224, height: 168 });
    const viaUpload = await preprocess(photo, training);
    expect(viaUpload.original).toEqual({ width: 4000, height: 3000, format: 'jpeg' });
    expect(Buffer.from(viaUpload.pixels).equals(Buffer.from((await preprocess(reduced, training)).pixels))).toBe(true);
    // Without the setting it is squashed straight from full size; at or under it nothing changes.
    expect(Buffer.from((await preprocess(photo, { size: 64 })).pixels).equals(Buffer.from(viaUpload.pixels))).toBe(false);
    const small = await solid(200, 100, '#336699').jpeg().toBuffer();
    expect(Buffer.from((await preprocess(small, training)).pixels)).toEqual(
      Buffer.from((await preprocess(small, { size: 64 })).pixels),
    );
  });
});
