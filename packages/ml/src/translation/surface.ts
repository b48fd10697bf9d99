/**
 * Casing and final punctuation, kept by the translator around the model.
 *
 * The model learnt from Multi30k, where 95% of sentences start with a capital and end with a
 * period: it reads "DOG ON BEACH" as letters to spell ("Ein UGOGACAHHHHCHHC.") and answers a caption
 * without a final period with one in German but not in French. So each sentence reaches the model in
 * that training form (sentence case, one final period) and the translation is given the input's
 * shape back: all caps when the input was, and the input's own ending (none, ".", "!", "?", "…").
 */

export interface SurfaceForm {
  /** The sentence as the model was trained to read it; null when it has nothing to translate ("?!"). */
  modelInput: string | null;
  /** The model's translation, given the input's casing and ending. */
  restore(translation: string): string;
}

const ENDING_RE = /[.!?…]+$/u;

/** True for shouted text: at least two cased letters, all of them upper case ("DOG ON BEACH", "NYC!!"). */
export function isAllCaps(text: string): boolean {
  let upper = 0;
  let lower = 0;
  for (const ch of text) {
    if (ch !== ch.toLowerCase()) upper++;
    else if (ch !== ch.toUpperCase()) lower++;
  }
  return upper >= 2 && lower === 0;
}

function capitalise(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) return text;
  const ch = String.fromCodePoint(first);
  return ch.toUpperCase() + text.slice(ch.length);
}

/** How one sentence is shown to the model, and how its translation gets the sentence's shape back. */
export function surfaceForm(sentence: string): SurfaceForm {
  const text = sentence.trim();
  const ending = text.match(ENDING_RE)?.[0] ?? '';
  const shouted = isAllCaps(text);
  // "A dog. ?!" ends in "?!"; the period before it is not the model's to read twice.
  const body = text.slice(0, text.length - ending.length).replace(/[\s.!?…]+$/u, '');
  const modelInput = /[\p{L}\p{N}]/u.test(body) ? `${capitalise(shouted ? body.toLowerCase() : body)}.` : null;
  return {
    modelInput,
    restore(translation: string): string {
      if (modelInput === null) return text;
      const out = translation.trim().replace(ENDING_RE, '').trimEnd() + ending;
      return shouted ? out.toUpperCase() : out;
    },
  };
}

/**
 * English words that are hardly ever names and never stay English in German, French or Czech:
 * pronouns, auxiliaries, question words, a few others. The model learnt to copy an unknown
 * capitalised first word (a name: "Anna plays ...") and copies these too when a caption does not
 * read like its training data ("Is this a dog?" -> "Is diesem Hund?"). Left out on purpose: words
 * that are also names ("Will", "Can") and interjections the three languages use as they are ("Oh",
 * "Hi", "Wow").
 */
const NEVER_NAMES = new Set(
  (
    'i me my mine we us our ours you your yours he him his she her hers it its they them their this that these those ' +
    'is are was were am be been do does did have has had could would shall should must ' +
    'what where when why who whom whose which how there here just thanks thank please hello yes not so very'
  ).split(' '),
);

/**
 * True when the translation starts with the sentence's first word left in English although that
 * word is one of NEVER_NAMES (whole, or as the start of an invented word, for words of three or
 * more letters: "Who wants ice cream?" -> "Whow wandert Eis?").
 */
export function copiesEnglishWord(sentence: string, translation: string): boolean {
  const first = sentence.trim().match(/^\p{L}+/u)?.[0];
  const out = translation.trim().match(/^\p{L}+/u)?.[0];
  if (!first || !out || !NEVER_NAMES.has(first.toLowerCase())) return false;
  const a = first.toLowerCase();
  const b = out.toLowerCase();
  return b === a || (a.length >= 3 && b.startsWith(a));
}
