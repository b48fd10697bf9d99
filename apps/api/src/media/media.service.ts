import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Semaphore } from 'async-mutex';
import sharp from 'sharp';
import { ErrorCode, ErrorReason, LIMITS } from '@pixtale/shared';
import { appError } from '../common/errors';
import type { ImageVariant, PostImage } from '../store';

export interface MediaOptions {
  /** Folder of the content-addressed files (DATA_DIR/media). */
  dir: string;
  maxBytes: number;
  maxPixels: number;
  /**
   * Pixels decoded at the same time across the process (default: `maxPixels`, i.e. one image at
   * the size limit, or many photos). Further uploads wait their turn; none fails for it.
   */
  decodePixelBudget?: number;
}

/** Side of the square profile pictures, in pixels (shown at up to about 150 CSS px, 2x screens). */
export const AVATAR_SIZE = 320;

/** Decode budgets are counted in whole megapixels (the semaphore's weights). */
const MEGAPIXEL = 1_000_000;

/** What the files of a post are stored as: their mode (never world-writable), the folder's. */
const FILE_MODE = 0o644;
const DIR_MODE = 0o700;

/** errno codes that mean "the disk cannot take files now", not "this upload is bad". */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'ENOENT', 'EIO', 'EISDIR', 'ELOOP']);

// Duck-typed: fs errors can come from another realm (jest's sandbox), where instanceof Error fails.
export const isStorageFailure = (e: unknown) =>
  typeof e === 'object' && e !== null && STORAGE_ERRNOS.has(String((e as NodeJS.ErrnoException).code));

export const storageUnavailable = () =>
  appError(ErrorCode.STORAGE_UNAVAILABLE, 'Images cannot be stored right now; please try again later', {
    retryable: true,
    http: { status: 503, headers: new Map([['retry-after', '60']]) },
  });

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
 *
 * Memory is bounded whatever arrives at once: decoding waits for a share of a process-wide pixel
 * budget (a queue, never a failure), and each image is decoded straight to the detail size in
 * one streaming pass, so a 49-megapixel PNG never sits in memory as a full raw bitmap.
 */
export class MediaService {
  private readonly decodes: Semaphore;
  private readonly decodeUnits: number;
  /** Uploads that wrote (or found) a file and have not stored their post yet, per detail key. */
  private readonly pins = new Map<string, number>();
  /** Serialises writing, pinning and removing the files of one detail key. */
  private readonly keyLocks = new Map<string, Promise<void>>();

  constructor(private readonly opts: MediaOptions) {
    this.decodeUnits = Math.max(1, Math.ceil((opts.decodePixelBudget ?? opts.maxPixels) / MEGAPIXEL));
    this.decodes = new Semaphore(this.decodeUnits);
  }

  get dir() {
    return this.opts.dir;
  }

  async init() {
    // libvips' operation cache keeps recent images in memory for reuse; uploads never repeat.
    sharp.cache(false);
    await fs.mkdir(this.opts.dir, { recursive: true, mode: DIR_MODE });
    await fs.chmod(this.opts.dir, DIR_MODE).catch(() => undefined);
  }

  /** Validates, normalises and stores an image; the files are not protected from removal afterwards (see `ingestWhile`). */
  async ingest(input: Buffer): Promise<PostImage> {
    return this.ingestWhile(input, async (image) => image);
  }

  /**
   * Like `ingest`, then runs `keep` (e.g. storing the post) while the files are pinned: a
   * concurrent `removeUnused` of the same content leaves them in place until `keep` settles.
   */
  async ingestWhile<T>(input: Buffer, keep: (image: PostImage) => Promise<T>): Promise<T> {
    const { feed, detail, detailJpeg } = await this.normalise(input);
    const key = detail.variant.key;
    const image = await this.withKeyLock(key, async () => {
      const written = await Promise.all([this.write(feed), this.write(detail), this.write(detailJpeg)]);
      this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
      return { feed: written[0], detail: written[1], detailJpeg: written[2] };
    });
    try {
      return await keep(image);
    } finally {
      const left = (this.pins.get(key) ?? 1) - 1;
      if (left > 0) this.pins.set(key, left);
      else this.pins.delete(key);
    }
  }

