import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { ErrorCode, ErrorReason, LIMITS } from '@pixtale/shared';
import { appError } from '../common/errors';
import type { ImageVariant, PostImage } from '../store';

export interface MediaOptions {
  /** Folder of the content-addressed files (DATA_DIR/media). */
  dir: string;
  maxBytes: number;
  maxPixels: number;
}

const ACCEPTED = new Set<string>(LIMITS.imageFormats);

/** Reads a stream fully, failing with PAYLOAD_TOO_LARGE past `maxBytes`. */
export async function readLimited(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += (chunk as Buffer).length;
      if (total > maxBytes) {
        stream.destroy();
        throw tooLarge(maxBytes);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    // graphql-upload-minimal errors the stream itself when its maxFileSize is hit.
    if (e instanceof Error && /exceeds|limit|truncated/i.test(e.message) && !('extensions' in e)) throw tooLarge(maxBytes);
    throw e;
  }
  return Buffer.concat(chunks);
}

const tooLarge = (maxBytes: number) =>
  appError(ErrorCode.PAYLOAD_TOO_LARGE, `Image is larger than the ${Math.round(maxBytes / 1024 / 1024)} MB limit`, {
    reason: ErrorReason.FILE_TOO_LARGE,
    maxBytes,
  });

/**
 * Image intake: validates by content (never by name or declared type), auto-rotates, strips
 * metadata (EXIF, GPS, ICC is converted to sRGB), writes feed and detail variants as WebP plus
 * a detail JPEG, each named by the sha256 of its bytes.
 */
export class MediaService {
  constructor(private readonly opts: MediaOptions) {}

  get dir() {
    return this.opts.dir;
  }

  async init() {
    await fs.mkdir(this.opts.dir, { recursive: true });
  }

  async ingest(input: Buffer): Promise<PostImage> {
    const { maxBytes, maxPixels } = this.opts;
    if (input.length > maxBytes) throw tooLarge(maxBytes);
    if (input.length === 0) throw unsupported('The upload is empty', ErrorReason.NOT_AN_IMAGE);

    let meta: sharp.Metadata;
    try {
      meta = await sharp(input, { limitInputPixels: false }).metadata();
    } catch (e) {
      if (/pixel limit/i.test((e as Error).message)) throw tooManyPixels(maxPixels);
      throw unsupported('The upload is not an image (accepted: JPEG, PNG, WebP, GIF, HEIC)', ErrorReason.NOT_AN_IMAGE);
    }
    if (!meta.format || !ACCEPTED.has(meta.format)) {
      throw unsupported(`Image format "${meta.format ?? 'unknown'}" is not accepted (JPEG, PNG, WebP, GIF, HEIC)`, ErrorReason.NOT_AN_IMAGE);
    }
    const w = meta.width ?? 0;
    const h = meta.height ?? 0;
    if (w * h > maxPixels) throw tooManyPixels(maxPixels, `${w}x${h} pixels`);

    // Decode once (first frame only), fully: truncated or corrupt data fails here, not later.
    let base: { data: Buffer; info: sharp.OutputInfo };
    try {
      base = await sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated', animated: false, pages: 1 })
        .rotate()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
    } catch (e) {
      const msg = (e as Error).message;
      if (/pixel limit/i.test(msg)) throw tooManyPixels(maxPixels);
      throw unsupported('The image is truncated or corrupt and cannot be decoded', ErrorReason.CORRUPT_IMAGE);
    }
    const raw = { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } };
    const resized = (size: number) =>
      sharp(base.data, raw).resize(size, size, { fit: 'inside', withoutEnlargement: true });

    const [feed, detail, detailJpeg] = await Promise.all([
      this.write(resized(LIMITS.feedImageSize).webp({ quality: 80 }), 'webp'),
      this.write(resized(LIMITS.detailImageSize).webp({ quality: 85 }), 'webp'),
      this.write(resized(LIMITS.detailImageSize).flatten({ background: '#ffffff' }).jpeg({ quality: 88, mozjpeg: true }), 'jpg'),
    ]);
    return { feed, detail, detailJpeg };
  }

  /** Absolute path of a stored file. */
  pathOf(v: ImageVariant): string {
    return path.join(this.opts.dir, v.file);
  }

  /** Removes a post's files (call only when no other post uses them). */
  async remove(image: PostImage): Promise<void> {
    await Promise.all(
      [image.feed, image.detail, image.detailJpeg].map((v) => fs.rm(this.pathOf(v), { force: true })),
    );
  }

  private async write(pipeline: sharp.Sharp, ext: 'webp' | 'jpg'): Promise<ImageVariant> {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    const key = createHash('sha256').update(data).digest('hex');
    const file = `${key}.${ext}`;
    const target = path.join(this.opts.dir, file);
    // Content-addressed: same bytes, same name. Write to a temp file then rename (atomic).
    try {
      await fs.access(target);
    } catch {
      const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(tmp, data);
      await fs.rename(tmp, target);
    }
    return { key, file, width: info.width, height: info.height, bytes: data.length };
  }
}

const tooManyPixels = (maxPixels: number, size = 'too many pixels') =>
  appError(ErrorCode.PAYLOAD_TOO_LARGE, `Image is ${size}, over the ${maxPixels} pixel limit (decompression bomb guard)`, {
    reason: ErrorReason.TOO_MANY_PIXELS,
    maxPixels,
  });

const unsupported = (message: string, reason: ErrorReason) => appError(ErrorCode.UNSUPPORTED_IMAGE, message, { reason });
