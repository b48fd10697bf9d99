import { checkUserText, normalizeUserText } from './text';

const RLO = '\u202E';
const ZWSP = '\u200B';
const ZWJ = '\u200D';

describe('normalizeUserText', () => {
  it('strips RLO, NUL, BEL and the other C0/C1 controls', () => {
    expect(normalizeUserText(`holiday${RLO}gpj.exe`)).toBe('holidaygpj.exe');
    expect(normalizeUserText('a\u0000b\u0007c\u001Bd\u007Fe\u0085f\u009Bg')).toBe('abcde fg'); // NEL (U+0085) is a line break
  });

  it('strips every bidi embedding, override, isolate and mark', () => {
    const bidi = [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      RLO,
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
    ];
    expect(normalizeUserText(`Ann${bidi.join('')} Lee`)).toBe('Ann Lee');
  });

  it('applies NFC', () => {
    const decomposed = 'Cafe\u0301 Ðo\u0302ng';
    expect(normalizeUserText(decomposed)).toBe('Café Ðông');
    expect(normalizeUserText(decomposed)).toBe(decomposed.normalize('NFC'));
  });

  it('keeps emoji ZWJ sequences, variation selectors and subdivision flags intact', () => {
    for (const emoji of ['👩‍👩‍👧', '❤️‍🔥', '👨🏽‍💻', '🏳️‍🌈', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', 'नमस्‍ते', 'می‌خواهم']) {
      expect(normalizeUserText(`family ${emoji} day`)).toBe(`family ${emoji} day`);
    }
  });

  it('refuses text made only of invisible characters', () => {
    for (const invisible of [
      ZWSP.repeat(5),
      `${ZWJ}${ZWJ}`,
      `${RLO}\u2066\u200E`,
      '\u3164\u3164',
      '\uFEFF \u2800',
      '\u0301\u0301',
      ' \t\n ',
      '\uFE0F',
      '\u{E0041}\u{E0042}',
    ]) {
      expect(normalizeUserText(invisible)).toBe('');
    }
  });

  it('drops joiners and zero-width characters that are not inside a sequence, and hidden tag text', () => {
    expect(normalizeUserText(`${ZWJ}sunset${ZWJ} ${ZWSP}beach${ZWSP}`)).toBe('sunset beach');
    expect(normalizeUserText('nice\u{E0069}\u{E0067}\u{E006E} photo')).toBe('nice photo');
  });

  it('turns line breaks and tabs into single spaces and trims', () => {
    expect(normalizeUserText('  a\r\n\tb \u2028 c  ')).toBe('a b c');
  });
});

describe('checkUserText', () => {
  const field = { label: 'Caption', maxLength: 10 };

  it('gives the normalised text, or a message that says what is wrong', () => {
    expect(checkUserText(' Caf\u0065\u0301 ', field)).toEqual({ ok: true, text: 'Café' });
    expect(checkUserText('   ', field)).toEqual({ ok: false, message: 'Caption cannot be empty' });
    expect(checkUserText(ZWSP.repeat(3), field)).toEqual({
      ok: false,
      message: 'Caption must contain visible characters (invisible and control characters are removed)',
    });
    expect(checkUserText('x'.repeat(11), field)).toEqual({ ok: false, message: 'Caption must be at most 10 characters' });
  });
});
