import { checkImage, sniffImage } from './image-check';

const bytes = (...parts: Array<number[] | string>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('sniffImage', () => {
  it('recognises formats by their bytes', () => {
    expect(sniffImage(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImage(bytes([0x89], 'PNG', [0x0d, 0x0a]))).toBe('png');
    expect(sniffImage(bytes('GIF89a'))).toBe('gif');
    expect(sniffImage(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(sniffImage(bytes([0, 0, 0, 24], 'ftypheic'))).toBe('heif');
  });
  it('rejects everything else', () => {
    expect(sniffImage(bytes('hello world'))).toBeNull();
    expect(sniffImage(new Uint8Array())).toBeNull();
  });
});

describe('checkImage', () => {
  const jpeg = bytes([0xff, 0xd8, 0xff, 0xe0]);
  it('accepts a small image', () => expect(checkImage({ size: 1000 }, jpeg, 2000)).toEqual({ ok: true, kind: 'jpeg' }));
  it('names the size limit', () => {
    const r = checkImage({ size: 20 * 1024 * 1024 }, jpeg, 15 * 1024 * 1024);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/too big \(20\.0 MB\).*15\.0 MB/);
  });
  it('says when a file is not an image', () => {
    const r = checkImage({ size: 10 }, bytes('%PDF-1.4'), 2000);
    expect(!r.ok && r.message).toMatch(/not an image/);
  });
});
