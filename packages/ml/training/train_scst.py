"""Self-critical sequence training (Rennie et al. 2017) of a trained caption decoder: fine-tunes it
to maximise CIDEr-D of its own sampled captions instead of the likelihood of the human ones.

Each image gets K sampled captions; the reward of one is its CIDEr-D against the image's five
references, its baseline the mean reward of the other K-1 samples (no greedy pass needed). The end
token counts as a word in the reward, so a caption that stops mid-phrase ("a dog runs in the") is
penalised. Starts from RUN/best.pt (cross-entropy training, train_captioner.py); writes
SCST_RUN/last.pt every epoch (resumes from it) and SCST_RUN/best.pt by dev CIDEr-D of greedy
captions (quick Python metric for selection; reported numbers come from `npm run eval:captions`).

Usage: python3 train_scst.py --from RUN --run SCST_RUN --features DIR --datasets DIR [--epochs 4]
Then:  python3 export_decoder.py SCST_RUN ../../../models/captioner-att-lstm
"""
import argparse
import json
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from captioning import BOS, EOS, PAD, UNK, Decoder, greedy, tokenize, words_of
from data import load_captions, load_features, load_splits
from train_captioner import quick_bleu4, resume


def ngrams(words, n=4):
    return Counter(tuple(words[i:i + k]) for k in range(1, n + 1) for i in range(len(words) - k + 1))


class CiderD:
    """CIDEr-D as coco-caption computes it (sigma 6, clipped counts, x10), document frequencies from
    the given reference sets."""

    def __init__(self, reference_sets):
        self.df = Counter()
        for refs in reference_sets:
            for g in set(g for r in refs for g in ngrams(r)):
                self.df[g] += 1
        self.log_n = math.log(float(len(reference_sets)))

    def vector(self, words):
        counts = ngrams(words)
        vec = [dict() for _ in range(4)]
        norm = [0.0] * 4
        for g, tf in counts.items():
            k = len(g) - 1
            v = tf * (self.log_n - math.log(max(1.0, self.df[g])))
            vec[k][g] = v
            norm[k] += v * v
        return vec, [math.sqrt(x) for x in norm], len(words)

    def score(self, hyp, refs):
        hv, hn, hl = self.vector(hyp)
        total = np.zeros(4)
        for ref in refs:
            rv, rn, rl = self.vector(ref)
            for k in range(4):
                dot = sum(min(v, rv[k][g]) * rv[k][g] for g, v in hv[k].items() if g in rv[k])
                if hn[k] and rn[k]:
                    total[k] += dot / (hn[k] * rn[k]) * math.exp(-((hl - rl) ** 2) / (2 * 36.0))
        return float(total.mean() / len(refs) * 10.0)


