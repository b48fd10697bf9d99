"""Comparison encoder for the caption study: MobileNet v1 (width 0.75, 224x224, ImageNet) rebuilt in
PyTorch from the TF.js layers model in ../shared/pretrained/mobilenet_v1_0.75_224/ (Keras 2.1.4,
float32 weights) up to its last depthwise-separable block (`conv_pw_13_relu`, 7x7x768), exported
with the same contract as models/encoder-inception-v3-mixed5: uint8 NHWC pixels in, the graph
normalises to [-1, 1] (Keras' mobilenet.preprocess_input), features [N, 49, 768] row-major out.

Experiments only: these weights are not ours and must never ship, so the default output folder is
packages/ml/training/runs/encoders/encoder-mobilenet-v1-0.75/, never models/.
Check against TF.js with encoder/verify-mobilenet.cjs.

Usage (from packages/ml/training):
  python3 encoder/export_mobilenet.py [TFJS_MODEL_DIR] [OUT_DIR]
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = Path(__file__).resolve().parent
DEFAULT_MODEL = HERE.parents[4] / "shared" / "pretrained" / "mobilenet_v1_0.75_224"
DEFAULT_OUT = HERE.parent / "runs" / "encoders" / "encoder-mobilenet-v1-0.75"
LAST_LAYER = "conv_pw_13_relu"
SIZE = 224


def load_tfjs_weights(model_dir):
    """name -> float32 array, reading the weightsManifest shards in order (float32 only, as this model is)."""
    manifest = json.loads((model_dir / "model.json").read_text())
    weights = {}
    for group in manifest["weightsManifest"]:
        blob = b"".join((model_dir / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if spec["dtype"] != "float32" or "quantization" in spec:
                raise ValueError(f"unsupported weight encoding for {spec['name']}")
            count = int(np.prod(spec["shape"]))
            weights[spec["name"]] = np.frombuffer(blob, np.float32, count, offset).reshape(spec["shape"]).copy()
            offset += count * 4
        if offset != len(blob):
            raise ValueError(f"weights size mismatch in {group['paths']}: read {offset} of {len(blob)}")
    return manifest["modelTopology"]["model_config"]["config"]["layers"], weights


def same_pad(size, kernel, stride):
    """TensorFlow 'same' padding: the odd pixel goes after (bottom/right), unlike PyTorch's symmetric padding."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


class MobileNetV1(nn.Module):
    """The Keras layer chain up to LAST_LAYER, executed in NCHW. Every layer here has a single input
    (MobileNet v1 is a plain chain), which __init__ checks."""

    def __init__(self, layers, weights, last=LAST_LAYER):
        super().__init__()
        end = next(i for i, l in enumerate(layers) if l["config"]["name"] == last)
        self.layers = [l for l in layers[: end + 1] if l["class_name"] != "InputLayer"]
        prev = layers[0]["config"]["name"]
        self.params = nn.ParameterDict()

        def param(key, arr):
            self.params[key] = nn.Parameter(torch.from_numpy(np.ascontiguousarray(arr)), requires_grad=False)

        for layer in self.layers:
            cls, cfg = layer["class_name"], layer["config"]
            name = cfg["name"]
            inbound = [n[0] for n in layer["inbound_nodes"][0]]
            assert inbound == [prev], (name, inbound, prev)
            prev = name
            if cls == "Conv2D":
                assert not cfg["use_bias"] and cfg["activation"] == "linear"
                param(name + "__w", weights[f"{name}/kernel"].transpose(3, 2, 0, 1))  # HWIO -> OIHW
            elif cls == "DepthwiseConv2D":
                assert not cfg["use_bias"] and cfg["activation"] == "linear" and cfg["depth_multiplier"] == 1
                param(name + "__w", weights[f"{name}/depthwise_kernel"].transpose(2, 3, 0, 1))  # HWC1 -> C1HW
            elif cls == "BatchNormalization":
                assert cfg["scale"] and cfg["center"]
                for w in ("gamma", "beta", "moving_mean", "moving_variance"):
                    param(f"{name}__{w}", weights[f"{name}/{w}"])
            elif cls == "Activation":
                assert cfg["activation"] == "relu6", cfg["activation"]
            else:
                raise ValueError(f"unsupported layer {cls}")

    def forward(self, x):
        for layer in self.layers:
            cls, cfg = layer["class_name"], layer["config"]
            name = cfg["name"]
            if cls in ("Conv2D", "DepthwiseConv2D"):
                (kh, kw), (sh, sw) = cfg["kernel_size"], cfg["strides"]
                if cfg["padding"] == "same":
                    top, bottom = same_pad(x.shape[2], kh, sh)
                    left, right = same_pad(x.shape[3], kw, sw)
                    x = F.pad(x, (left, right, top, bottom))
                groups = x.shape[1] if cls == "DepthwiseConv2D" else 1
                x = F.conv2d(x, self.params[name + "__w"], None, stride=(sh, sw), groups=groups)
            elif cls == "BatchNormalization":
                p = lambda w: self.params[f"{name}__{w}"]  # noqa: E731
                x = F.batch_norm(x, p("moving_mean"), p("moving_variance"), p("gamma"), p("beta"),
                                 training=False, eps=cfg["epsilon"])
            else:
                x = F.relu6(x)
        return x


class Encoder(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, pixels):
        x = pixels.to(torch.float32) / 127.5 - 1.0
        grid = self.net(x.permute(0, 3, 1, 2))  # [N, 768, 7, 7]
        return grid.flatten(2).transpose(1, 2)  # [N, 49, 768], row-major grid


def main():
    model_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MODEL
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_OUT
    if out.resolve().parent.name == "models":
        raise SystemExit("refusing to write into models/: this comparison encoder must never ship")
    layers, weights = load_tfjs_weights(model_dir)
    encoder = Encoder(MobileNetV1(layers, weights)).eval()
    n_params = sum(p.numel() for p in encoder.parameters())
    sample = torch.randint(0, 256, (1, SIZE, SIZE, 3), dtype=torch.uint8)
    with torch.no_grad():
        features = encoder(sample)
    assert features.shape == (1, 49, 768), features.shape
    out.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(encoder, (sample,), str(out / "encoder.onnx"), input_names=["pixels"], output_names=["features"],
                      dynamic_axes={"pixels": {0: "n"}, "features": {0: "n"}}, opset_version=17, dynamo=False)
    (out / "config.json").write_text(json.dumps({"gridHeight": 7, "gridWidth": 7, "featureDim": 768}, indent=2) + "\n")
    (out / "preprocessor_config.json").write_text(json.dumps({"size": SIZE, "channels": 3, "resize": "fill"}, indent=2) + "\n")
    print(f"wrote {out / 'encoder.onnx'} ({len(encoder.net.layers)} layers, {n_params / 1e6:.2f}M parameters)")


if __name__ == "__main__":
    main()
