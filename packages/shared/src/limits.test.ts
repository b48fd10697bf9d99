import { LIMITS, passwordWeakness } from './limits';
import { ErrorCode, ErrorReason } from './errors';

describe('passwordWeakness', () => {
  it.each([
    ['short', 'Sh0rt!', /at least 8/],
    ['too long', `a1${'b'.repeat(LIMITS.passwordMaxLength)}`, /at most 128/],
    ['well known, any case', 'PassWord123', /too common/],
    ['one repeated character', 'aaaaaaaa', /different characters/],
    ['letters only', 'correcthorse', /one letter and one digit or symbol/],
    ['digits only', '90210571', /one letter and one digit or symbol/],
  ])('refuses a %s password', (_why, password, message) => {
    expect(passwordWeakness(password)).toMatch(message);
  });

  it.each(['correct horse battery', 'Zebra-42-staple', 'пароль-надёжный-7'])('accepts %s', (password) => {
    expect(passwordWeakness(password)).toBeNull();
  });
});

describe('error codes', () => {
  // Clients switch on these strings, so each value must equal its key (renaming one is a breaking change).
  it.each([ErrorCode, ErrorReason])('every value is its own key', (codes) => {
    for (const [key, value] of Object.entries(codes)) expect(value).toBe(key);
  });
});

describe('LIMITS', () => {
  it('keeps the page size and image variants consistent', () => {
    expect(LIMITS.pageSizeDefault).toBeLessThanOrEqual(LIMITS.pageSizeMax);
    expect(LIMITS.feedImageSize).toBeLessThan(LIMITS.detailImageSize);
    expect(LIMITS.passwordMinLength).toBeLessThan(LIMITS.passwordMaxLength);
  });
});
