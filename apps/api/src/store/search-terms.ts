import { normalizeUserText } from '@pixtale/shared';
import type { SearchTerms } from './port';
/** Words of a query used (the rest are ignored): each must match, so more only narrows. */
const MAX_WORDS = 8;
/** Longest word used; longer ones are cut (still a prefix of the same word). */
const MAX_WORD_LENGTH = 64;

/**
 * A word as the full-text indexes split text (SQLite FTS5 unicode61: letters, digits, private-use
 * characters; marks stay with the letter before them). Everything else, including FTS and MongoDB
 * query syntax (quotes, `*`, `-`, parentheses, NEAR, `^`), separates words, so the words can be
 * quoted into a query expression with nothing left to interpret.
 */
const WORD = /[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{Co}\p{M}]*/gu;

/** The words of what someone typed into the search box: normalised, lower-cased, distinct, in order. */
export function searchTerms(query: string): SearchTerms {
  const text = normalizeUserText(query).toLowerCase();
  const words = new Set<string>();
  for (const m of text.matchAll(WORD)) {
    if (words.size >= MAX_WORDS) break;
    words.add(Array.from(m[0]).slice(0, MAX_WORD_LENGTH).join(''));
  }
  return { words: [...words] };
}

/** Every distinct word of a text, lower-cased (what the MongoDB adapter keeps for prefix matching). */
export function wordsOf(text: string): string[] {
  return [...new Set(Array.from(text.toLowerCase().matchAll(WORD), (m) => m[0]))];
}
