"""Turns the dump of nsfwjs's ImageNet-frozen InceptionV3 layers (dump-nsfwjs-inception.cjs)
into models/encoder-inception-v3-mixed5/encoder.onnx.

The graph takes raw RGB bytes (uint8, NHWC, 299x299) so every caller preprocesses the
same way, normalises to [-1, 1] as Keras' InceptionV3 was trained, and returns the
`mixed5` grid (17x17x768) average-pooled with 3x3 windows, stride 2, to 8x8x768, as
[N, 64, 768] for the attention decoder: 64 regions keep attention readable and make
training on a 2-core CPU about 4x faster than the full 289.

Any later block works the same (`dump-nsfwjs-inception.cjs --until mixed7 --allow-fine-tuned`):
17x17 grids (mixed4-7) are pooled to 8x8, 8x8 grids (mixed8-10) are kept.

Usage: python3 export_encoder.py DUMP_DIR OUT_DIR [--fp16]
  --fp16  store weights as fp16 initialisers behind a Cast (half the size; computed in fp32)
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class KerasGraph(nn.Module):
    """Executes a Keras functional layer list (the subset InceptionV3 uses) in NCHW."""

    def __init__(self, layers, weights, blob):
        super().__init__()
        self.layers = layers
        self.params = nn.ParameterDict()

        def tensor(name):
            spec = weights[name]
            count = int(np.prod(spec["shape"]))
            arr = np.frombuffer(blob, dtype=np.float32, count=count, offset=spec["offset"])
            return torch.from_numpy(arr.reshape(spec["shape"]).copy())

        for layer in layers:
            name, cls = layer["name"], layer["class_name"]
            if cls == "Conv2D":
                kernel = tensor(f"{name}/kernel")  # HWIO -> OIHW
                self.params[name + "__w"] = nn.Parameter(kernel.permute(3, 2, 0, 1).contiguous(), requires_grad=False)
                if layer["config"]["use_bias"]:
                    self.params[name + "__b"] = nn.Parameter(tensor(f"{name}/bias"), requires_grad=False)
            elif cls == "BatchNormalization":
                cfg = layer["config"]
                if cfg["scale"]:
                    self.params[name + "__gamma"] = nn.Parameter(tensor(f"{name}/gamma"), requires_grad=False)
                self.params[name + "__beta"] = nn.Parameter(tensor(f"{name}/beta"), requires_grad=False)
                self.params[name + "__mean"] = nn.Parameter(tensor(f"{name}/moving_mean"), requires_grad=False)
                self.params[name + "__var"] = nn.Parameter(tensor(f"{name}/moving_variance"), requires_grad=False)

    def forward(self, x):
        values = {}
        for layer in self.layers:
            name, cls, cfg = layer["name"], layer["class_name"], layer["config"]
            inputs = [values[node[0]] for node in layer["inbound_nodes"][0]] if layer["inbound_nodes"] else [x]
            h = inputs[0]
            if cls == "InputLayer":
                out = x
            elif cls == "Conv2D":
                kh, kw = cfg["kernel_size"]
                pad = (kh // 2, kw // 2) if cfg["padding"] == "same" else (0, 0)
                out = F.conv2d(h, self.params[name + "__w"], self.params[name + "__b"] if cfg["use_bias"] else None,
                               stride=tuple(cfg["strides"]), padding=pad)
            elif cls == "BatchNormalization":
                gamma = self.params[name + "__gamma"] if cfg["scale"] else None
                out = F.batch_norm(h, self.params[name + "__mean"], self.params[name + "__var"], gamma,
                                   self.params[name + "__beta"], training=False, eps=cfg["epsilon"])
            elif cls == "Activation":
                assert cfg["activation"] == "relu", cfg["activation"]
                out = F.relu(h)
            elif cls == "MaxPooling2D":
                assert cfg["padding"] == "valid"
                out = F.max_pool2d(h, tuple(cfg["pool_size"]), tuple(cfg["strides"]))
            elif cls == "AveragePooling2D":
                assert cfg["padding"] == "same" and cfg["strides"] == [1, 1]
                ph, pw = (k // 2 for k in cfg["pool_size"])
                # Keras 'same' average pooling divides by the number of real (unpadded) inputs.
                out = F.avg_pool2d(h, tuple(cfg["pool_size"]), 1, padding=(ph, pw), count_include_pad=False)
            elif cls == "Concatenate":
                out = torch.cat(inputs, dim=1)
            else:
                raise ValueError(f"unsupported layer {cls}")
            values[name] = out
        return values[self.layers[-1]["name"]]


class Encoder(nn.Module):
    def __init__(self, graph):
        super().__init__()
        self.graph = graph

    def forward(self, pixels):
        x = pixels.to(torch.float32) / 127.5 - 1.0
        grid = self.graph(x.permute(0, 3, 1, 2))
        if grid.shape[-1] == 17:
            grid = pool_grid(grid)  # [N, D, 8, 8]
        return grid.flatten(2).transpose(1, 2)  # [N, 64, D], row-major grid


def pool_grid(grid):
    """[N, D, 17, 17] mixedN activations -> [N, 768, 8, 8]; train_captioner.py pools cached grids the same way."""
    return F.avg_pool2d(grid, 3, 2)


def main():
    dump, out = Path(sys.argv[1]), Path(sys.argv[2])
    fp16 = "--fp16" in sys.argv[3:]
    meta = json.loads((dump / "layers.json").read_text())
    blob = (dump / "weights.bin").read_bytes()
    encoder = Encoder(KerasGraph(meta["layers"], meta["weights"], blob)).eval()
    out.mkdir(parents=True, exist_ok=True)
    sample = torch.randint(0, 256, (1, 299, 299, 3), dtype=torch.uint8)
    with torch.no_grad():
        features = encoder(sample)
    assert features.shape[:2] == (1, 64), features.shape
    torch.onnx.export(encoder, (sample,), str(out / "encoder.onnx"), input_names=["pixels"], output_names=["features"],
                      dynamic_axes={"pixels": {0: "n"}, "features": {0: "n"}}, opset_version=17, dynamo=False)
    if fp16:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from export_decoder import to_fp16_initialisers
        to_fp16_initialisers(out / "encoder.onnx")
    config = {"gridHeight": 8, "gridWidth": 8, "featureDim": int(features.shape[2]), "layer": meta.get("output", "mixed5"),
              "fineTunedLayers": len(meta.get("fineTuned", [])), "weights": "fp16" if fp16 else "fp32"}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "preprocessor_config.json").write_text(json.dumps({"size": 299, "channels": 3, "resize": "fill"}, indent=2) + "\n")
    print(f"wrote {out / 'encoder.onnx'}")


if __name__ == "__main__":
    main()
