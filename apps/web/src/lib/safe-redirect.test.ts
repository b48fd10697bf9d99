import { safeCallbackUrl } from './safe-redirect';

describe('safeCallbackUrl', () => {
  it('keeps same-site paths', () => {
    expect(safeCallbackUrl('/upload')).toBe('/upload');
    expect(safeCallbackUrl('/posts/1?x=2')).toBe('/posts/1?x=2');
  });
  it('refuses other sites and loops', () => {
    expect(safeCallbackUrl('https://evil.example')).toBe('/');
    expect(safeCallbackUrl('//evil.example')).toBe('/');
    expect(safeCallbackUrl('/\\evil.example')).toBe('/');
    expect(safeCallbackUrl('/login')).toBe('/');
    expect(safeCallbackUrl(undefined)).toBe('/');
  });
});
