"""Train the multilingual caption translator (en -> de, fr, cs) on Multi30k.

Resumable: RUN/last.pt is written every --save-minutes and at each epoch end (model, optimiser,
step, epoch, position in the epoch); re-running the same command continues from it. RUN/best.pt
keeps the lowest validation loss (val.* of Multi30k, never test_2016_flickr). With --snapshot-every N
the weights alone are also kept every N steps in RUN/snapshots/ (the newest --keep-snapshots), for
average_checkpoints.py.

Usage (CPU is shared; keep it niced on one thread):
  nice -n 19 python3 train_translation.py --datasets /work/shared/datasets --run runs/multi \
      --epochs 40 --threads 1
"""
import argparse
import json
import math
import os
import random
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import augment
import bpe
from bpe import BOS, EOS, LANGS, PAD, SPECIALS, UNK
from model import Translator

MAX_TOKENS = 100


def read(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def encode_pair(tok, lang, en, tgt, dropout=0.0, rng=None, word_dropout=0.0):
    """Source ids (language token first) and target ids. dropout: BPE-dropout on both sides;
    word_dropout: each source word becomes one <unk> with that probability (training only)."""
    if word_dropout:
        src = [i for w in en.split() for i in ([UNK] if rng.random() < word_dropout else tok.encode(w, dropout, rng))]
    else:
        src = tok.encode(en, dropout, rng)
    lang_id = SPECIALS.index(f"<2{lang}>")
    return [lang_id] + src[: MAX_TOKENS - 2] + [EOS], [BOS] + tok.encode(tgt, dropout, rng)[: MAX_TOKENS - 2] + [EOS]


def build_texts(data, split, copy_augment_seed=None):
    """(lang, en, tgt) of every target language; with copy_augment_seed, plus augment.py's altered copies."""
    src_en = read(data / f"{split}.en")
    texts = []
    for lang in LANGS:
        tgt = read(data / f"{split}.{lang}")
        texts += [(lang, e, t) for e, t in zip(src_en, tgt)]
        if copy_augment_seed is not None:
            texts += [(lang, e, t) for e, t in augment.copy_augmented(src_en, tgt, lang, copy_augment_seed)]
    return texts


def build_pairs(tok, data, split, copy_augment_seed=None):
    return encode_all(tok, build_texts(data, split, copy_augment_seed))


def encode_all(tok, texts):
    return [encode_pair(tok, *t) for t in texts]


def regularised(tok, texts, pairs, idx, bpe_dropout, word_dropout, rng):
    """The batch's pairs as training sees them: segmented anew with BPE-dropout and/or with source
    words dropped (encode_pair); without either, the fixed segmentation."""
    if not bpe_dropout and not word_dropout:
        return [pairs[i] for i in idx]
    return [encode_pair(tok, *texts[i], bpe_dropout, rng, word_dropout) for i in idx]


def batches(pairs, max_tokens, seed):
    rng = random.Random(seed)
    order = sorted(range(len(pairs)), key=lambda i: (len(pairs[i][0]) + len(pairs[i][1]), rng.random()))
    out, cur, longest = [], [], 0
    for i in order:
        ln = max(len(pairs[i][0]), len(pairs[i][1]))
        if cur and max(longest, ln) * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, ln)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def collate(batch):
    s_len = max(len(s) for s, _ in batch)
    t_len = max(len(t) for _, t in batch)
    src = torch.full((len(batch), s_len), PAD, dtype=torch.long)
    tgt = torch.full((len(batch), t_len), PAD, dtype=torch.long)
    for r, (s, t) in enumerate(batch):
        src[r, : len(s)] = torch.tensor(s)
        tgt[r, : len(t)] = torch.tensor(t)
    return src, tgt


def loss_fn(model, src, tgt, smoothing):
    logits = model(src, tgt[:, :-1])
    gold = tgt[:, 1:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), gold.reshape(-1), ignore_index=PAD,
                           label_smoothing=smoothing, reduction="sum"), (gold != PAD).sum().item()


@torch.no_grad()
def validate(model, pairs, max_tokens):
    model.eval()
    tot, n = 0.0, 0
    for idx in batches(pairs, max_tokens, 0):
        src, tgt = collate([pairs[i] for i in idx])
        l, k = loss_fn(model, src, tgt, 0.0)
        tot, n = tot + l.item(), n + k
    model.train()
    return tot / n


