/**
 * Turns API errors into sentences a person can act on. Never shows raw JSON:
 * unknown codes fall back to a generic message, and the code is kept only for logs and tests.
 */

const MESSAGES: Record<string, string> = {
  RATE_LIMITED: 'You are doing that too often. Please wait a minute and try again.',
  TOO_MANY_REQUESTS: 'You are doing that too often. Please wait a minute and try again.',
  PAYLOAD_TOO_LARGE: 'That file is too big. Please choose an image under the size limit.',
  FILE_TOO_LARGE: 'That file is too big. Please choose an image under the size limit.',
  IMAGE_TOO_LARGE: 'That image has too many pixels. Please choose a smaller image.',
  UNSUPPORTED_IMAGE: 'That file is not an image we can read. Use a JPEG, PNG, WebP, GIF or HEIC photo.',
  UNSUPPORTED_MEDIA_TYPE: 'That file is not an image we can read. Use a JPEG, PNG, WebP, GIF or HEIC photo.',
  INVALID_IMAGE: 'That file is not an image we can read. Use a JPEG, PNG, WebP, GIF or HEIC photo.',
  INVALID_CREDENTIALS: 'That email and password do not match. Check them and try again.',
  WRONG_PASSWORD: 'That email and password do not match. Check them and try again.',
  CredentialsSignin: 'That email and password do not match. Check them and try again.',
  EMAIL_TAKEN: 'An account with that email already exists. Try logging in instead.',
  EMAIL_IN_USE: 'An account with that email already exists. Try logging in instead.',
  DUPLICATE_EMAIL: 'An account with that email already exists. Try logging in instead.',
  CONFLICT: 'An account with that email already exists. Try logging in instead.',
  WEAK_PASSWORD: 'That password is too easy to guess. Add another word or two; uncommon words are better.',
  UNAUTHENTICATED: 'Your session has ended. Please log in again.',
  TOKEN_EXPIRED: 'Your session has ended. Please log in again.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'We could not find that. It may have been deleted.',
  BAD_USER_INPUT: 'Some of what you entered is not valid. Please check and try again.',
  QUERY_TOO_COMPLEX: 'That request was too large. Please try again with less.',
  STORAGE_UNAVAILABLE: 'We cannot store images right now. Please try again in a few minutes.',
  NETWORK: 'We could not reach Pixtale. Check your connection and try again.',
  OAuthSignin: 'Google sign-in could not start. Please try again.',
  OAuthCallback: 'Google sign-in did not finish. Please try again.',
  OAuthAccountNotLinked: 'That Google account could not be linked. Try logging in with your password.',
  AccessDenied: 'Sign-in was refused. Please try again or use another method.',
  Configuration: 'Sign-in is not configured correctly. Please try again later.',
};

export const GENERIC_MESSAGE = 'Something went wrong on our side. Please try again.';

/** Finer `extensions.reason` values (see @pixtale/shared ErrorReason) win over the code. */
const REASONS: Record<string, string> = {
  WRONG_CREDENTIALS: 'That email and password do not match. Check them and try again.',
  EMAIL_TAKEN: 'An account with that email already exists. Try logging in instead.',
  TOKEN_EXPIRED: 'Your session has ended. Please log in again.',
  TOKEN_REVOKED: 'Your session was ended (you logged out here or on every device). Please log in again.',
  TOKEN_SCOPE: 'This API token can only read: create a token with write access to change things.',
  SESSION_REQUIRED: 'Only a signed-in browser session can do that, not an API token.',
  FILE_TOO_LARGE: 'That file is too big. Please choose an image under 15 MB.',
  TOO_MANY_PIXELS: 'That image has too many pixels. Please choose a smaller image.',
  NOT_AN_IMAGE: 'That file is not an image we can read. Use a JPEG, PNG, WebP, GIF or HEIC photo.',
  CORRUPT_IMAGE: 'That image looks damaged or incomplete. Please try another file.',
  ALREADY_LIKED: 'You already like this post.',
  NOT_LIKED: 'You had not liked this post.',
  CANNOT_FOLLOW_SELF: 'You cannot follow yourself.',
  ALREADY_FOLLOWING: 'You already follow them.',
  NOT_FOLLOWING: 'You do not follow them.',
  TOO_MANY_LOGIN_FAILURES:
    'Too many failed attempts to log in. Please wait a while, or log in from a network you have used before.',
  QUERY_TOO_DEEP: 'That request was too large. Please try again with less.',
  QUERY_TOO_COSTLY: 'That request was too large. Please try again with less.',
};

export interface ApiErrorLike {
  message?: string;
  networkError?: unknown;
  graphQLErrors?: ReadonlyArray<{ message?: string; extensions?: Record<string, unknown> }>;
}

/** The stable `extensions.code` of the first GraphQL error, or NETWORK for transport failures. */
export function errorReason(error: ApiErrorLike | null | undefined): string | undefined {
  const reason = error?.graphQLErrors?.[0]?.extensions?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

export function errorCode(error: ApiErrorLike | null | undefined): string | undefined {
  if (!error) return undefined;
  const first = error.graphQLErrors?.[0];
  const code = first?.extensions?.code;
  if (typeof code === 'string') return code;
  if (error.networkError) {
    const status = (error.networkError as { status?: number; response?: { status?: number } }).response?.status;
    if (status === 413) return 'PAYLOAD_TOO_LARGE';
    if (status === 429) return 'RATE_LIMITED';
    return 'NETWORK';
  }
  return undefined;
}

/** A human sentence for an API error code (or a next-auth error string). */
export function messageForCode(code: string | undefined | null, fallback = GENERIC_MESSAGE): string {
  if (!code) return fallback;
  return MESSAGES[code] ?? fallback;
}

/**
 * A human sentence for an error from urql or the upload request. BAD_USER_INPUT errors carry a
 * message written for people by the API (e.g. "Caption must be at most 280 characters"), so it is
 * shown when it is short plain text; anything that looks like JSON or a stack trace is not.
 */
export function humanError(error: ApiErrorLike | null | undefined, fallback = GENERIC_MESSAGE): string {
  const code = errorCode(error);
  const reason = errorReason(error);
  if (reason === 'WEAK_PASSWORD' || (code === 'BAD_USER_INPUT' && !(reason && REASONS[reason]))) {
    const raw = error?.graphQLErrors?.[0]?.message;
    if (raw && isPlainSentence(raw)) return raw;
  }
  if (reason && REASONS[reason]) return REASONS[reason];
  return messageForCode(code, fallback);
}

/** next-auth passes `CODE` or `CODE:REASON` strings from the server; this maps either. */
export function messageForAuthError(value: string | undefined | null): string {
  if (!value) return GENERIC_MESSAGE;
  const [code, reason, ...rest] = value.split(':');
  if (reason === 'WEAK_PASSWORD' && rest.length && isPlainSentence(rest.join(':'))) return rest.join(':');
  if (reason && REASONS[reason]) return REASONS[reason];
  return messageForCode(code);
}

export function isPlainSentence(text: string): boolean {
  return text.length <= 200 && !/[{}[\]<>]|\bat\s+\S+\s+\(|Error:|Variable "\$/.test(text);
}
