"""How much word information the encoder's features carry, on Flickr8k (issue 14, lever 1):

1. the linear probe of the captioner's card (it reported 0.198 for this encoder from an uncommitted
   script; this one gives 0.218 with its own content-word list and L2 grid): mean-pooled features of
   the first 800 training images -> one logistic regression per word over the 200 most frequent
   content words, mean average precision over the first 400 dev images; the L2 strength is picked
   by that dev mAP from a fixed grid (as the card's probe did);
2. a visual-concept detector on the frozen region features (Fang et al. 2015, "From Captions to
   Visual Concepts and Back"): a per-region classifier whose probabilities are combined by
   noisy-OR over the 64 regions (multiple-instance learning), trained on all training images for
   the 1,000 most frequent content words; mAP on all dev images, and on the probe's 200 words.
The backbone is not fine-tuned here (finetune_encoder.py fine-tunes it with the caption loss).

Usage: python3 concepts.py --features .cache/encoder-centernet-mobilenetv3 --datasets ../../../../shared/datasets [--probe-only]
"""
import argparse
import json
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F

from captioning import NoisyOrConcepts, tokenize
from data import load_captions, load_features, load_splits

# Function words that say nothing about what is in the picture.
STOPWORDS = set("""a an the of in on at to and or with is are was were be been being his her their its
this that these those it he she they them there here by for from as into onto over under near
while who which some one two three four five several other another up down out off very has have
has its s""".split())


def content_words(captions, names, n):
    counts = Counter(w for name in names for c in captions[name] for w in set(tokenize(c)) if w not in STOPWORDS)
    return [w for w, _ in counts.most_common(n)]


def labels(captions, names, words):
    index = {w: i for i, w in enumerate(words)}
    y = torch.zeros(len(names), len(words))
    for r, name in enumerate(names):
        for c in captions[name]:
            for w in tokenize(c):
                if w in index:
                    y[r, index[w]] = 1
    return y


def mean_ap(scores, y):
    """Mean over words (with at least one positive) of average precision over images."""
    aps = []
    for k in range(y.shape[1]):
        positives = y[:, k].sum().item()
        if positives == 0:
            continue
        order = torch.argsort(scores[:, k], descending=True)
        hits = y[order, k]
        precision = torch.cumsum(hits, 0) / torch.arange(1, len(hits) + 1)
        aps.append((precision * hits).sum().item() / positives)
    return sum(aps) / len(aps)


def linear_probe(x_train, y_train, x_dev, y_dev):
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    x_train, x_dev = (x_train - mean) / std, (x_dev - mean) / std
    results = {}
    for l2 in (1e-4, 1e-3, 1e-2, 1e-1):
        torch.manual_seed(0)
        w = torch.zeros(x_train.shape[1], y_train.shape[1], requires_grad=True)
        b = torch.zeros(y_train.shape[1], requires_grad=True)
        opt = torch.optim.LBFGS([w, b], max_iter=200, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(x_train @ w + b, y_train) + l2 * (w * w).sum()
            loss.backward()
            return loss

        opt.step(closure)
        with torch.no_grad():
            results[l2] = mean_ap(x_dev @ w + b, y_dev)
    best = max(results, key=results.get)
    return results[best], best, results


def train_concepts(f_train, y_train, f_dev, y_dev, epochs, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(7)
    model = NoisyOrConcepts(f_train.shape[2], y_train.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(f_train))
        for b in range(0, len(order), 64):
            rows = order[b:b + 64]
            p = model(f_train[rows].float())
            loss = F.binary_cross_entropy(p.clamp(1e-6, 1 - 1e-6), y_train[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            scores = torch.cat([model(f_dev[b:b + 200].float()) for b in range(0, len(f_dev), 200)])
        history.append({"epoch": epoch, "devMap": round(mean_ap(scores, y_dev), 4)})
        print(json.dumps(history[-1]), flush=True)
    return history, scores, model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--save", help="write the concept detector here (train_captioner.py --concepts)")
    ap.add_argument("--probe-only", action="store_true", help="step 1 only (e.g. to compare encoders or input sizes)")
    args = ap.parse_args()
    datasets = Path(args.datasets)
    features, row = load_features(Path(args.features))
    split, captions = load_splits(datasets), load_captions(datasets)
    train, dev = split["train"], split["dev"]

    probe_words = content_words(captions, train, 200)
    pooled = features.float().mean(1)
    probe_train, probe_dev = train[:800], dev[:400]
    probe_map, l2, grid = linear_probe(pooled[[row[n] for n in probe_train]], labels(captions, probe_train, probe_words),
                                       pooled[[row[n] for n in probe_dev]], labels(captions, probe_dev, probe_words))
    print(json.dumps({"linearProbe": {"mAP": round(probe_map, 4), "l2": l2,
                                      "grid": {str(k): round(v, 4) for k, v in grid.items()}}}), flush=True)
    if args.probe_only:
        return

    words = content_words(captions, train, 1000)
    f_train, f_dev = features[[row[n] for n in train]], features[[row[n] for n in dev]]
    y_dev = labels(captions, dev, words)
    history, scores, model = train_concepts(f_train, labels(captions, train, words), f_dev, y_dev, args.epochs, args.threads)
    probe_cols = [words.index(w) for w in probe_words if w in words]
    first400 = [i for i, n in enumerate(dev) if n in set(probe_dev)]
    print(json.dumps({"concepts": {"words": len(words), "devMapAllWords": history[-1]["devMap"],
                                   "devMapProbeWordsProbeImages": round(mean_ap(scores[first400][:, probe_cols],
                                                                                  y_dev[first400][:, probe_cols]), 4),
                                   "history": history}}), flush=True)
    if args.save:
        torch.save({"state": model.state_dict(), "words": words}, args.save)


if __name__ == "__main__":
    main()
