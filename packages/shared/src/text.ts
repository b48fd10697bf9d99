/**
 * Text people type (captions, display names, token names) goes through `normalizeUserText` on
 * the way in, in the API and in the web forms, so what is stored is what everyone sees:
 * NFC, no control characters, no bidi controls that reorder what follows ("gpj.exe" shown as
 * "exe.jpg"), and no invisible characters that make text look empty or different.
 */

/** C0 and C1 control characters (NUL, BEL, ESC, DEL...). Line breaks and tabs become spaces first. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/g;

/** Bidi embeddings, overrides, isolates and marks: U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/**
 * Characters that draw nothing and have no place in a caption or a name: zero-width space,
 * word joiner, BOM, soft hyphen, Mongolian vowel separator, invisible math operators,
 * deprecated format controls, Hangul fillers and the blank Braille pattern (both used for
 * "invisible" names), interlinear annotation controls, combining grapheme joiner.
 */
// eslint-disable-next-line no-misleading-character-class -- U+034F is listed on its own, to be removed
const INVISIBLE = /[\u200B\u2060-\u2064\u206A-\u206F\uFEFF\u00AD\u180E\u034F\u115F\u1160\u3164\uFFA0\u2800\uFFF9-\uFFFB]/g;

/** Joiners that emoji and several scripts need between two visible characters (👩‍👩‍👧). */
const JOINER = /[\u200C\u200D]/u;
/** Variation selectors (❤️ = U+2764 U+FE0F): meaningful right after a visible character. */
const VARIATION_SELECTOR = /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
/** Tag characters: only valid inside a subdivision flag (🏴 + tags + cancel tag); elsewhere they hide text. */
const TAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;
const TAG_CHARACTER = /[\u{E0000}-\u{E007F}]/gu;

/** A character that shows something: not whitespace, not a mark alone, not a format or control character. */
const VISIBLE = /[^\s\p{M}\p{Cf}\p{Cc}]/u;

function dropStrayTags(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TAG_SEQUENCE)) {
    out += text.slice(last, m.index).replace(TAG_CHARACTER, '') + m[0];
    last = m.index + m[0].length;
  }
  return out + text.slice(last).replace(TAG_CHARACTER, '');
}

/** Keeps a joiner only between two visible characters, and a variation selector only right after one. */
function dropStrayJoiners(text: string): string {
  const chars = Array.from(text);
  const out: string[] = [];
  const isBase = (c: string | undefined) => c !== undefined && !JOINER.test(c) && !VARIATION_SELECTOR.test(c) && !/\s/u.test(c);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (JOINER.test(c)) {
      const prev = out.at(-1);
      // The previous kept character may be a variation selector of a visible base (❤️‍🔥).
      const prevOk = isBase(prev) || (prev !== undefined && VARIATION_SELECTOR.test(prev) && isBase(out.at(-2)));
      if (prevOk && isBase(chars[i + 1])) out.push(c);
    } else if (VARIATION_SELECTOR.test(c)) {
      if (isBase(out.at(-1))) out.push(c);
    } else {
      out.push(c);
    }
  }
  return out.join('');
}

/**
 * The one normalisation of user-typed, single-line text: NFC; line breaks, tabs and runs of
 * whitespace become one space; controls, bidi controls and invisible characters are removed
 * (ZWJ/ZWNJ and variation selectors stay where emoji and scripts need them); trimmed.
 * Returns '' when nothing visible is left.
 */
export function normalizeUserText(raw: string): string {
  let text = String(raw).normalize('NFC');
  text = text.replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ');
  text = text.replace(CONTROLS, '').replace(BIDI_CONTROLS, '').replace(INVISIBLE, '');
  text = dropStrayJoiners(dropStrayTags(text));
  text = text.replace(/\s+/gu, ' ').trim();
  return VISIBLE.test(text) ? text : '';
}

export type UserTextCheck = { ok: true; text: string } | { ok: false; message: string };

/**
 * Normalises and checks one field: `{ ok: true, text }`, or the message to show
 * (the API answers it as BAD_USER_INPUT, the forms show it as you type).
 */
export function checkUserText(raw: string, field: { label: string; maxLength: number }): UserTextCheck {
  const text = normalizeUserText(raw);
  if (!text) {
    const message = String(raw).trim()
      ? `${field.label} must contain visible characters (invisible and control characters are removed)`
      : `${field.label} cannot be empty`;
    return { ok: false, message };
  }
  if (text.length > field.maxLength)
    return { ok: false, message: `${field.label} must be at most ${field.maxLength} characters` };
  return { ok: true, text };
}
