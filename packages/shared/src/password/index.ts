import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { LIMITS } from '../limits';

/**
 * Password strength (`@pixtale/shared/password`), scored by zxcvbn-ts with its common-password,
 * English word and name dictionaries. The dictionaries are megabytes: the API loads this entry on
 * the first sign-up, the web app imports it dynamically in the sign-up form only.
 */

/** Scores below this (zxcvbn's 0-4 scale) are refused. 3 = "safely unguessable: moderate protection from offline attacks". */
export const MIN_PASSWORD_SCORE = 3;

export interface PasswordStrength {
  /** zxcvbn score, 0 (too guessable) to 4 (very unguessable). */
  score: 0 | 1 | 2 | 3 | 4;
  ok: boolean;
  /** What is wrong (empty when nothing stands out) and what would help, in plain English. */
  feedback: { warning: string; suggestions: string[] };
}

let zxcvbn: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    // Scoring cost grows fast with length and l33t candidates (a crafted 128-character password
    // took over a second of CPU with the defaults): score the first 64 characters, which decide
    // anyway, and try at most 10 l33t substitutions (tens of milliseconds at worst).
    maxLength: 64,
    l33tMaxSubstitutions: 10,
  });
  return zxcvbn;
}

/**
 * How guessable `password` is. `userInputs` are the other things the person typed (email,
 * display name), which count as known words. Length bounds come first: zxcvbn scores a short
 * random string well, and long inputs cost CPU.
 */
export function checkPasswordStrength(password: string, userInputs: readonly string[] = []): PasswordStrength {
  if (password.length < LIMITS.passwordMinLength || password.length > LIMITS.passwordMaxLength) {
    const warning =
      password.length < LIMITS.passwordMinLength
        ? `Password must be at least ${LIMITS.passwordMinLength} characters long.`
        : `Password must be at most ${LIMITS.passwordMaxLength} characters long.`;
    return { score: 0, ok: false, feedback: { warning, suggestions: [] } };
  }
  // The email's local part and the name's words are what an attacker tries first.
  const inputs = userInputs
    .map((s) => s.toLowerCase())
    .flatMap((s) => [s, s.split('@')[0]!, ...s.split(/[\s@._+-]+/)])
    .filter((s) => s.length > 2);
  const r = estimator().check(password, inputs);
  const ok = r.score >= MIN_PASSWORD_SCORE;
  const suggestions = r.feedback.suggestions.filter(Boolean);
  return {
    score: r.score,
    ok,
    feedback: {
      warning: r.feedback.warning ?? (ok ? '' : 'This password is easy to guess.'),
      suggestions: !ok && suggestions.length === 0 ? ['Add another word or two. Uncommon words are better.'] : suggestions,
    },
  };
}

/** One sentence for an error message: the warning, then the suggestions. */
export function passwordFeedbackMessage(s: PasswordStrength): string {
  return [s.feedback.warning, ...s.feedback.suggestions].filter(Boolean).join(' ');
}