def learning_rate(args, step, cpu_minutes=0.0):
    """Warm-up then inverse square root (Vaswani et al.); optionally a linear cool-down to zero, which
    settles the weights once validation loss has flattened (it only depends on the arguments, so a
    resumed run follows the same schedule). With a CPU budget the cool-down is the budget's last
    fifth instead, so models of different sizes compared at equal training time each get a whole
    schedule."""
    def inverse_sqrt(s):
        return args.lr * min((s + 1) / args.warmup, math.sqrt(args.warmup / (s + 1)))
    if args.cpu_budget_minutes:
        return inverse_sqrt(step) * min(1.0, max(0.0, args.cpu_budget_minutes - cpu_minutes) / (0.2 * args.cpu_budget_minutes))
    if args.cooldown_from and step >= args.cooldown_from:
        return inverse_sqrt(args.cooldown_from) * max(0.0, 1 - (step - args.cooldown_from) / args.cooldown_steps)
    return inverse_sqrt(step)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--merges", type=int, default=6000)
    ap.add_argument("--d", type=int, default=192)
    ap.add_argument("--ff", type=int, default=768)
    ap.add_argument("--enc-layers", type=int, default=3)
    ap.add_argument("--dec-layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--max-tokens", type=int, default=2000)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--save-minutes", type=float, default=10)
    ap.add_argument("--val-every", type=int, default=500)
    ap.add_argument("--cooldown-from", type=int, default=0,
                    help="from this step the learning rate falls linearly to zero over --cooldown-steps (0: never)")
    ap.add_argument("--cooldown-steps", type=int, default=3000)
    ap.add_argument("--snapshot-every", type=int, default=0, help="keep the weights every N steps (0: never)")
    ap.add_argument("--keep-snapshots", type=int, default=20)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--cpu-budget-minutes", type=float, default=0,
                    help="stop after this much process CPU time (all threads, summed over resumes), the last "
                         "fifth a linear cool-down; the depth/width sweep's equal training time (0: no budget)")
    ap.add_argument("--copy-augment", action="store_true",
                    help="add augment.py's copies of the training pairs with names and numbers carried over")
    ap.add_argument("--bpe-dropout", type=float, default=0.0,
                    help="BPE-dropout probability on both sides, training batches only (0.1 in Provilkov et al.)")
    ap.add_argument("--word-dropout", type=float, default=0.0,
                    help="probability that a source word becomes <unk>, training batches only")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    data = Path(args.datasets) / "multi30k"

    bpe_path = run / "bpe.json"
    if not bpe_path.exists():
        t0 = time.time()
        lines = [l for f in ["en"] + LANGS for l in read(data / f"train.{f}")]
        bpe.save(bpe.learn(lines, args.merges), bpe_path)
        print(f"learnt BPE in {time.time() - t0:.0f}s", flush=True)
    tok = bpe.BPE(json.loads(bpe_path.read_text(encoding="utf-8")))
    train_texts = build_texts(data, "train", 1 if args.copy_augment else None)
    train = encode_all(tok, train_texts)
    val = build_pairs(tok, data, "val")
    print(f"vocab {len(tok.vocab)}, train pairs {len(train)}, val pairs {len(val)}", flush=True)

    model = Translator(len(tok.vocab), d=args.d, heads=args.heads, ff=args.ff, enc_layers=args.enc_layers,
                       dec_layers=args.dec_layers, dropout=args.dropout)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
    step, epoch, pos, best, cpu_before = 0, 0, 0, float("inf"), 0.0
    if (run / "last.pt").exists():
        ck = torch.load(run / "last.pt", weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, epoch, pos, best = ck["step"], ck["epoch"], ck["pos"], ck["best"]
        cpu_before = ck.get("cpu_minutes", 0.0)
        print(f"resumed at step {step}, epoch {epoch}, batch {pos}, best val {best:.4f}", flush=True)
    (run / "args.json").write_text(json.dumps(vars(args), indent=2))
    nparams = sum(p.numel() for p in model.parameters())
    print(f"params {nparams / 1e6:.2f}M", flush=True)
    cpu_start = time.process_time()

    def cpu_minutes():
        # validation counts too: it is part of what a run costs, the same share for every size
        return cpu_before + (time.process_time() - cpu_start) / 60

    def save(name, val_loss=None):
        ck = {"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "epoch": epoch, "pos": pos,
              "best": best, "config": model.config, "val_loss": val_loss, "cpu_minutes": cpu_minutes()}
        tmp = run / f"{name}.tmp"
        torch.save(ck, tmp)
        os.replace(tmp, run / f"{name}.pt")

    def snapshot():
        snaps = run / "snapshots"
        snaps.mkdir(exist_ok=True)
        tmp = snaps / "tmp"
        torch.save({"model": model.state_dict(), "step": step, "epoch": epoch, "pos": pos, "config": model.config}, tmp)
        os.replace(tmp, snaps / f"step-{step:07d}.pt")
        for old in sorted(snaps.glob("step-*.pt"))[:-args.keep_snapshots]:
            old.unlink()

    def check_val():
        nonlocal best
        v = validate(model, val, args.max_tokens)
        msg = f"step {step} epoch {epoch} val loss {v:.4f} ppl {math.exp(v):.2f} cpu {cpu_minutes():.1f} min"
        if v < best:
            best = v
            save("best", v)
            msg += " (best)"
        print(msg, flush=True)

    last_save = time.time()
    model.train()
    while epoch < args.epochs:
        plan = batches(train, args.max_tokens, 1000 + epoch)
        t0, tok_sum, loss_sum = time.time(), 0, 0.0
        while pos < len(plan):
            rng = random.Random(f"{epoch}-{pos}")  # the same draws when a run resumes mid-epoch
            src, tgt = collate(regularised(tok, train_texts, train, plan[pos], args.bpe_dropout, args.word_dropout, rng))
            lr = learning_rate(args, step, cpu_minutes())
            for g in opt.param_groups:
                g["lr"] = lr
            loss, ntok = loss_fn(model, src, tgt, 0.1)
            opt.zero_grad(set_to_none=True)
            (loss / ntok).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step, pos = step + 1, pos + 1
            tok_sum, loss_sum = tok_sum + ntok, loss_sum + loss.item()
            if step % 50 == 0:
                print(f"step {step} epoch {epoch} batch {pos}/{len(plan)} loss {loss_sum / tok_sum:.3f} "
                      f"lr {lr:.2e} {tok_sum / (time.time() - t0):.0f} tok/s", flush=True)
            if step % args.val_every == 0:
                check_val()
            if args.snapshot_every and step % args.snapshot_every == 0:
                snapshot()
            if time.time() - last_save > args.save_minutes * 60:
                save("last")
                last_save = time.time()
            if (args.max_steps and step >= args.max_steps) or (args.cpu_budget_minutes and cpu_minutes() >= args.cpu_budget_minutes):
                check_val()
                save("last")
                print("done", flush=True)
                return
        epoch, pos = epoch + 1, 0
        check_val()
        save("last")
        last_save = time.time()
    print("done", flush=True)


if __name__ == "__main__":
    main()
