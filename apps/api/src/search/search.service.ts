import { LIMITS } from '@pixtale/shared';
import { badInput } from '../common/errors';
import { pageArgs } from '../common/pagination';
import { hashtagKey } from '../store/hashtags';
import type { HashtagRecord, PostRecord, Store, UserRecord } from '../store';
import { searchTerms } from '../store/search-terms';

export interface SearchResultsRecord {
  posts: PostRecord[];
  users: UserRecord[];
  hashtags: HashtagRecord[];
}

/** The key of a hashtag someone typed or linked ("#Sunset", "sunset"); BAD_USER_INPUT when it is not one. */
export function requireHashtagKey(tag: string): string {
  const key = hashtagKey(tag);
  if (!key)
    throw badInput('A hashtag is letters, digits and underscores, up to 100, with or without a leading "#"', { field: 'tag' });
  return key;
}

/** Search and hashtags. */
export class SearchService {
  constructor(private readonly store: Store) {}

  /**
   * Posts (live caption, translations, hashtags), people (display names) and hashtags matching
   * every word of the query as a word prefix, best first. Any characters are accepted: only
   * letters and digits are searched for, so a query without any gives empty results.
   */
  async search(query: string, first: number): Promise<SearchResultsRecord> {
    if (query.length > LIMITS.searchQueryMaxLength) {
      throw badInput(`The search query must be at most ${LIMITS.searchQueryMaxLength} characters`, { field: 'query' });
    }
    pageArgs(first);
    const terms = searchTerms(query);
    if (terms.words.length === 0) return { posts: [], users: [], hashtags: [] };
    const [posts, users, hashtags] = await Promise.all([
      this.store.posts.search(terms, first),
      this.store.users.search(terms, first),
      this.store.posts.searchHashtags(terms, first),
    ]);
    return { posts, users, hashtags };
  }

  /** The hashtag with its post count; null when no post's live hashtags include it. */
  async hashtag(tag: string): Promise<HashtagRecord | null> {
    const key = requireHashtagKey(tag);
    const postCount = await this.store.posts.countByHashtag(key);
    return postCount > 0 ? { tag: key, postCount } : null;
  }
}
