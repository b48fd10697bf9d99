import { wordsOf } from '../search-terms';
import type { SearchTerms } from '../port';
import type { Doc } from './rows';

/** Search helpers of the users' and posts' repositories: folded prefix words, $text terms, ranking. */

/** Search words are letters, digits and marks only; escaped all the same, since they end up in a regex. */
export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
/** Diacritics folded ("Zoë" is found by "zoe"), as the text index and SQLite's FTS5 do. */
const fold = (word: string) => word.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
/** The words kept for prefix search: lower-cased, folded, distinct. */
export const prefixWords = (text: string) => [...new Set(wordsOf(text).map(fold).filter(Boolean))];
/** Documents having, for every search word, a word (in `field`) that starts with it. */
export const prefixFilter = (field: string, terms: SearchTerms): Doc => ({
  $and: terms.words.map((w) => ({ [field]: { $regex: `^${escapeRegex(fold(w))}` } })),
});
/**
 * Orders prefix matches like the text index weighs fields: per search word, 3 when a word of the
 * caption starts with it, 2 for the hashtags, 1 for the translations; newest first among equals.
 */
export function byPrefixScore(docs: Doc[], terms: SearchTerms): Doc[] {
  const words = terms.words.map(fold);
  const score = (d: Doc) => {
    const fields: [string, number][] = [
      [d.search?.caption ?? '', 3],
      [d.search?.hashtags ?? '', 2],
      [d.search?.translations ?? '', 1],
    ];
    let total = 0;
    for (const [text, weight] of fields) {
      const own = prefixWords(text);
      total += weight * words.filter((w) => own.some((x) => x.startsWith(w))).length;
    }
    return total;
  };
  return docs
    .map((d, i) => ({ d, i, s: score(d) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((x) => x.d);
}
/** Prefix matches examined for ranking, at most. */
export const PREFIX_CANDIDATES = 200;
/**
 * $text terms: the words alone, which $text ORs and scores (phrases and negations need '"' and '-',
 * which words never contain); the prefix filter beside it makes every word required.
 */
export const textSearch = (terms: SearchTerms) => terms.words.join(' ');
