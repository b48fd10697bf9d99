/**
 * Byte-pair encoding for the translation models, the same algorithm as
 * training/translation/bpe.py (which learnt the merges):
 * NFC-normalise, collapse whitespace, split each word into chunks (a run of letters/marks, one
 * digit, or one other symbol), mark the first chunk of every word with "▁", then apply the merges
 * in rank order inside each chunk. Characters outside the learnt alphabet become `<unk>`.
 * Decoding joins the pieces and turns "▁" back into spaces, so it is exact for known characters.
 */

export const WORD_START = '\u2581';
const CHUNK_RE = /[\p{L}\p{M}]+|\p{N}|[^\p{L}\p{M}\p{N}\s]/gu;

export interface BpeModel {
  /** Pieces by id; the first `specials` ids are special tokens (`<pad>`, `<s>`, `</s>`, `<unk>`, `<2xx>`). */
  vocab: string[];
  /** Merges in rank order, each the pair of pieces it joins. */
  merges: [string, string][];
}

export function normalise(text: string): string {
  return text.normalize('NFC').split(/\s+/).filter(Boolean).join(' ');
}

/** The chunks BPE works on, word-start marker included: "Hi, 42!" → ["▁Hi", ",", "▁4", "2", "!"]. */
export function chunks(text: string): string[] {
  const out: string[] = [];
  for (const word of normalise(text).split(' ')) {
    if (!word) continue;
    const parts = word.match(CHUNK_RE);
    if (!parts) continue;
    parts[0] = WORD_START + parts[0];
    out.push(...parts);
  }
  return out;
}

export class Bpe {
  readonly index: Map<string, number>;
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, number[]>();
  readonly unk: number;

  constructor(
    readonly model: BpeModel,
    readonly specials: number,
  ) {
    this.index = new Map(model.vocab.map((p, i) => [p, i]));
    this.ranks = new Map(model.merges.map(([a, b], r) => [`${a}\u0000${b}`, r]));
    const unk = this.index.get('<unk>');
    if (unk === undefined) throw new Error('BPE vocabulary has no <unk>');
    this.unk = unk;
  }

  /** Ids of one chunk; characters the model never saw map to `<unk>`. */
  encodeChunk(chunk: string): number[] {
    const hit = this.cache.get(chunk);
    if (hit) return hit;
    const syms = Array.from(chunk, (ch) => (this.index.has(ch) ? ch : '<unk>'));
    while (syms.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let j = 0; j < syms.length - 1; j++) {
        const r = this.ranks.get(`${syms[j]}\u0000${syms[j + 1]}`);
        if (r !== undefined && r < bestRank) {
          best = j;
          bestRank = r;
        }
      }
      if (best < 0) break;
      syms.splice(best, 2, syms[best]! + syms[best + 1]!);
    }
    const ids = syms.map((s) => this.index.get(s) ?? this.unk);
    if (this.cache.size < 50_000) this.cache.set(chunk, ids);
    return ids;
  }

  encode(text: string): number[] {
    return chunks(text).flatMap((c) => this.encodeChunk(c));
  }

  /** Text of the ids, special tokens dropped. */
  decode(ids: readonly number[]): string {
    return ids
      .filter((i) => i >= this.specials && i < this.model.vocab.length)
      .map((i) => this.model.vocab[i]!)
      .join('')
      .split(WORD_START)
      .join(' ')
      .trim();
  }
}
