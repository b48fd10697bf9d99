import { LIMITS } from './limits';
import { ErrorCode, ErrorReason } from './errors';

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
