/** A hashtag as the API keys it: lower-cased, without "#" ("#Sunset" → "sunset"). */
export function tagKey(tag: string): string {
  return tag.replace(/^#/, '').toLowerCase();
}

export function hashtagHref(tag: string): string {
  return `/tags/${encodeURIComponent(tagKey(tag))}`;
}

/** A `#tag` in user text: "#" then letters, digits or "_" (the API's hashtag alphabet). */
const HASHTAG = /#[\p{L}\p{N}_]+/gu;

/** User text cut into plain runs and `#tags`, in order, so the tags can be links. */
export function splitHashtags(text: string): Array<{ text: string; tag?: string }> {
  const parts: Array<{ text: string; tag?: string }> = [];
  let last = 0;
  for (const m of text.matchAll(HASHTAG)) {
    const at = m.index;
    // "a#b" is not a tag: it has to start the text or follow a non-word character.
    if (at > 0 && /[\p{L}\p{N}_&]/u.test(text[at - 1]!)) continue;
    if (at > last) parts.push({ text: text.slice(last, at) });
    parts.push({ text: m[0], tag: m[0] });
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
