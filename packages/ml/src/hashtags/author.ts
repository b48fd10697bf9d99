/** A hashtag as people write it: letters (any script), digits, underscores. */
const AUTHOR_TAG = /#([\p{L}\p{M}\p{N}_]+)/gu;

/** The `#tags` written in a caption, as written (spelling and case kept), first occurrence of each. */
export function authorHashtags(caption: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const m of caption.matchAll(AUTHOR_TAG)) {
    const key = m[1]!.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    tags.push(`#${m[1]}`);
  }
  return tags;
}

/**
 * The hashtags of a caption: the author's own `#tags` first, as written, then the model's
 * suggestions that are not among them (compared case-insensitively), up to `max` in all
 * (the author's tags are always kept).
 */
export function mergeHashtags(caption: string, suggested: readonly string[], max = 10): string[] {
  const own = authorHashtags(caption);
  const seen = new Set(own.map((t) => t.toLowerCase()));
  const out = [...own];
  for (const tag of suggested) {
    if (out.length >= max) break;
    const key = (tag.startsWith('#') ? tag : `#${tag}`).toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(key);
  }
  return out;
}