  /**
   * A profile picture: validated and decoded like a post image (same byte and pixel limits,
   * auto-rotated, metadata stripped), cropped to a centred square of AVATAR_SIZE px, WebP.
   * Runs `keep` (storing it on the user) while the file is pinned, like `ingestWhile`.
   */
  async ingestAvatarWhile<T>(input: Buffer, keep: (avatar: ImageVariant) => Promise<T>): Promise<T> {
    const { data, raw } = await this.decode(input);
    const encoded = await encode(
      sharp(data, raw).resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'attention' }).webp({ quality: 82 }),
      'webp',
    );
    const key = encoded.variant.key;
    const avatar = await this.withKeyLock(key, async () => {
      const written = await this.write(encoded);
      this.pins.set(key, (this.pins.get(key) ?? 0) + 1);
      return written;
    });
    try {
      return await keep(avatar);
    } finally {
      const left = (this.pins.get(key) ?? 1) - 1;
      if (left > 0) this.pins.set(key, left);
      else this.pins.delete(key);
    }
  }

  /** Removes an avatar file unless it is still in use (`inUse`) or an upload of it is being stored. */
  async removeUnusedFile(v: ImageVariant, inUse: () => Promise<boolean>): Promise<boolean> {
    return this.withKeyLock(v.key, async () => {
      if (this.pins.has(v.key) || (await inUse())) return false;
      await fs.rm(this.pathOf(v), { force: true });
      return true;
    });
  }

  /** Absolute path of a stored file. */
  pathOf(v: ImageVariant): string {
    return path.join(this.opts.dir, v.file);
  }

  /**
   * Removes a post's files unless another post uses them (`inUse`, asked under the same lock
   * that uploads of this content take) or an upload of the same content is storing its post.
   */
  async removeUnused(image: PostImage, inUse: () => Promise<boolean>): Promise<boolean> {
    return this.withKeyLock(image.detail.key, async () => {
      if (this.pins.has(image.detail.key) || (await inUse())) return false;
      await Promise.all([image.feed, image.detail, image.detailJpeg].map((v) => fs.rm(this.pathOf(v), { force: true })));
      return true;
    });
  }

  /**
   * Whether files can be written now: writes and removes a probe file, and checks free space.
   * For /health; null when fine, else what is wrong.
   */
  async storageProblem(): Promise<string | null> {
    const probe = path.join(this.opts.dir, `.health.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await fs.writeFile(probe, 'ok', { mode: FILE_MODE });
      await fs.rm(probe, { force: true });
      const stats = await fs.statfs(this.opts.dir);
      const free = stats.bavail * stats.bsize;
      // Room for a few uploads' variants at least.
      if (free < 2 * this.opts.maxBytes) return `only ${Math.round(free / 1024 / 1024)} MB free in ${this.opts.dir}`;
      return null;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return `cannot write to ${this.opts.dir} (${err.code ?? err.message})`;
    }
  }

  /** Decodes once (first frame only, straight to the detail size) under the pixel budget, then encodes the variants. */
  private async normalise(input: Buffer): Promise<Record<'feed' | 'detail' | 'detailJpeg', Encoded>> {
    const { data, raw } = await this.decode(input);
    const resized = (size: number) => sharp(data, raw).resize(size, size, { fit: 'inside', withoutEnlargement: true });
    const [feed, detail, detailJpeg] = await Promise.all([
      encode(resized(LIMITS.feedImageSize).webp({ quality: 80 }), 'webp'),
      encode(sharp(data, raw).webp({ quality: 85 }), 'webp'),
      encode(sharp(data, raw).flatten({ background: '#ffffff' }).jpeg({ quality: 88, mozjpeg: true }), 'jpg'),
    ]);
    return { feed, detail, detailJpeg };
  }

  /**
   * Validates by content (format, byte and pixel limits) and decodes the first frame, auto-rotated,
   * in sRGB, at most the detail size, to raw pixels (no metadata survives), under the pixel budget.
   */
  private async decode(input: Buffer): Promise<{ data: Buffer; raw: sharp.SharpOptions }> {
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
      throw unsupported(
        `Image format "${meta.format ?? 'unknown'}" is not accepted (JPEG, PNG, WebP, GIF, HEIC)`,
        ErrorReason.NOT_AN_IMAGE,
      );
    }
    const w = meta.width ?? 0;
    const h = meta.height ?? 0;
    if (w * h > maxPixels) throw tooManyPixels(maxPixels, `${w}x${h} pixels`);

    // Fully decoded here: truncated or corrupt data fails now, not later.
    const units = Math.min(this.decodeUnits, Math.max(1, Math.ceil((w * h) / MEGAPIXEL)));
    let base: { data: Buffer; info: sharp.OutputInfo };
    try {
      base = await this.decodes.runExclusive(
        () =>
          sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated', animated: false, pages: 1, sequentialRead: true })
            .rotate()
            .resize(LIMITS.detailImageSize, LIMITS.detailImageSize, { fit: 'inside', withoutEnlargement: true })
            .toColourspace('srgb')
            .raw()
            .toBuffer({ resolveWithObject: true }),
        units,
      );
    } catch (e) {
      const msg = (e as Error).message;
      if (/pixel limit/i.test(msg)) throw tooManyPixels(maxPixels);
      throw unsupported('The image is truncated or corrupt and cannot be decoded', ErrorReason.CORRUPT_IMAGE);
    }
    return { data: base.data, raw: { raw: { width: base.info.width, height: base.info.height, channels: base.info.channels } } };
  }

  /**
   * Content-addressed: same bytes, same name, so a file that is already there is the right one.
   * New files are written under a unique temporary name and renamed into place (atomic; two
   * uploads of the same content both succeed, the second rename replaces identical bytes).
   */
  private async write(e: Encoded): Promise<ImageVariant> {
    const target = path.join(this.opts.dir, e.variant.file);
    try {
      const exists = await fs.access(target).then(
        () => true,
        () => false,
      );
      if (!exists) {
        const tmp = `${target}.${randomBytes(8).toString('hex')}.tmp`;
        try {
          await fs.writeFile(tmp, e.data, { mode: FILE_MODE });
          await fs.rename(tmp, target);
        } catch (err) {
          await fs.rm(tmp, { force: true }).catch(() => undefined);
          throw err;
        }
      }
    } catch (err) {
      if (isStorageFailure(err)) throw storageUnavailable();
      throw err;
    }
    return e.variant;
  }

  private async withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.keyLocks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const current = previous.then(() => gate);
    this.keyLocks.set(key, current);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.keyLocks.get(key) === current) this.keyLocks.delete(key);
    }
  }
}

interface Encoded {
  variant: ImageVariant;
  data: Buffer;
}

async function encode(pipeline: sharp.Sharp, ext: 'webp' | 'jpg'): Promise<Encoded> {
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  const key = createHash('sha256').update(data).digest('hex');
  return { data, variant: { key, file: `${key}.${ext}`, width: info.width, height: info.height, bytes: data.length } };
}

const tooManyPixels = (maxPixels: number, size = 'too many pixels') =>
  appError(ErrorCode.PAYLOAD_TOO_LARGE, `Image is ${size}, over the ${maxPixels} pixel limit (decompression bomb guard)`, {
    reason: ErrorReason.TOO_MANY_PIXELS,
    maxPixels,
  });

const unsupported = (message: string, reason: ErrorReason) => appError(ErrorCode.UNSUPPORTED_IMAGE, message, { reason });
