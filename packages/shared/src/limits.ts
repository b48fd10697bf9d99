/** Limits the API enforces and the web app mirrors in its forms. */
export const LIMITS = {
  /** Largest accepted upload in bytes (15 MB). */
  maxUploadBytes: 15 * 1024 * 1024,
  /** Largest accepted image in pixels (width x height), against decompression bombs. */
  maxImagePixels: 50_000_000,
  /** Image formats accepted, detected from the bytes, never from the file name. */
  imageFormats: ['jpeg', 'png', 'webp', 'gif', 'heif'] as const,
  /** Longest side of the feed-size variant, in pixels. */
  feedImageSize: 640,
  /** Longest side of the detail-size variant, in pixels. */
  detailImageSize: 1600,
  passwordMinLength: 8,
  passwordMaxLength: 128,
  displayNameMaxLength: 50,
  captionMaxLength: 500,
  commentMaxLength: 500,
  bioMaxLength: 300,
  /** Longest search query, in characters. */
  searchQueryMaxLength: 200,
  apiTokenNameMaxLength: 60,
  /** Largest `first` accepted by paginated queries. */
  pageSizeMax: 50,
  pageSizeDefault: 20,
  /** A viewer's views of one post count once per this window. */
  viewWindowMinutes: 30,
  /** Anonymous views of one post count at most once per client address per this window, whatever the visitor id. */
  anonymousViewAddressWindowMinutes: 60,
  /** GraphQL query nesting limit. */
  maxQueryDepth: 8,
  /** GraphQL query cost limit (one point per field, list fields multiply). */
  maxQueryComplexity: 2000,
} as const;

const COMMON_PASSWORDS = new Set([
  'password', 'password1', 'password123', '12345678', '123456789', '1234567890', 'qwertyui',
  'qwerty123', 'iloveyou', 'letmein1', 'abc12345', 'football', 'baseball', 'welcome1', 'admin123',
  'pixtale1', 'pixtale123', '11111111', '00000000', 'passw0rd',
]);

/**
 * Why a password is too weak, or null when it is acceptable.
 * Rules: 8 to 128 characters, a letter and a non-letter, not a well-known password,
 * not a single repeated character.
 */
export function passwordWeakness(password: string): string | null {
  if (password.length < LIMITS.passwordMinLength) {
    return `Password must be at least ${LIMITS.passwordMinLength} characters long`;
  }
  if (password.length > LIMITS.passwordMaxLength) {
    return `Password must be at most ${LIMITS.passwordMaxLength} characters long`;
  }
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return 'Password is too common';
  if (new Set(password).size < 4) return 'Password needs more different characters';
  if (!/\p{L}/u.test(password) || !/[^\p{L}]/u.test(password)) {
    return 'Password needs at least one letter and one digit or symbol';
  }
  return null;
}
