"""Smoke test of the caption training pipeline, end to end on a tiny synthetic dataset: the real
train_captioner.py (one epoch) and export_decoder.py CLIs, then the PyTorch log-probabilities of
the exported decoder on fixed features and tokens, for the TypeScript runtime to compare
(src/training-smoke.test.ts runs this when python3 has requirements.txt, and checks them).

Usage: python3 smoke_test.py OUT_DIR   (writes OUT_DIR/model/, OUT_DIR/features.f32, OUT_DIR/reference.json)
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from captioning import BOS, Decoder, ExportedInit, ExportedStep

GRID, DIM = 8, 480
SUBJECTS = ["a dog", "a man", "two children", "a girl", "a woman", "a black dog"]
ACTIONS = ["runs on the grass", "sits on a bench", "plays in the water", "climbs a rock", "rides a bike"]


def main():
    out = Path(sys.argv[1])
    here = Path(__file__).resolve().parent
    datasets, cache, run, model = out / "datasets", out / "features", out / "run", out / "model"
    flickr = datasets / "flickr8k"
    (flickr / "splits").mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    names = [f"img{i:02d}.jpg" for i in range(16)]
    lines = [f"{n}\t{k}\t{SUBJECTS[(i + k) % len(SUBJECTS)]} {ACTIONS[(i * 2 + k) % len(ACTIONS)]} ."
             for i, n in enumerate(names) for k in range(5)]
    lines[12 * 5] = "img12.jpg\t0\tA heron wades through a shallow pond ."  # words no training caption has
    (flickr / "captions.tsv").write_text("\n".join(lines) + "\n")
    (flickr / "splits" / "train.txt").write_text("\n".join(names[:12]) + "\n")
    (flickr / "splits" / "dev.txt").write_text("\n".join(names[12:]) + "\n")
    # Language pre-training text: a new word ("zebra") must reach the vocabulary; a copy and a near
    # copy (Jaccard 5/7) of a dev caption must be left out, so "heron" and "quokka" must not.
    (datasets / "multi30k").mkdir(parents=True, exist_ok=True)
    (datasets / "multi30k" / "train.en").write_text(
        "Two zebras and a zebra graze beside a fence.\nA heron wades through a shallow pond!\n"
        "A heron wades through a pond, quokka.\n")
    (cache / "images.json").write_text(json.dumps({"names": names, "gridHeight": GRID, "gridWidth": GRID,
                                                    "featureDim": DIM, "dtype": "float32"}))
    rng.random((len(names), GRID * GRID, DIM), dtype=np.float32).tofile(cache / "features.f32")

    py = sys.executable
    subprocess.run([py, "train_captioner.py", "--features", str(cache), "--datasets", str(datasets), "--run", str(run),
                    "--epochs", "1", "--pretrain-epochs", "1", "--images-per-batch", "4", "--min-count", "1", "--threads", "1"],
                   cwd=here, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([py, "export_decoder.py", str(run), str(model)], cwd=here, check=True, stdout=subprocess.DEVNULL)

    # The reference: the trained decoder with its large weights rounded to fp16, as the export stores them.
    ckpt = torch.load(run / "best.pt", weights_only=False)
    vocab = set(ckpt["vocab"])
    assert "zebra" in vocab and not vocab & {"heron", "quokka"}, "pre-training text: vocabulary or dev filter is wrong"
    decoder = Decoder(ckpt["arch"], len(ckpt["vocab"]), feature_dim=DIM)
    decoder.load_state_dict(ckpt["model"])
    decoder.eval()
    with torch.no_grad():
        for p in decoder.parameters():
            if p.numel() >= 1024:
                p.copy_(p.half().float())
        features = torch.from_numpy(rng.random((2, GRID * GRID, DIM), dtype=np.float32))
        features.numpy().tofile(out / "features.f32")
        h, c, keys = ExportedInit(decoder)(features)
        tokens = [BOS, ckpt["vocab"].index("dog"), ckpt["vocab"].index("runs")]
        logprobs = []
        for t in tokens:
            lp, h, c, _ = ExportedStep(decoder)(torch.tensor([t, t]), h, c, features, keys)
            logprobs.append(lp.tolist())
    (out / "reference.json").write_text(json.dumps({"tokens": tokens, "logprobs": logprobs}))


if __name__ == "__main__":
    main()
