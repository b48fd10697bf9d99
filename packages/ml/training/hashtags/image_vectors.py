"""Image vectors for the hashtag model: the mean over the 64 regions the runtime encoder returns.

The hashtagger averages the runtime encoder's regions. Caches of the runtime grid itself (e.g. the
CenterNet encoder's 8x8) are simply averaged. Old InceptionV3 caches hold the 17x17 mixed5 grid
that the runtime average-pools 3x3 stride 2 to 8x8; both steps are linear, so the vector is a
weighted sum of the cached grid, with weight = (windows covering the cell) / (9 * 64). Output: OUT/vectors.f32
(float32 [N, D], order of images.json "names") and OUT/vectors.json (names).

Usage: python3 image_vectors.py FEATURES_DIR OUT_DIR
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


def weights(h, w):
    ones = torch.ones(1, 1, h, w, requires_grad=True)
    F.avg_pool2d(ones, 3, 2).mean().backward()
    return ones.grad[0, 0].reshape(-1).numpy().astype(np.float64)


def main():
    torch.set_num_threads(1)
    feats_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    meta = json.loads((feats_dir / "images.json").read_text())
    names, h, w, d = meta["names"], meta["gridHeight"], meta["gridWidth"], meta["featureDim"]
    grid = np.memmap(feats_dir / "features.f32", dtype=np.float32, mode="r", shape=(len(names), h * w, d))
    wt = weights(h, w) if (h, w) == (17, 17) else np.full(h * w, 1.0 / (h * w))
    out.mkdir(parents=True, exist_ok=True)
    vecs = np.zeros((len(names), d), dtype=np.float32)
    for s in range(0, len(names), 256):
        block = np.asarray(grid[s:s + 256], dtype=np.float64)
        vecs[s:s + 256] = np.einsum("nld,l->nd", block, wt).astype(np.float32)
    vecs.tofile(out / "vectors.f32")
    (out / "vectors.json").write_text(json.dumps({"names": names, "dim": d}))
    print(f"{len(names)} vectors -> {out}")


if __name__ == "__main__":
    main()
