"""Writes what a fine-tuned encoder computes on the training side for a few images: their cached
stem output through the tuned blocks in PyTorch (finetune_encoder.py's path, except that training
read the stem cache as fp16 and this reads it as fp32, as the runtime computes), pooled to the 8x8
grid, as OUT_DIR/<image>.f32. encoder.test.ts checks that the runtime (sharp preprocessing + the exported
encoder.onnx) gives the same features within 1e-4: the model serves exactly what was trained.

Usage (from packages/ml/training), as the committed fixtures were made:
  python3 -m encoder.training_fixtures .cache/package/models/centernet.json .cache/stem/features .cache/stem/encoder \
    runs/encoder-centernet-mobilenetv3/finetune-captioner-att-lstm/best-encoder.npz \
    ../src/__fixtures__/training-features/encoder-centernet-mobilenetv3-ft 101654506_8eb26cfb60.jpg 1022454332_6af2c1449a.jpg
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch

from encoder.centernet_torch import CenterNetPart, pool_regions, stem_to_nchw


def main():
    centernet, stem_cache, stem_encoder, tuned, out = sys.argv[1:6]
    images = sys.argv[6:]
    config = json.loads((Path(stem_encoder) / "config.json").read_text())
    head = CenterNetPart(centernet, start=config["stop"])
    head.load_tf_weights(dict(np.load(tuned)))
    meta = json.loads((Path(stem_cache) / "images.json").read_text())
    L, D = meta["gridHeight"] * meta["gridWidth"], meta["featureDim"]
    raw = np.memmap(Path(stem_cache) / "features.f32", dtype=np.float32, mode="r", shape=(len(meta["names"]), L, D))
    Path(out).mkdir(parents=True, exist_ok=True)
    for name in images:
        stem = torch.from_numpy(np.array(raw[meta["names"].index(name)]))[None]  # fp32, as cached
        with torch.no_grad():
            regions = pool_regions(head(stem_to_nchw(stem, config["gridHeight"], config["gridWidth"])))[0]
        (Path(out) / f"{name}.f32").write_bytes(regions.numpy().astype(np.float32).tobytes())
        print(f"{name}: {tuple(regions.shape)}")


if __name__ == "__main__":
    main()
