/** A hashtag key: letters (any script), marks, digits and underscores, like the `#tags` people write. */
const KEY = /^[\p{L}\p{M}\p{N}_]{1,100}$/u;

/**
 * The key a hashtag is stored and looked up by: NFC, without the leading '#', lower-cased
 * ("#Sunset" and "sunset" are one hashtag). Null when it is not a hashtag.
 */
export function hashtagKey(raw: string): string | null {
  const key = raw.normalize('NFC').trim().replace(/^#+/, '').toLowerCase();
  return KEY.test(key) ? key : null;
}

/** The distinct keys of a post's hashtags, in order. */
export function hashtagKeys(tags: readonly string[]): string[] {
  return [...new Set(tags.map(hashtagKey).filter((k): k is string => k !== null))];
}
