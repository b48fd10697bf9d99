"""Adversarially trained hashtag generator for Pixtale (Flickr8k).

Inputs per example: the image vector (mean of the runtime encoder's 64 regions, image_vectors.py)
and a bag of words of a caption. Output: a score per hashtag in a fixed vocabulary.

Reference sets (build-references.cjs gives lemmatised nouns/verbs per caption): a concept is in an
image's set when >= 2 of its captions mention it. Because the runtime feeds the *generated*
caption, which is not one of the references, training pairs caption i with the set built from
the other four captions (leave-one-out, >= 2 of 4), so the model cannot just echo its input.

Losses: generator = BCE(scores, reference set) + adv * non-saturating GAN loss, where the fake
set is drawn from the generator with k straight-through Gumbel-softmax draws without replacement
(k = size of the real set, so set size gives the discriminator nothing); the discriminator sees
(image vector, set) and tells reference sets from generated ones. --adv 0 is the supervised-only
ablation. 500 train images are held out for model selection; dev is only reported.

Usage: nice -n 19 python3 train_hashtags.py --runs runs --datasets /work/shared/datasets --out runs/gan --adv 0.1
Resumable: OUT/last.pt each epoch; OUT/best.pt by held-out recall@5.
"""
import argparse
import collections
import json
import random
import re
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MIN_IMAGES_PER_TAG = 4
MIN_WORD_COUNT = 3
TUNE_IMAGES = 500
# Never a hashtag: the list the app reads too (models/hashtags-gan/config.json "blocklist").
BLOCKLIST_FILE = Path(__file__).resolve().parents[4] / "models" / "hashtags-gan" / "config.json"
BLOCK = set(json.loads(BLOCKLIST_FILE.read_text())["blocklist"])


def words(text):
    return re.findall(r"[a-z]+", text.lower())


def ref_set(concept_lists, min_votes=2):
    votes = collections.Counter(c for cs in concept_lists for c in set(cs))
    return {c for c, v in votes.items() if v >= min_votes}


