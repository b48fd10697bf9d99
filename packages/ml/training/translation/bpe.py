"""Byte-pair encoding, learnt here and applied identically by src/translation/bpe.ts.

Text is NFC-normalised and whitespace collapsed. Each space-separated word is split into
chunks: a run of letters/marks, a single digit, or a single other symbol; the first chunk of a
word carries the word-start marker U+2581 ("▁"), SentencePiece style, so decoding is
exact: join the pieces and turn "▁" back into spaces. Merges never cross chunks. Characters
seen fewer than MIN_CHAR_COUNT times in training become "<unk>".

Learning uses incremental pair counts (pair -> count, pair -> words containing it), so a
joint 8k-merge vocabulary over four languages takes about a minute.
"""
import collections
import heapq
import json
import unicodedata

import regex

WORD_START = "\u2581"
CHUNK_RE = regex.compile(r"[\p{L}\p{M}]+|\p{N}|[^\p{L}\p{M}\p{N}\s]")
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<2de>", "<2fr>", "<2cs>"]
LANGS = ["de", "fr", "cs"]
PAD, BOS, EOS, UNK = 0, 1, 2, 3
MIN_CHAR_COUNT = 5


def normalise(text):
    return " ".join(unicodedata.normalize("NFC", text).split())


def chunks(text):
    out = []
    for word in normalise(text).split(" "):
        if not word:
            continue
        parts = CHUNK_RE.findall(word)
        if parts:
            parts[0] = WORD_START + parts[0]
            out.extend(parts)
    return out


def learn(lines, num_merges, min_char_count=MIN_CHAR_COUNT):
    freq = collections.Counter()
    for line in lines:
        freq.update(chunks(line))
    char_count = collections.Counter()
    for w, c in freq.items():
        for ch in w:
            char_count[ch] += c
    alphabet = sorted(ch for ch, c in char_count.items() if c >= min_char_count)
    alpha = set(alphabet)
    words = [[ch if ch in alpha else "<unk>" for ch in w] for w in freq]
    counts = list(freq.values())
    pair_count = collections.Counter()
    where = collections.defaultdict(set)
    for i, w in enumerate(words):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += counts[i]
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < num_merges and heap:
        negc, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -negc:
            if pair_count.get(pair, 0) > 0:
                heapq.heappush(heap, (-pair_count[pair], pair))
            continue
        if -negc < 2:
            break
        a, b = pair
        if "<unk>" in pair:
            pair_count[pair] = 0
            continue
        merged = a + b
        merges.append(pair)
        touched = collections.Counter()
        for i in list(where[pair]):
            w, c = words[i], counts[i]
            for x, y in zip(w, w[1:]):
                pair_count[(x, y)] -= c
                touched[(x, y)] += 0
            new, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    new.append(merged)
                    j += 2
                else:
                    new.append(w[j])
                    j += 1
            words[i] = new
            for x, y in zip(new, new[1:]):
                pair_count[(x, y)] += c
                where[(x, y)].add(i)
                touched[(x, y)] += 0
        for p in touched:
            if pair_count[p] > 0:
                heapq.heappush(heap, (-pair_count[p], p))
        pair_count[pair] = 0
    vocab = list(SPECIALS)
    seen = set(vocab)
    for ch in alphabet:
        if ch not in seen:
            vocab.append(ch)
            seen.add(ch)
    for a, b in merges:
        if a + b not in seen:
            vocab.append(a + b)
            seen.add(a + b)
    return {"merges": [[a, b] for a, b in merges], "vocab": vocab}


class BPE:
    def __init__(self, model):
        self.vocab = model["vocab"]
        self.index = {p: i for i, p in enumerate(self.vocab)}
        self.ranks = {(a, b): r for r, (a, b) in enumerate(model["merges"])}
        self.cache = {}

    def encode_chunk(self, chunk, dropout=0.0, rng=None):
        """With dropout > 0 (training only), each applicable merge is skipped with that probability
        at every step: BPE-dropout (Provilkov et al., 2020), so the model sees a word's other
        segmentations. Every intermediate symbol is in the vocabulary, so the ids stay valid."""
        if not dropout:
            hit = self.cache.get(chunk)
            if hit is not None:
                return hit
        syms = [ch if ch in self.index else "<unk>" for ch in chunk]
        while len(syms) > 1:
            best, best_rank = -1, None
            for j in range(len(syms) - 1):
                r = self.ranks.get((syms[j], syms[j + 1]))
                if r is not None and (best_rank is None or r < best_rank) and not (dropout and rng.random() < dropout):
                    best, best_rank = j, r
            if best < 0:
                break
            syms[best:best + 2] = [syms[best] + syms[best + 1]]
        ids = [self.index[s] for s in syms]
        if not dropout and len(self.cache) < 200000:
            self.cache[chunk] = ids
        return ids

    def encode(self, text, dropout=0.0, rng=None):
        out = []
        for c in chunks(text):
            out.extend(self.encode_chunk(c, dropout, rng))
        return out

    def decode(self, ids):
        text = "".join(self.vocab[i] for i in ids if i >= len(SPECIALS))
        return text.replace(WORD_START, " ").strip()


def save(model, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(model, f, ensure_ascii=False)
