import fs from 'node:fs/promises';
import sharp from 'sharp';
import { CaptionerInputError } from './errors';
import type { PreprocessorConfig } from './model-config';
import type { ImageInput } from './types';

export interface PreprocessOptions {
  /** Refuse images with more pixels than this before decoding them (default 50 MP). */
  maxPixels?: number;
  /** Refuse files or buffers larger than this many bytes (default 64 MiB). */
  maxBytes?: number;
  /** Give up decoding after this many seconds (default 20). */
  timeoutSeconds?: number;
}

export interface PreprocessedImage {
  /** RGB, HWC, uint8, `size` x `size` x 3: the encoder's `pixels` input for one image. */
  pixels: Uint8Array;
  size: number;
  /** Size of the decoded image after EXIF rotation, before squashing. */
  original: { width: number; height: number; format: string };
}

export const DEFAULT_MAX_PIXELS = 50_000_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

function describe(input: ImageInput): string {
  return typeof input === 'string' ? `"${input}"` : `buffer of ${input.length} bytes`;
}

/** Turns sharp/libvips failures into stable error codes. */
function classify(err: unknown, input: ImageInput): CaptionerInputError {
  const message = err instanceof Error ? err.message : String(err);
  const what = describe(input);
  if (/pixel limit/i.test(message)) {
    return new CaptionerInputError('TOO_MANY_PIXELS', `Image ${what} is too large: ${message}`, { cause: err });
  }
  if (/unsupported image format|bad seek|not a known file format|not in a known format/i.test(message)) {
    return new CaptionerInputError('NOT_AN_IMAGE', `Input ${what} is not a supported image (JPEG, PNG, WebP, GIF, TIFF, AVIF)`, {
      cause: err,
    });
  }
  return new CaptionerInputError('TRUNCATED_IMAGE', `Image ${what} is damaged or truncated and cannot be decoded: ${message}`, {
    cause: err,
  });
}

async function readInput(input: ImageInput, maxBytes: number): Promise<Buffer> {
  if (Buffer.isBuffer(input)) {
    if (input.length === 0) throw new CaptionerInputError('EMPTY_INPUT', 'Image buffer is empty (0 bytes)');
    if (input.length > maxBytes) {
      throw new CaptionerInputError(
        'TOO_MANY_PIXELS',
        `Image buffer of ${input.length} bytes exceeds the ${maxBytes}-byte limit`,
      );
    }
    return input;
  }
  if (typeof input !== 'string' || input.length === 0) {
    throw new CaptionerInputError('EMPTY_INPUT', 'Image input must be a file path or a Buffer');
  }
  let stat;
  try {
    stat = await fs.stat(input);
  } catch (err) {
    throw new CaptionerInputError('FILE_NOT_FOUND', `Image file not found: "${input}"`, { cause: err });
  }
  if (!stat.isFile()) throw new CaptionerInputError('NOT_AN_IMAGE', `Image path "${input}" is not a file`);
  if (stat.size === 0) throw new CaptionerInputError('EMPTY_INPUT', `Image file "${input}" is empty (0 bytes)`);
  if (stat.size > maxBytes) {
    throw new CaptionerInputError(
      'TOO_MANY_PIXELS',
      `Image file "${input}" (${stat.size} bytes) exceeds the ${maxBytes}-byte limit`,
    );
  }
  try {
    return await fs.readFile(input);
  } catch (err) {
    throw new CaptionerInputError('FILE_NOT_FOUND', `Image file "${input}" cannot be read`, { cause: err });
  }
}

/**
 * Decodes an image by its content and squashes it to the encoder's input: EXIF auto-rotation,
 * alpha flattened on white, any colour space (grey, CMYK, 16-bit) to 8-bit sRGB, resized to
 * `size` x `size` without cropping (after reducing an image larger than the training images to
 * their long side, `sourceLongSide`), raw RGB bytes. Same steps as the training feature cache.
 */
export async function preprocess(
  input: ImageInput,
  config: Pick<PreprocessorConfig, 'size' | 'sourceLongSide'>,
  options: PreprocessOptions = {},
): Promise<PreprocessedImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const data = await readInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  const { size } = config;
  try {
    const image = sharp(data, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true, pages: 1 }).timeout({
      seconds: options.timeoutSeconds ?? 20,
    });
    const meta = await image.metadata();
    const upright = image.rotate().flatten({ background: '#ffffff' }).toColourspace('srgb');
    const long = Math.max(meta.width ?? 0, meta.height ?? 0);
    // Larger than the training images: reduce to their long side first (a second pipeline:
    // sharp applies one resize per pipeline), then squash like they were.
    const source =
      config.sourceLongSide && long > config.sourceLongSide
        ? sharp(
            await upright
              .resize(config.sourceLongSide, config.sourceLongSide, { fit: 'inside' })
              .removeAlpha()
              .png({ compressionLevel: 0 })
              .toBuffer(),
          )
        : upright;
    const { data: raw, info } = await source
      .resize(size, size, { fit: 'fill' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== 3 || raw.length !== size * size * 3) {
      throw new Error(`unexpected decoded shape ${info.width}x${info.height}x${info.channels}`);
    }
    const swap = (meta.orientation ?? 1) >= 5;
    return {
      pixels: new Uint8Array(raw.buffer, raw.byteOffset, raw.length),
      size,
      original: {
        width: (swap ? meta.height : meta.width) ?? 0,
        height: (swap ? meta.width : meta.height) ?? 0,
        format: meta.format ?? 'unknown',
      },
    };
  } catch (err) {
    if (err instanceof CaptionerInputError) throw err;
    throw classify(err, input);
  }
}
