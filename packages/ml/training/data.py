"""The Flickr8k data every training script reads: captions, splits, and the encoder feature
cache that extract-features.cjs writes (the runtime's own encoder and preprocessing)."""
import json
from collections import defaultdict

import numpy as np
import torch

from captioning import BOS, EOS, UNK, tokenize
from encoder.export_encoder import pool_grid


def load_captions(datasets):
    by_image = defaultdict(list)
    for line in (datasets / "flickr8k" / "captions.tsv").read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            by_image[parts[0]].append(parts[2])
    return by_image


def pooled(grid, meta):
    """Caches made before the encoder pooled its grid hold 17x17 cells: pool them exactly as
    encoder.onnx does (export_encoder.pool_grid) and keep fp16 in RAM."""
    if meta["gridHeight"] == 17:
        n, _, d = grid.shape
        grid = pool_grid(grid.transpose(1, 2).reshape(n, d, 17, 17)).flatten(2).transpose(1, 2)
    return grid.to(torch.float16).contiguous()


def load_features(folder):
    """The feature cache written by extract-features.cjs: fp16 tensor [images, regions, dim] and
    the row of each image name."""
    meta = json.loads((folder / "images.json").read_text())
    names = meta["names"]
    L, D = meta["gridHeight"] * meta["gridWidth"], meta["featureDim"]
    raw = np.memmap(folder / "features.f32", dtype=np.float32, mode="r", shape=(len(names), L, D))
    features = torch.cat([pooled(torch.from_numpy(np.asarray(raw[i:i + 256])), meta) for i in range(0, len(names), 256)])
    return features, {n: i for i, n in enumerate(names)}


def load_splits(datasets):
    return {s: [l.strip() for l in (datasets / "flickr8k" / "splits" / f"{s}.txt").read_text().splitlines() if l.strip()]
            for s in ("train", "dev")}


def load_pretraining_text(datasets, held_out_captions, overlap=0.7, rare=300):
    """English side of Multi30k train (Flickr30k descriptions) for pre-training the decoder's language.
    Flickr30k holds most Flickr8k photos with the same descriptions, so every sentence that is, or
    nearly is (word-set Jaccard >= `overlap`), a caption of a held-out image is dropped: the dev
    references must not be learnt as text. Returns (sentences kept, number dropped)."""
    held = [set(tokenize(c)) for c in held_out_captions]
    exact = {" ".join(tokenize(c)) for c in held_out_captions}
    by_word = defaultdict(set)
    for i, words in enumerate(held):
        for w in words:
            by_word[w].add(i)
    everything = range(len(held))
    kept, dropped = [], 0
    for line in (datasets / "multi30k" / "train.en").read_text().splitlines():
        tokens = tokenize(line)
        words = set(tokens)
        if not words:
            continue
        near = " ".join(tokens) in exact
        if not near:
            # Compare with the captions that share one of the sentence's rarer words (used by fewer
            # than `rare` held-out captions): comparing every pair would take minutes. A sentence made
            # only of common words is compared with all of them.
            candidates = {i for w in words if len(by_word.get(w, ())) < rare for i in by_word.get(w, ())}
            if not any(0 < len(by_word.get(w, ())) < rare for w in words):
                candidates = everything
            near = any(len(words & held[i]) / len(words | held[i]) >= overlap for i in candidates)
        if near:
            dropped += 1
        else:
            kept.append(line)
    return kept, dropped


def caption_rows(vocab, captions, split, row, max_len):
    """What a caption training run iterates over: encode(text) -> [<start>, ids (at most max_len
    words), <end>]; the train images' feature rows with their five encoded captions each; the dev
    rows with their tokenized references (for the quick BLEU)."""
    index = {w: i for i, w in enumerate(vocab)}

    def encode(text):
        return [BOS] + [index.get(w, UNK) for w in tokenize(text)][:max_len] + [EOS]

    train_images = [row[n] for n in split["train"]]
    train_caps = {row[n]: [encode(c) for c in captions[n]] for n in split["train"]}
    assert all(len(c) == 5 for c in train_caps.values()), "expected five captions per training image"
    dev_rows = [row[n] for n in split["dev"]]
    dev_refs = [[tokenize(c) for c in captions[n]] for n in split["dev"]]
    return encode, train_images, train_caps, dev_rows, dev_refs
