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
