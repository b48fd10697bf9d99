/**
 * PTB-style tokenisation as the coco-caption evaluation applies it before scoring: lowercase,
 * clitics split off ("dog's" → "dog 's", "don't" → "do n't"), punctuation tokens removed,
 * intra-word hyphens kept ("t-shirt").
 */
export function tokenizeCaption(text: string): string[] {
  const spaced = text
    .toLowerCase()
    .replace(/[\u2018\u2019\u0060]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/([a-z0-9])n't\b/g, "$1 n't")
    .replace(/([a-z0-9])'(s|re|ve|ll|d|m)\b/g, "$1 '$2")
    .replace(/[.,!?;:"()[\]{}<>]/g, ' ')
    .replace(/(^|\s)'+(?!(?:s|re|ve|ll|d|m)(?:\s|$))/g, '$1 ')
    .replace(/'+(?=\s|$)/g, ' ')
    .replace(/(^|\s)-+|-+(?=\s|$)/g, ' ');
  return spaced.split(/\s+/).filter((t) => t.length > 0 && /[a-z0-9]/.test(t));
}
