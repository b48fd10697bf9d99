"""Trains one caption decoder on cached encoder features (extract-features.cjs).

Checkpoints every epoch to RUN_DIR/last.pt and resumes from it; keeps the best
epoch by dev BLEU-4 (greedy, a quick Python BLEU used only for model selection;
the reported metrics come from `npm run eval:captions`, our TypeScript metrics).

With --pretrain-epochs N the decoder first learns the language alone on the English side of
Multi30k (Flickr30k descriptions, no image: zero features), with a vocabulary built from both
corpora; sentences that are (nearly) captions of dev images are left out (data.load_pretraining_text).

Usage: python3 train_captioner.py --arch att-lstm --features DIR --datasets DIR --run RUN_DIR [--epochs N] [--pretrain-epochs N]
"""
import argparse
import json
import math
import time
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F

from captioning import PAD, Decoder, build_vocab, caption_loss, greedy, words_of
from data import caption_rows, load_captions, load_features, load_pretraining_text, load_splits


def resume(run, model, opt):
    """Loads RUN/last.pt (written at the end of each epoch) into model and optimiser when it exists;
    returns the training state (epoch, best dev score, history)."""
    if not (run / "last.pt").exists():
        return {"epoch": 0, "best": -1.0, "history": []}
    ckpt = torch.load(run / "last.pt", weights_only=False)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["opt"])
    return ckpt["state"]


def stalled(history):
    """True when the dev score of the last two epochs is below the best before them."""
    return len(history) >= 3 and max(h["bleu4"] for h in history[-2:]) < max(h["bleu4"] for h in history[:-2])


def batch_tokens(caps):
    """Token id lists -> a [len(caps), longest] tensor padded with PAD."""
    T = max(len(c) for c in caps)
    tokens = torch.full((len(caps), T), PAD, dtype=torch.long)
    for j, cap in enumerate(caps):
        tokens[j, : len(cap)] = torch.tensor(cap)
    return tokens


def pretrain_language(model, run, sentences, dev_sentences, args, dim):
    """Teaches the decoder the captions' language before it sees images: the same network with an
    all-zero single region, so the attention context is zero and only the word path learns.
    Checkpoints to RUN/pretrain.pt each epoch and resumes from it."""
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    done = 0
    if (run / "pretrain.pt").exists():
        ckpt = torch.load(run / "pretrain.pt", weights_only=False)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        done = ckpt["epoch"]
    g = torch.Generator().manual_seed(args.seed + 1)
    batch = args.images_per_batch * 5  # as many sentences as a caption batch holds

    def loss_of(caps):
        # Plain cross-entropy (no label smoothing): the monitored loss is then the text's log-perplexity.
        tokens = batch_tokens(caps)
        logits, _ = model(torch.zeros(len(caps), 1, dim), tokens, 1)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tokens[:, 1:].reshape(-1), ignore_index=PAD)

    for epoch in range(done + 1, args.pretrain_epochs + 1):
        model.train()
        t0, total, count = time.time(), 0.0, 0
        order = torch.randperm(len(sentences), generator=g).tolist()
        for b in range(0, len(order), batch):
            caps = [sentences[i] for i in order[b:b + batch]]
            loss = loss_of(caps)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total, count = total + loss.item() * len(caps), count + len(caps)
        model.eval()
        with torch.no_grad():
            dev_loss = sum(loss_of(dev_sentences[b:b + batch]).item() * len(dev_sentences[b:b + batch])
                           for b in range(0, len(dev_sentences), batch)) / len(dev_sentences)
        print(json.dumps({"pretrain_epoch": epoch, "loss": total / count, "dev_captions_loss": dev_loss,
                          "seconds": time.time() - t0}), flush=True)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": epoch}, run / "pretrain.pt.tmp")
        (run / "pretrain.pt.tmp").replace(run / "pretrain.pt")


