import { checkPasswordStrength, passwordFeedbackMessage } from './index';

describe('checkPasswordStrength', () => {
  test.each(['Passw0rd!', 'qwerty123!', '12345678a', 'password123', 'aaaaaaaaaaaa', 'iloveyou2024'])(
    '%p is refused with feedback',
    (p) => {
      const s = checkPasswordStrength(p);
      expect(s.ok).toBe(false);
      expect(s.score).toBeLessThan(3);
      expect(passwordFeedbackMessage(s)).not.toBe('');
    },
  );

  test.each(['correct horse 42', 'tulips and 7 ducks', 'analytical-engine-1843', 'my secret 99 words'])('%p passes', (p) => {
    const s = checkPasswordStrength(p);
    expect(s).toMatchObject({ ok: true });
    expect(s.score).toBeGreaterThanOrEqual(3);
  });

  test('length bounds come first', () => {
    expect(checkPasswordStrength('x7#Qa').feedback.warning).toMatch(/at least 8/);
    expect(checkPasswordStrength('k9!'.repeat(50)).feedback.warning).toMatch(/at most 128/);
  });

  test("the person's own name and email count as guessable words", () => {
    const p = 'marguerite.fontaine';
    expect(checkPasswordStrength(p).ok).toBe(true);
    expect(checkPasswordStrength(p, ['marguerite.fontaine@example.com', 'Marguerite']).ok).toBe(false);
  });
});
