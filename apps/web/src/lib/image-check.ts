/**
 * Client-side checks before an upload leaves the browser. The API validates by content too;
 * these only save the person a slow round trip.
 */
export type ImageKind = 'jpeg' | 'png' | 'gif' | 'webp' | 'heif';

export const ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/heic,image/heif,.heic,.heif';

/** Detects the image format from the first bytes (never from the file name). */
export function sniffImage(head: Uint8Array): ImageKind | null {
  const b = (i: number) => head[i] ?? -1;
  const ascii = (from: number, to: number) => String.fromCharCode(...head.slice(from, to));
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (b(0) === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|mif1|msf1|avif)$/.test(ascii(8, 12))) return 'heif';
  return null;
}

export type CheckResult = { ok: true; kind: ImageKind } | { ok: false; message: string };

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function checkImage(file: { size: number }, head: Uint8Array, maxBytes: number): CheckResult {
  if (file.size === 0) return { ok: false, message: 'That file is empty. Please choose a photo.' };
  const kind = sniffImage(head);
  if (!kind) {
    return { ok: false, message: 'That file is not an image we can read. Use a JPEG, PNG, WebP, GIF or HEIC photo.' };
  }
  if (file.size > maxBytes) {
    return {
      ok: false,
      message: `That file is too big (${formatBytes(file.size)}). Please choose an image under ${formatBytes(maxBytes)}.`,
    };
  }
  return { ok: true, kind };
}

export async function checkFile(file: File, maxBytes: number): Promise<CheckResult> {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  return checkImage(file, head, maxBytes);
}