def quick_bleu4(hyps, refs):
    """Corpus BLEU-4 with closest-reference brevity penalty (model selection only)."""
    match, total = [0] * 4, [0] * 4
    hyp_len = ref_len = 0
    for hyp, rs in zip(hyps, refs):
        hyp_len += len(hyp)
        ref_len += min((abs(len(r) - len(hyp)), len(r)) for r in rs)[1]
        for n in range(1, 5):
            grams = Counter(tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1))
            best = Counter()
            for r in rs:
                for g, k in Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1)).items():
                    best[g] = max(best[g], k)
            match[n - 1] += sum(min(k, best[g]) for g, k in grams.items())
            total[n - 1] += max(len(hyp) - n + 1, 0)
    if min(match) == 0:
        return 0.0
    log_p = sum(math.log(m / t) for m, t in zip(match, total)) / 4
    bp = min(0.0, 1 - ref_len / max(hyp_len, 1))
    return math.exp(log_p + bp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="att-lstm", choices=["att-lstm", "lstm", "gru"])
    ap.add_argument("--features", required=True)
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--images-per-batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--resume-lr", type=float, default=None, help="override the checkpoint's learning rate")
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--max-len", type=int, default=22)
    ap.add_argument("--att-reg", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--concepts", help="a concept detector saved by concepts.py --save: its word probabilities join the initial state")
    ap.add_argument("--pretrain-epochs", type=int, default=0,
                    help="first learn the language on Multi30k's English side for N epochs (no images)")
    ap.add_argument("--halve-from", type=int, default=1, help="first epoch at which the learning rate may halve")
    ap.add_argument("--encoder", default="encoder-centernet-mobilenetv3", help="models/ folder the features came from (recorded for export)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)

    datasets = Path(args.datasets)
    features, row = load_features(Path(args.features))
    D = features.shape[2]
    split = load_splits(datasets)
    captions = load_captions(datasets)

    dev_captions = [c for n in split["dev"] for c in captions[n]]
    pretraining = []
    if args.pretrain_epochs and not (run / "last.pt").exists():  # resuming caption training needs no text
        pretraining, dropped = load_pretraining_text(datasets, dev_captions)
        if not pretraining:
            raise SystemExit("--pretrain-epochs: no Multi30k sentence left after leaving out the dev captions")
        print(f"pre-training text: {len(pretraining)} Multi30k sentences ({dropped} left out: captions of dev images)",
              flush=True)
    vocab_path = run / "vocab.json"
    if vocab_path.exists():
        vocab = json.loads(vocab_path.read_text())
    else:
        vocab = build_vocab([c for n in split["train"] for c in captions[n]] + pretraining, args.min_count)
        vocab_path.write_text(json.dumps(vocab))
    encode, train_images, train_caps, dev_rows, dev_refs = caption_rows(vocab, captions, split, row, args.max_len)

    concepts = torch.load(args.concepts, weights_only=False) if args.concepts else None
    model = Decoder(args.arch, len(vocab), feature_dim=D, concepts=len(concepts["words"]) if concepts else 0)
    if concepts:
        model.concept_head.load_state_dict(concepts["state"])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    state = resume(run, model, opt)
    if args.pretrain_epochs and not state["epoch"]:
        pretrain_language(model, run, [encode(t) for t in pretraining], [encode(c) for c in dev_captions], args, D)
        torch.manual_seed(args.seed)  # the caption phase starts alike whether pre-training ran now or was loaded
    if state["epoch"]:
        if args.resume_lr:
            for group in opt.param_groups:
                group["lr"] = args.resume_lr
        print(f"resumed after epoch {state['epoch']} (best dev score {state['best']:.4f})", flush=True)
    (run / "args.json").write_text(json.dumps(vars(args), indent=2))

    g = torch.Generator().manual_seed(args.seed)
    while state["epoch"] < args.epochs:
        epoch = state["epoch"] + 1
        # Halve the learning rate when dev BLEU has not improved for two epochs (not before --halve-from:
        # a pre-trained decoder peaks early on the noisy greedy score and would otherwise decay at once).
        hist = state["history"]
        if epoch >= args.halve_from and stalled(hist):
            for group in opt.param_groups:
                group["lr"] = max(group["lr"] * 0.5, 2e-5)
        model.train()
        order = torch.randperm(len(train_images), generator=g).tolist()
        t0, seen, loss_sum, tok_sum = time.time(), 0, 0.0, 0
        for b in range(0, len(order), args.images_per_batch):
            rows = [train_images[i] for i in order[b:b + args.images_per_batch]]
            caps = [cap for r in rows for cap in train_caps[r]]
            group = len(caps) // len(rows)  # five captions per Flickr8k image
            tokens = batch_tokens(caps)
            logits, alphas = model(features[rows].float(), tokens, group)
            loss, tokens_in_batch = caption_loss(logits, alphas, tokens, args.att_reg if args.arch == "att-lstm" else 0)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            loss_sum += loss.item() * tokens_in_batch
            tok_sum += tokens_in_batch
            seen += len(rows)
            if (b // args.images_per_batch) % 40 == 0:
                print(f"epoch {epoch} {seen}/{len(order)} loss {loss_sum / tok_sum:.3f} {seen / (time.time() - t0):.1f} img/s", flush=True)
        model.eval()
        hyps = []
        for b in range(0, len(dev_rows), 100):
            hyps += [words_of(seq, vocab) for seq in greedy(model, features[dev_rows[b:b + 100]].float()).tolist()]
        bleu4 = quick_bleu4(hyps, dev_refs)
        entry = {"epoch": epoch, "loss": loss_sum / tok_sum, "bleu4": bleu4, "seconds": time.time() - t0,
                 "lr": opt.param_groups[0]["lr"]}
        state["history"].append(entry)
        state["epoch"] = epoch
        print(json.dumps(entry), "sample:", " ".join(hyps[0]), "|", " ".join(hyps[1]), flush=True)
        if bleu4 > state["best"]:
            state["best"] = bleu4
            torch.save({"model": model.state_dict(), "arch": args.arch, "vocab": vocab, "epoch": epoch, "bleu4": bleu4,
                        "encoder": args.encoder, "featureDim": D, "concepts": len(concepts["words"]) if concepts else 0},
                       run / "best.pt")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state}, run / "last.pt.tmp")
        (run / "last.pt.tmp").replace(run / "last.pt")
    print(f"finished: best dev BLEU-4 (greedy, quick) {state['best']:.4f}", flush=True)


if __name__ == "__main__":
    main()
