"""The CenterNet MobileNetV3 backbone (the TF.js graph export_centernet.py turns into encoder.onnx)
as a trainable PyTorch module, translated op by op the same way, so its last blocks can be
fine-tuned with the caption loss (finetune_encoder.py) and written back in TF.js layout for
export_centernet.py --weights.

`CenterNetPart(model_json, start, stop)` runs the graph from the output of node `start` (NCHW,
float; None: the uint8 pixels, NHWC) to `stop`; the backbone output is pooled 2x2 to the 8x8 grid
of encoder.onnx by `pool_regions`. Convolutions are SAME-padded as TensorFlow pads (more after
than before); the batch norms were fused into the convolutions by the TF.js converter, so the
fine-tuned blocks are plain convolutions with bias.

Check (from training/): python3 -m encoder.centernet_torch CENTERNET_JSON ENCODER_DIR STEM_DIR [TUNED.npz]
(onnxruntime: the whole module against encoder.onnx, and stem.onnx + the trainable part against
encoder.onnx; with TUNED.npz, the part carries those weights and ENCODER_DIR is their export).
"""
import math
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from encoder.export_centernet import BACKBONE, GRID, attr_ints, fused_ops, graph_order, read_weights

NHWC_TO_NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1}


def same_pad(x, kernel, stride):
    """TensorFlow's SAME padding for one conv: output ceil(in / stride), the odd pixel after."""
    pads = []
    for size, k, s in ((x.shape[3], kernel[1], stride[1]), (x.shape[2], kernel[0], stride[0])):
        total = max((math.ceil(size / s) - 1) * s + k - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads) if any(pads) else x


class CenterNetPart(nn.Module):
    def __init__(self, model_json, start=None, stop=BACKBONE):
        super().__init__()
        nodes, weights = read_weights(Path(model_json))
        by_name, order = graph_order(nodes, stop)
        if start is not None:
            order = order[order.index(start) + 1:]
        self.start, self.stop = start, stop
        self.params = nn.ParameterDict()
        self.tf_names = {}  # parameter key -> (TF.js weight name, kind) for writing back
        self.ops = []
        known = {start or "tower_0/images"}
        for name in order:
            n = by_name[name]
            op, ins = n["op"], [i.split(":")[0] for i in n.get("input", [])]
            if op in ("Const", "Placeholder"):
                continue
            tensor_ins = [i for i in ins if by_name[i]["op"] != "Const"]
            missing = [i for i in tensor_ins if i not in known]
            assert not missing, f"{name} needs {missing}, which come before {start}: choose another start"
            known.add(name)
            if op in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
                k = weights[ins[1]]
                if op == "_FusedConv2D":
                    w, group, kind = k.transpose(3, 2, 0, 1), 1, "conv"
                else:
                    h, wd, c, m = k.shape
                    w, group, kind = k.transpose(2, 3, 0, 1).reshape(c * m, 1, h, wd), c, "depthwise"
                key = name.replace("/", "__")
                self.params[key + "__W"] = nn.Parameter(torch.from_numpy(np.ascontiguousarray(w, np.float32)))
                self.params[key + "__B"] = nn.Parameter(torch.from_numpy(weights[ins[2]].astype(np.float32)))
                self.tf_names[key + "__W"] = (ins[1], kind, k.shape)
                self.tf_names[key + "__B"] = (ins[2], "bias", weights[ins[2]].shape)
                relu = fused_ops(n)[1:] == ["Relu"]
                self.ops.append(("conv", name, ins[0], key, attr_ints(n, "strides")[1:3], group, relu))
            elif op in ("Mul", "Add"):
                args = [float(weights[i]) if by_name[i]["op"] == "Const" else i for i in ins]
                self.ops.append((op.lower(), name, args))
            elif op == "Relu6":
                self.ops.append(("relu6", name, ins[0]))
            elif op == "Mean":
                axes = [NHWC_TO_NCHW_AXIS[int(a)] for a in np.atleast_1d(weights[ins[1]])]
                keep = bool(n.get("attr", {}).get("keep_dims", {}).get("b", False))
                self.ops.append(("mean", name, ins[0], axes, keep))
            else:
                raise SystemExit(f"unsupported op {op} ({name})")

    def forward(self, x):
        """x: pixels uint8/float [N,H,W,3] when start is None, else the start node's output [N,C,H,W]."""
        values = {self.start or "tower_0/images": x.float().permute(0, 3, 1, 2) if self.start is None else x}
        for op in self.ops:
            kind, name = op[0], op[1]
            if kind == "conv":
                _, _, src, key, stride, group, relu = op
                w = self.params[key + "__W"]
                y = F.conv2d(same_pad(values[src], w.shape[2:], stride), w, self.params[key + "__B"], stride=stride, groups=group)
                values[name] = F.relu(y) if relu else y
            elif kind in ("mul", "add"):
                a, b = (values[v] if isinstance(v, str) else v for v in op[2])
                values[name] = a * b if kind == "mul" else a + b
            elif kind == "relu6":
                values[name] = F.relu6(values[op[2]])
            else:
                values[name] = values[op[2]].mean(dim=op[3], keepdim=op[4])
        return values[self.stop]

    def tf_weights(self):
        """The module's weights by TF.js name and layout (for export_centernet.py --weights)."""
        out = {}
        for key, (tf_name, kind, shape) in self.tf_names.items():
            w = self.params[key].detach().cpu().numpy()
            if kind == "conv":
                w = w.transpose(2, 3, 1, 0)
            elif kind == "depthwise":
                h, wd, c, m = shape
                w = w.reshape(c, m, h, wd).transpose(2, 3, 0, 1)
            out[tf_name] = np.ascontiguousarray(w.reshape(shape), np.float32)
        return out

    def load_tf_weights(self, tuned):
        """The inverse of tf_weights: weights by TF.js name (e.g. a finetune run's best-encoder.npz);
        weights it does not name stay as they are."""
        with torch.no_grad():
            for key, (tf_name, kind, shape) in self.tf_names.items():
                if tf_name not in tuned:
                    continue
                w = np.asarray(tuned[tf_name], np.float32)
                if kind == "conv":
                    w = w.transpose(3, 2, 0, 1)
                elif kind == "depthwise":
                    h, wd, c, m = shape
                    w = w.transpose(2, 3, 0, 1).reshape(c * m, 1, h, wd)
                self.params[key].copy_(torch.from_numpy(np.ascontiguousarray(w)))