class Generator(nn.Module):
    def __init__(self, img_dim, n_words, n_tags, hidden=512, dropout=0.3):
        super().__init__()
        self.img_norm = nn.LayerNorm(img_dim)
        self.img = nn.Linear(img_dim, hidden // 2)
        self.bow = nn.Linear(n_words, hidden // 2)
        self.mlp = nn.Sequential(nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, n_tags))

    def forward(self, img, bow):
        return self.mlp(torch.cat([self.img(self.img_norm(img)), self.bow(bow)], dim=-1))


class Discriminator(nn.Module):
    def __init__(self, img_dim, n_tags, hidden=256):
        super().__init__()
        self.img_norm = nn.LayerNorm(img_dim)
        self.img = nn.Linear(img_dim, hidden)
        self.set = nn.Linear(n_tags, hidden)
        self.mlp = nn.Sequential(nn.LeakyReLU(0.2), nn.Linear(2 * hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, img, tags):
        return self.mlp(torch.cat([self.img(self.img_norm(img)), self.set(tags)], dim=-1)).squeeze(-1)


class ExportGenerator(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, image, words):
        return torch.sigmoid(self.g(image, words))


def gumbel_set(logits, k, kmax, tau):
    """k[b] straight-through Gumbel-softmax draws without replacement -> relaxed multi-hot [B, K]."""
    out = torch.zeros_like(logits)
    taken = torch.zeros_like(logits)
    for j in range(kmax):
        y = F.gumbel_softmax(logits - 1e4 * taken, tau=tau, hard=True)
        active = (j < k).float()[:, None]
        out = out + y * active
        taken = taken + y.detach() * active
    return out


def metrics(scores, refs, k=5):
    top = torch.topk(scores, k, dim=-1).indices
    p = r = n = 0.0
    distinct = set()
    for row, ref in zip(top.tolist(), refs):
        distinct.update(row)
        if not ref:
            continue
        hits = len(set(row) & ref)
        p, r, n = p + hits / k, r + hits / len(ref), n + 1
    return {"p@5": p / n, "r@5": r / n, "distinct": len(distinct), "images": int(n)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", default="runs", help="folder with concepts.json and vectors.f32/json")
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--adv", type=float, default=0.1, help="weight of the adversarial loss (0: supervised only)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--tau", type=float, default=0.5)
    ap.add_argument("--image-dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    runs, out = Path(args.runs), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    concepts = json.loads((runs / "concepts.json").read_text())
    vmeta = json.loads((runs / "vectors.json").read_text())
    vecs = np.fromfile(runs / "vectors.f32", dtype=np.float32).reshape(len(vmeta["names"]), vmeta["dim"])
    row = {n: i for i, n in enumerate(vmeta["names"])}
    split_dir = Path(args.datasets) / "flickr8k" / "splits"
    train_imgs = [l.strip() for l in open(split_dir / "train.txt") if l.strip()]
    dev_imgs = [l.strip() for l in open(split_dir / "dev.txt") if l.strip()]
    rng = random.Random(0)
    shuffled = train_imgs[:]
    rng.shuffle(shuffled)
    tune_imgs, fit_imgs = shuffled[:TUNE_IMAGES], shuffled[TUNE_IMAGES:]

    tag_images = collections.Counter()
    word_count = collections.Counter()
    for im in fit_imgs:
        tag_images.update(ref_set([c["concepts"] for c in concepts[im]]))
        for c in concepts[im]:
            word_count.update(words(c["caption"]))
    tags = sorted(t for t, n in tag_images.items() if n >= MIN_IMAGES_PER_TAG and t not in BLOCK)
    vocab = sorted(w for w, n in word_count.items() if n >= MIN_WORD_COUNT)
    tag_ix, word_ix = {t: i for i, t in enumerate(tags)}, {w: i for i, w in enumerate(vocab)}
    print(f"{len(tags)} hashtags, {len(vocab)} words, fit {len(fit_imgs)} tune {len(tune_imgs)} dev {len(dev_imgs)}", flush=True)

    def bow(caption):
        v = torch.zeros(len(vocab))
        for w in words(caption):
            if w in word_ix:
                v[word_ix[w]] = 1.0
        return v

    def examples(imgs, loo):
        X, B, Y, R = [], [], [], []
        for im in imgs:
            caps = concepts[im]
            for i, c in enumerate(caps):
                others = [o["concepts"] for j, o in enumerate(caps) if j != i]
                ref = {tag_ix[t] for t in (ref_set(others) if loo else ref_set([o["concepts"] for o in caps])) if t in tag_ix}
                y = torch.zeros(len(tags))
                y[list(ref)] = 1.0
                X.append(torch.from_numpy(vecs[row[im]]))
                B.append(bow(c["caption"]))
                Y.append(y)
                R.append(ref)
        return torch.stack(X), torch.stack(B), torch.stack(Y), R

    Xf, Bf, Yf, _ = examples(fit_imgs, loo=True)

    def eval_first_caption(imgs, loo):
        # caption 0 stands in for the generated caption (the captioner is not exported yet)
        X, B, R = [], [], []
        for im in imgs:
            caps = concepts[im]
            src = [o["concepts"] for o in caps[1:]] if loo else [o["concepts"] for o in caps]
            R.append({tag_ix[t] for t in ref_set(src) if t in tag_ix})
            X.append(torch.from_numpy(vecs[row[im]]))
            B.append(bow(caps[0]["caption"]))
        return torch.stack(X), torch.stack(B), R

    tune = eval_first_caption(tune_imgs, loo=True)
    G = Generator(vecs.shape[1], len(vocab), len(tags))
    D = Discriminator(vecs.shape[1], len(tags))
    opt_g = torch.optim.Adam(G.parameters(), lr=args.lr)
    opt_d = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
    epoch, best, history = 0, -1.0, []
    if (out / "last.pt").exists():
        ck = torch.load(out / "last.pt", weights_only=False)
        G.load_state_dict(ck["G"]), D.load_state_dict(ck["D"]), opt_g.load_state_dict(ck["opt_g"]), opt_d.load_state_dict(ck["opt_d"])
        epoch, best, history = ck["epoch"], ck["best"], ck["history"]
        print(f"resumed after epoch {epoch}", flush=True)

    def score(model, data):
        model.eval()
        with torch.no_grad():
            s = torch.sigmoid(model(data[0], data[1]))
        model.train()
        return s

    meta = {"tags": tags, "words": vocab, "args": vars(args)}
    n = Xf.shape[0]
    while epoch < args.epochs:
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed * 1000 + epoch))
        sums = collections.Counter()
        for s in range(0, n, args.batch):
            idx = perm[s:s + args.batch]
            x, b, y = Xf[idx], Bf[idx], Yf[idx]
            drop = (torch.rand(x.shape[0], 1) < args.image_dropout).float()
            x = x * (1 - drop)
            logits = G(x, b)
            sup = F.binary_cross_entropy_with_logits(logits, y, reduction="sum") / x.shape[0]
            loss = sup
            if args.adv > 0:
                k = y.sum(-1).clamp(1, 10).long()
                fake = gumbel_set(logits, k, int(k.max()), args.tau)
                real = y.clone()
                # discriminator step: reference sets (capped to 10 tags like the generator) vs generated ones
                d_real, d_fake = D(x, real), D(x, fake.detach())
                d_loss = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
                    F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
                opt_d.zero_grad()
                d_loss.backward()
                opt_d.step()
                g_adv = F.binary_cross_entropy_with_logits(D(x, fake), torch.ones_like(d_fake))
                loss = sup + args.adv * g_adv
                sums["d"] += d_loss.item()
                sums["adv"] += g_adv.item()
            opt_g.zero_grad()
            loss.backward()
            opt_g.step()
            sums["sup"] += sup.item()
            sums["steps"] += 1
        epoch += 1
        m = metrics(score(G, tune), tune[2])
        history.append({"epoch": epoch, **{k: round(v / sums["steps"], 4) for k, v in sums.items() if k != "steps"}, **m})
        print(json.dumps(history[-1]), flush=True)
        if m["r@5"] > best:
            best = m["r@5"]
            torch.save({"G": G.state_dict(), "epoch": epoch, "tune": m, **meta}, out / "best.pt")
        torch.save({"G": G.state_dict(), "D": D.state_dict(), "opt_g": opt_g.state_dict(), "opt_d": opt_d.state_dict(),
                    "epoch": epoch, "best": best, "history": history, **meta}, out / "last.pt")

    ck = torch.load(out / "best.pt", weights_only=False)
    G.load_state_dict(ck["G"])
    report = {"bestEpoch": ck["epoch"], "tune": ck["tune"]}
    for name, loo in (("devLeaveOneOut", True), ("devAllFive", False)):
        dev = eval_first_caption(dev_imgs, loo)
        report[name] = metrics(score(G, dev), dev[2])
    (out / "report.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
