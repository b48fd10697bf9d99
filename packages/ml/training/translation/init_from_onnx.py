"""Rebuilds a resumable training checkpoint (RUN/last.pt) from an exported model folder, so training
can continue when the original run directory is gone (only models/ is committed).

The exported graphs hold every weight: biases and LayerNorms under their PyTorch names, each Linear
weight as the (transposed, fp16) right-hand side of the MatMul whose result the matching bias is
added to. The optimiser restarts empty; step/epoch/position come from config.json so the learning
rate schedule continues where it stopped.

Usage: python3 init_from_onnx.py MODEL_DIR RUN_DIR
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from model import Translator


def onnx_weights(path):
    graph = onnx.load(str(path)).graph
    arrays = {i.name: numpy_helper.to_array(i).astype(np.float32) for i in graph.initializer}
    # Cast nodes added by to_fp16_initialisers map the original name to the stored "__fp16" one.
    produced = {n.output[0]: n for n in graph.node}

    def constant(name):
        if name in arrays:
            return arrays[name]
        node = produced.get(name)
        if node is not None and node.op_type == "Cast" and node.input[0] in arrays:
            return arrays[node.input[0]]
        return None

    weights = {k.removeprefix("m."): v for k, v in arrays.items() if k.startswith("m.") and not k.endswith("__fp16")}
    weights.update({k.removeprefix("m.").removesuffix("__fp16"): v for k, v in arrays.items()
                    if k.startswith("m.") and k.endswith("__fp16")})
    consumers = {}
    for n in graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    unmatched = []
    for n in graph.node:
        if n.op_type != "MatMul":
            continue
        rhs = constant(n.input[1])
        if rhs is None:
            continue
        bias = next((i for c in consumers.get(n.output[0], []) if c.op_type == "Add"
                     for i in c.input if i.startswith("m.") and i.endswith(".bias")), None)
        if bias is None:
            unmatched.append((n.input[1], rhs.shape))
            continue
        weights[bias.removeprefix("m.").removesuffix(".bias") + ".weight"] = rhs.T
    return weights, unmatched


def main():
    model_dir, run = Path(sys.argv[1]), Path(sys.argv[2])
    config = json.loads((model_dir / "config.json").read_text())
    arch = config["architecture"]
    model = Translator(**arch)
    state = model.state_dict()
    loaded = {}
    for part in ("encoder.onnx", "decoder.onnx"):
        weights, unmatched = onnx_weights(model_dir / part)
        loaded.update(weights)
        # The only bias-free MatMul is the decoder's output projection: the tied embedding, transposed.
        for name, shape in unmatched:
            if tuple(shape) != (arch["d"], arch["vocab_size"]):
                raise SystemExit(f"{part}: cannot place {name} {shape}")
    missing = [k for k in state if k not in loaded]
    if missing:
        raise SystemExit(f"weights not found in the export: {missing}")
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(loaded[k])) for k in state})
    run.mkdir(parents=True, exist_ok=True)
    if (run / "last.pt").exists():
        raise SystemExit(f"{run / 'last.pt'} exists; refusing to overwrite a real checkpoint")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-9)
    ck = {"model": model.state_dict(), "opt": opt.state_dict(), "step": config["trainedSteps"],
          "epoch": config["trainedEpochs"], "pos": config["batchesIntoEpoch"], "best": config.get("valLoss") or float("inf"),
          "config": model.config, "val_loss": config.get("valLoss")}
    torch.save(ck, run / "last.pt")
    (run / "bpe.json").write_text((model_dir / "bpe.json").read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {run / 'last.pt'} at step {ck['step']} (epoch {ck['epoch']}, batch {ck['pos']})")


if __name__ == "__main__":
    main()
