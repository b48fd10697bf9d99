"""Averages the weights of the newest snapshots of a run (RUN/snapshots/step-*.pt, written by
train_translation.py --snapshot-every N) into RUN/avg.pt, and reports its validation loss next to
RUN/best.pt's. Averaging the last checkpoints of a run smooths the optimiser's noise; it is the usual
last step of transformer training (Vaswani et al. 2017 averaged the last 5 or 20).

With --with CKPT (repeatable), that average and each CKPT (same shape) are averaged again with equal
weights: a "model soup" (Wortsman et al. 2022), e.g. of the shipped weights (init_from_onnx.py) and a
run restarted from them, one model at the cost of one.

Usage: python3 average_checkpoints.py RUN_DIR [--last K] [--with CKPT ...] [--datasets DIR]
Then: python3 export_translation.py RUN_DIR OUT_DIR --checkpoint avg
"""
import argparse
import json
import math
from pathlib import Path

import torch

import bpe
from model import Translator
from train_translation import build_pairs, validate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--last", type=int, default=10)
    ap.add_argument("--with", dest="soup", action="append", default=[], type=Path,
                    help="a checkpoint of the same shape to average with the snapshots' average (a soup)")
    ap.add_argument("--datasets", default=None, help="Multi30k parent folder; when given, report validation loss")
    args = ap.parse_args()
    run = Path(args.run)
    snaps = sorted((run / "snapshots").glob("step-*.pt"))[-args.last:]
    if not snaps:
        raise SystemExit(f"no snapshots in {run / 'snapshots'}")
    total, newest = None, None
    for path in snaps:
        ck = torch.load(path, weights_only=False)
        weights = {k: v.double() for k, v in ck["model"].items()}
        total = weights if total is None else {k: total[k] + weights[k] for k in total}
        newest = ck
    total = {k: v / len(snaps) for k, v in total.items()}
    for path in args.soup:
        weights = torch.load(path, weights_only=False)["model"]
        total = {k: total[k] + weights[k].double() for k in total}
    avg = {k: (v / (1 + len(args.soup))).to(newest["model"][k].dtype) for k, v in total.items()}
    model = Translator(**newest["config"])
    model.load_state_dict(avg)
    val_loss = None
    if args.datasets:
        tok = bpe.BPE(json.loads((run / "bpe.json").read_text(encoding="utf-8")))
        val = build_pairs(tok, Path(args.datasets) / "multi30k", "val")
        val_loss = validate(model, val, 2000)
        what = f"average of {len(snaps)}" + "".join(f" with {p}" for p in args.soup)
        msg = f"val loss: {what} {val_loss:.4f} (ppl {math.exp(val_loss):.2f})"
        if (run / "best.pt").exists():  # a run resumed from another's checkpoint may never beat its best
            best = torch.load(run / "best.pt", weights_only=False)
            msg += f"; best.pt {best['val_loss']:.4f} (step {best['step']})"
        print(msg)
    torch.save({"model": avg, "config": newest["config"], "step": newest["step"], "epoch": newest["epoch"],
                "pos": newest["pos"], "val_loss": val_loss, "averaged": [p.name for p in snaps],
                "soup": [str(p) for p in args.soup]}, run / "avg.pt")
    print(f"averaged {snaps[0].name} .. {snaps[-1].name}{''.join(f' with {p}' for p in args.soup)} -> {run / 'avg.pt'}")


if __name__ == "__main__":
    main()
