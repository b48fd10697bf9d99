/**
 * Corpus BLEU exactly as sacreBLEU 2.x computes it by default (`BLEU()`: tokenize="13a",
 * smooth_method="exp", max n-gram order 4, case-sensitive, effective_order=False), so numbers
 * reported for the translation models are comparable with the WMT multimodal-task papers.
 */

const RE_SYMBOLS = /([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/g;
const RE_PERIOD_COMMA_1 = /([^0-9])([.,])/g;
const RE_PERIOD_COMMA_2 = /([.,])([^0-9])/g;
const RE_DASH = /([0-9])(-)/g;

/** sacreBLEU's default "13a" tokenizer (mteval-v13a): splits punctuation and symbols from words. */
export function tokenize13a(line: string): string {
  let s = line
    .replace(/<skipped>/g, '')
    .replace(/-\n/g, '')
    .replace(/\n/g, ' ');
  if (s.includes('&')) {
    s = s
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  }
  s = ` ${s} `;
  s = s.replace(RE_SYMBOLS, ' $1 ');
  s = s.replace(RE_PERIOD_COMMA_1, '$1 $2 ');
  s = s.replace(RE_PERIOD_COMMA_2, ' $1 $2');
  s = s.replace(RE_DASH, '$1 $2 ');
  // Python's str.split(): runs of whitespace, no empty strings
  return s.split(/\s+/).filter(Boolean).join(' ');
}

export interface SacreBleuResult {
  /** BLEU in 0-100, as sacreBLEU prints it. */
  score: number;
  /** Modified n-gram precisions (1..4) in 0-100, smoothed as sacreBLEU does. */
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
  counts: number[];
  totals: number[];
}

function ngrams(tokens: readonly string[], maxOrder: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(' ');
      out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

/**
 * `hypotheses[i]` is scored against `references[r][i]` for every reference stream r
 * (sacreBLEU's layout: one array per reference set).
 */
export function sacreBleu(
  hypotheses: readonly string[],
  references: readonly (readonly string[])[],
  maxOrder = 4,
): SacreBleuResult {
  if (references.length === 0) throw new Error('sacreBleu needs at least one reference stream');
  for (const stream of references) {
    if (stream.length !== hypotheses.length) {
      throw new Error(`sacreBleu: ${hypotheses.length} hypotheses but a reference stream has ${stream.length} lines`);
    }
  }
  const counts = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((hyp, i) => {
    const h = tokenize13a(hyp.trim()).split(' ').filter(Boolean);
    const refs = references.map((stream) => tokenize13a(stream[i]!.trim()).split(' ').filter(Boolean));
    let closest = Infinity;
    let closestLen = 0;
    for (const r of refs) {
      const diff = Math.abs(h.length - r.length);
      if (diff < closest || (diff === closest && r.length < closestLen)) {
        closest = diff;
        closestLen = r.length;
      }
    }
    sysLen += h.length;
    refLen += closestLen;
    const maxRef = new Map<string, number>();
    for (const r of refs) for (const [k, c] of ngrams(r, maxOrder)) maxRef.set(k, Math.max(maxRef.get(k) ?? 0, c));
    for (const [k, c] of ngrams(h, maxOrder)) {
      const order = k.split(' ').length;
      counts[order - 1]! += Math.min(c, maxRef.get(k) ?? 0);
    }
    for (let n = 1; n <= maxOrder; n++) totals[n - 1]! += Math.max(0, h.length - n + 1);
  });

  const precisions = new Array<number>(maxOrder).fill(0);
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  // sacreBLEU stops early when nothing matches at all (its issue #141)
  if (counts.every((c) => c === 0)) return { score: 0, precisions, bp, sysLen, refLen, counts, totals };
  let smooth = 1;
  for (let n = 1; n <= maxOrder; n++) {
    if (totals[n - 1] === 0) break;
    if (counts[n - 1] === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * totals[n - 1]!);
    } else {
      precisions[n - 1] = (100 * counts[n - 1]!) / totals[n - 1]!;
    }
  }
  const logSum = precisions.reduce((s, p) => s + (p === 0 ? -9999999999 : Math.log(p)), 0);
  const score = bp * Math.exp(logSum / maxOrder);
  return { score, precisions, bp, sysLen, refLen, counts, totals };
}