def sample(model, features, k, max_len, temperature=1.0):
    """K multinomial samples per image (from the distribution sharpened by `temperature`); returns
    tokens [I*K, T] and the summed log-probs [I*K] of the model's own distribution."""
    h, c, keys = model.init(features)
    h, c = h.repeat_interleave(k, 0), c.repeat_interleave(k, 0)
    token = torch.full((h.shape[0],), BOS, dtype=torch.long)
    done = torch.zeros(h.shape[0], dtype=torch.bool)
    seqs, logp = [], torch.zeros(h.shape[0])
    for _ in range(max_len):
        logits, h, c, _ = model.step(token, h, c, features, keys, k)
        lp = torch.log_softmax(logits.index_fill(1, torch.tensor([UNK]), -1e9), 1)
        token = torch.multinomial(torch.softmax(lp.detach() / temperature, 1), 1).squeeze(1)
        token = torch.where(done, torch.full_like(token, PAD), token)
        logp = logp + torch.where(done, torch.zeros_like(logp), lp.gather(1, token.unsqueeze(1)).squeeze(1))
        seqs.append(token)
        done = done | (token == EOS)  # not in place: autograd keeps the old mask
        if done.all():
            break
    return torch.stack(seqs, 1), logp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="start", required=True, help="cross-entropy run folder (its best.pt)")
    ap.add_argument("--run", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--images-per-batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-len", type=int, default=16)
    ap.add_argument("--temperature", type=float, default=1.0,
                    help="sample from softmax(logits / T); below 1 keeps samples near what beam search would say")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    run, datasets, feats = Path(args.run), Path(args.datasets), Path(args.features)
    run.mkdir(parents=True, exist_ok=True)

    start = torch.load(Path(args.start) / "best.pt", weights_only=False)
    vocab = start["vocab"]
    features, row = load_features(feats)
    captions = load_captions(datasets)
    split = load_splits(datasets)
    train_images = [row[n] for n in split["train"]]
    refs = {row[n]: [tokenize(c) + ["<end>"] for c in captions[n]] for n in split["train"] + split["dev"]}
    cider_train = CiderD([refs[r] for r in train_images])
    dev_rows = [row[n] for n in split["dev"]]
    cider_dev = CiderD([refs[r] for r in dev_rows])
    dev_refs_plain = [[r[:-1] for r in refs[i]] for i in dev_rows]

    model = Decoder(start["arch"], len(vocab), feature_dim=start["featureDim"], concepts=start.get("concepts", 0))
    model.load_state_dict(start["model"])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    state = resume(run, model, opt)
    if state["epoch"]:
        print(f"resumed after epoch {state['epoch']} (best dev CIDEr-D {state['best']:.4f})", flush=True)
    (run / "args.json").write_text(json.dumps(vars(args), indent=2))
    (run / "vocab.json").write_text(json.dumps(vocab))

    def evaluate():
        model.eval()
        hyps = []
        with torch.no_grad():
            for b in range(0, len(dev_rows), 100):
                hyps += [words_of(s, vocab) for s in greedy(model, features[dev_rows[b:b + 100]].float()).tolist()]
        cider = sum(cider_dev.score(h + ["<end>"], refs[i]) for h, i in zip(hyps, dev_rows)) / len(hyps)
        return cider, quick_bleu4(hyps, dev_refs_plain), hyps

    if state["epoch"] == 0:
        cider, bleu4, hyps = evaluate()
        print(json.dumps({"epoch": 0, "cider": cider, "bleu4": bleu4}), "sample:", " ".join(hyps[0]), flush=True)
    g = torch.Generator().manual_seed(args.seed)
    for _ in range(state["epoch"], args.epochs):
        epoch = state["epoch"] + 1
        g.manual_seed(args.seed + epoch)
        order = torch.randperm(len(train_images), generator=g).tolist()
        model.train()
        t0, seen, reward_sum = time.time(), 0, 0.0
        for b in range(0, len(order), args.images_per_batch):
            rows = [train_images[i] for i in order[b:b + args.images_per_batch]]
            seqs, logp = sample(model, features[rows].float(), args.samples, args.max_len, args.temperature)
            rewards = torch.tensor([cider_train.score(words_of(s, vocab) + ["<end>"], refs[rows[j // args.samples]])
                                    for j, s in enumerate(seqs.tolist())]).view(len(rows), args.samples)
            baseline = (rewards.sum(1, keepdim=True) - rewards) / (args.samples - 1)
            advantage = (rewards - baseline).view(-1)
            lengths = ((seqs != PAD).sum(1)).clamp(min=1).float()
            loss = -(advantage * logp / lengths).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            reward_sum += rewards.sum().item()
            seen += len(rows)
            if (b // args.images_per_batch) % 40 == 0:
                print(f"epoch {epoch} {seen}/{len(order)} mean sample CIDEr-D {reward_sum / (seen * args.samples):.3f} "
                      f"{seen / (time.time() - t0):.1f} img/s", flush=True)
        cider, bleu4, hyps = evaluate()
        entry = {"epoch": epoch, "cider": cider, "bleu4": bleu4, "reward": reward_sum / (seen * args.samples),
                 "seconds": time.time() - t0}
        state["history"].append(entry)
        state["epoch"] = epoch
        print(json.dumps(entry), "sample:", " ".join(hyps[0]), "|", " ".join(hyps[1]), flush=True)
        if cider > state["best"]:
            state["best"] = cider
            torch.save({**start, "model": model.state_dict(), "epoch": start["epoch"], "scstEpoch": epoch,
                        "devCider": cider, "bleu4": bleu4}, run / "best.pt")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state}, run / "last.pt.tmp")
        (run / "last.pt.tmp").replace(run / "last.pt")
    print(f"finished: best dev CIDEr-D (greedy, quick) {state['best']:.4f}", flush=True)


if __name__ == "__main__":
    main()