def pool_regions(grid):
    """Backbone output [N,C,16,16] -> [N,64,C] as encoder.onnx: 2x2 average, row-major regions."""
    pooled = F.avg_pool2d(grid, 2)
    assert pooled.shape[2] == GRID and pooled.shape[3] == GRID, pooled.shape
    return pooled.flatten(2).transpose(1, 2)


def stem_to_nchw(stem, height, width):
    """A cached stem output [N, H*W, C] (row-major, as extract-features.cjs stores it) -> [N,C,H,W]."""
    return stem.reshape(stem.shape[0], height, width, -1).permute(0, 3, 1, 2)


def main():
    import json

    import onnxruntime as ort

    model_json, encoder_dir, stem_dir = sys.argv[1:4]
    tuned = dict(np.load(sys.argv[4])) if len(sys.argv) > 4 else None
    stem_config = json.loads((Path(stem_dir) / "config.json").read_text())
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(2, 512, 512, 3), dtype=np.uint8)
    reference = ort.InferenceSession(str(Path(encoder_dir) / "encoder.onnx")).run(None, {"pixels": pixels})[0]
    stem = ort.InferenceSession(str(Path(stem_dir) / "encoder.onnx")).run(None, {"pixels": pixels})[0]
    with torch.no_grad():
        whole = CenterNetPart(model_json)
        head = CenterNetPart(model_json, start=stem_config["stop"])
        if tuned is not None:
            whole.load_tf_weights(tuned)
            head.load_tf_weights(tuned)
        whole = pool_regions(whole(torch.from_numpy(pixels))).numpy()
        part = pool_regions(head(stem_to_nchw(torch.from_numpy(stem), stem_config["gridHeight"], stem_config["gridWidth"]))).numpy()
    print(json.dumps({"wholeMaxAbsDiff": float(np.abs(whole - reference).max()),
                      "stemPlusHeadMaxAbsDiff": float(np.abs(part - reference).max()),
                      "referenceMaxAbs": float(np.abs(reference).max()),
                      "headParameters": sum(p.numel() for p in head.parameters())}))
    round_trip = head.tf_weights()
    weights = tuned if tuned is not None else read_weights(Path(model_json))[1]
    assert all(np.array_equal(round_trip[k], np.asarray(weights[k], np.float32)) for k in round_trip), "tf_weights layout"


if __name__ == "__main__":
    main()
