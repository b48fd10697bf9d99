/** Only same-site paths may be used as a post-login destination (no open redirects). */
export function safeCallbackUrl(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) {
    return fallback;
  }
  if (value.startsWith('/login') || value.startsWith('/signup')) return fallback;
  return value;
}
