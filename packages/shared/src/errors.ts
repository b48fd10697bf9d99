/**
 * Stable `extensions.code` values of every client-facing GraphQL error.
 * Clients (the web app, third-party clients) switch on these; never rename one.
 */
export const ErrorCode = {
  /** An argument failed validation (weak password, bad email, empty caption...). */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** No credentials, or credentials that are wrong, expired or revoked. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Signed in, but not allowed to touch this resource (someone else's post). */
  FORBIDDEN: 'FORBIDDEN',
  /** The resource does not exist (or was deleted). */
  NOT_FOUND: 'NOT_FOUND',
  /** The request conflicts with current state (email taken, already liked). */
  CONFLICT: 'CONFLICT',
  /** Too many requests from this client; see `extensions.retryAfterSeconds`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The upload is over the byte limit or the pixel limit. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** The upload is not a supported, decodable image (not an image, truncated, unknown format). */
  UNSUPPORTED_IMAGE: 'UNSUPPORTED_IMAGE',
  /** The query is nested too deeply or would cost too much to run. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /**
   * The server cannot store files right now (disk full, media folder unwritable). Retryable:
   * `extensions.retryable` is true and `/health` answers 503 until it is fixed.
   */
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  /** Something failed on the server; the message is generic on purpose. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Finer-grained, equally stable reasons carried in `extensions.reason`. */
export const ErrorReason = {
  WRONG_CREDENTIALS: 'WRONG_CREDENTIALS',
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_INVALID: 'TOKEN_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_REVOKED: 'TOKEN_REVOKED',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  WEAK_PASSWORD: 'WEAK_PASSWORD',
  ALREADY_LIKED: 'ALREADY_LIKED',
  NOT_LIKED: 'NOT_LIKED',
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  TOO_MANY_PIXELS: 'TOO_MANY_PIXELS',
  NOT_AN_IMAGE: 'NOT_AN_IMAGE',
  CORRUPT_IMAGE: 'CORRUPT_IMAGE',
  /** RATE_LIMITED: too many failed logins for this account or from this address (see `retryAfterSeconds`). */
  TOO_MANY_LOGIN_FAILURES: 'TOO_MANY_LOGIN_FAILURES',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  CAPTION_NOT_FAILED: 'CAPTION_NOT_FAILED',
  /** follow: you cannot follow yourself (BAD_USER_INPUT). */
  CANNOT_FOLLOW_SELF: 'CANNOT_FOLLOW_SELF',
  ALREADY_FOLLOWING: 'ALREADY_FOLLOWING',
  NOT_FOLLOWING: 'NOT_FOLLOWING',
  /** caption(language:) got a language captions are not available in; `extensions.supportedLanguages` lists them. */
  UNSUPPORTED_LANGUAGE: 'UNSUPPORTED_LANGUAGE',
} as const;

export type ErrorReason = (typeof ErrorReason)[keyof typeof ErrorReason];
