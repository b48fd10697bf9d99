import { errorCode, humanError, messageForAuthError, messageForCode } from './errors';

describe('humanError', () => {
  it('maps stable API codes to sentences', () => {
    expect(humanError({ graphQLErrors: [{ message: 'x', extensions: { code: 'RATE_LIMITED' } }] })).toMatch(/too often/);
    expect(humanError({ graphQLErrors: [{ message: 'x', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] })).toMatch(/too big/);
    expect(humanError({ graphQLErrors: [{ message: 'x', extensions: { code: 'UNSUPPORTED_IMAGE' } }] })).toMatch(/not an image/);
  });

  it('never shows raw JSON', () => {
    const e = { graphQLErrors: [{ message: '{"errors":[1]}', extensions: { code: 'BAD_USER_INPUT' } }] };
    expect(humanError(e)).not.toContain('{');
    expect(humanError({ graphQLErrors: [{ message: '{"a":1}', extensions: { code: 'WHATEVER' } }] })).toMatch(/went wrong/);
  });

  it('shows short validation sentences from the API', () => {
    const e = { graphQLErrors: [{ message: 'Caption must be at most 280 characters', extensions: { code: 'BAD_USER_INPUT' } }] };
    expect(humanError(e)).toBe('Caption must be at most 280 characters');
  });

  it('treats transport failures as network errors, with HTTP status hints', () => {
    expect(errorCode({ networkError: new Error('fetch failed') })).toBe('NETWORK');
    expect(errorCode({ networkError: { response: { status: 413 } } })).toBe('PAYLOAD_TOO_LARGE');
    expect(errorCode({ networkError: { response: { status: 429 } } })).toBe('RATE_LIMITED');
  });

  it('prefers the finer reason', () => {
    const e = { graphQLErrors: [{ message: 'x', extensions: { code: 'UNAUTHENTICATED', reason: 'WRONG_CREDENTIALS' } }] };
    expect(humanError(e)).toMatch(/do not match/);
    const c = { graphQLErrors: [{ message: 'x', extensions: { code: 'CONFLICT', reason: 'EMAIL_TAKEN' } }] };
    expect(humanError(c)).toMatch(/already exists/);
    const w = {
      graphQLErrors: [{ message: 'Password is too common', extensions: { code: 'BAD_USER_INPUT', reason: 'WEAK_PASSWORD' } }],
    };
    expect(humanError(w)).toBe('Password is too common');
  });

  it('maps next-auth error strings', () => {
    expect(messageForAuthError('UNAUTHENTICATED:WRONG_CREDENTIALS')).toMatch(/do not match/);
    expect(messageForAuthError('CONFLICT:EMAIL_TAKEN')).toMatch(/already exists/);
    expect(messageForAuthError('BAD_USER_INPUT:WEAK_PASSWORD:Password is too common')).toBe('Password is too common');
    expect(messageForAuthError('RATE_LIMITED')).toMatch(/too often/);
    expect(messageForAuthError('{"errors":[]}')).toMatch(/went wrong/);
    expect(messageForCode('CredentialsSignin')).toMatch(/do not match/);
    expect(messageForCode(undefined)).toMatch(/went wrong/);
  });
});
