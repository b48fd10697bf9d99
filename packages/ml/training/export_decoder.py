"""Exports a trained decoder (RUN_DIR/best.pt) to the Node runtime's format:
init.onnx, step.onnx, vocab.json, config.json in OUT_DIR (models/captioner-<arch>/).

Weights are stored as fp16 initialisers behind a Cast so the folder is half the size while
onnxruntime computes in fp32 (it folds the casts once at load).

Usage: python3 export_decoder.py RUN_DIR OUT_DIR [--fp32]
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from captioning import BOS, EOS, PAD, UNK, Decoder, ExportedInit, ExportedStep


def to_fp16_initialisers(path):
    model = onnx.load(str(path))
    graph = model.graph
    kept, casts = [], []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size >= 1024:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
            kept.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT))
        else:
            kept.append(init)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def main():
    run, out = Path(sys.argv[1]), Path(sys.argv[2])
    fp32 = "--fp32" in sys.argv
    ckpt = torch.load(run / "best.pt", weights_only=False)
    vocab = ckpt["vocab"]
    D = ckpt.get("featureDim", 768)  # runs made before encoders were pluggable: InceptionV3 mixed5
    decoder = Decoder(ckpt["arch"], len(vocab), feature_dim=D, concepts=ckpt.get("concepts", 0))
    decoder.load_state_dict(ckpt["model"])
    decoder.eval()
    out.mkdir(parents=True, exist_ok=True)
    L, H = 64, decoder.hidden
    feats = torch.randn(2, L, D)
    with torch.no_grad():
        h, c, keys = decoder.init(feats)
    torch.onnx.export(ExportedInit(decoder), (feats,), str(out / "init.onnx"), input_names=["features"],
                      output_names=["h", "c", "keys"], opset_version=17, dynamo=False,
                      dynamic_axes={"features": {0: "n", 1: "l"}, "h": {0: "n"}, "c": {0: "n"}, "keys": {0: "n", 1: "l"}})
    token = torch.tensor([BOS, BOS], dtype=torch.long)
    torch.onnx.export(ExportedStep(decoder), (token, h, c, feats, keys), str(out / "step.onnx"),
                      input_names=["token", "h", "c", "features", "keys"],
                      output_names=["logprobs", "h_out", "c_out", "alpha"], opset_version=17, dynamo=False,
                      dynamic_axes={"token": {0: "b"}, "h": {0: "b"}, "c": {0: "b"}, "features": {0: "b", 1: "l"},
                                    "keys": {0: "b", 1: "k"}, "logprobs": {0: "b"}, "h_out": {0: "b"},
                                    "c_out": {0: "b"}, "alpha": {0: "b", 1: "l"}})
    if not fp32:
        to_fp16_initialisers(out / "init.onnx")
        to_fp16_initialisers(out / "step.onnx")
    (out / "vocab.json").write_text(json.dumps(vocab) + "\n")
    config = {"architecture": ckpt["arch"], "encoder": ckpt.get("encoder", "encoder-inception-v3-mixed5"), "hiddenSize": H,
              "bos": BOS, "eos": EOS, "pad": PAD, "unk": UNK, "maxLength": 20,
              "trainedEpochs": ckpt["epoch"], "devBleu4GreedyQuick": round(ckpt["bleu4"], 4)}
    if "finetuneEpoch" in ckpt:  # then trained with its encoder's last blocks (finetune_encoder.py)
        config["encoderFinetuneEpochs"] = ckpt["finetuneEpoch"]
    if "scstEpoch" in ckpt:  # fine-tuned by train_scst.py after `trainedEpochs` of cross-entropy
        config.update({"scstEpochs": ckpt["scstEpoch"], "devCiderGreedyQuick": round(ckpt["devCider"], 4)})
    # Decoding settings are tuned after training (eval:captions); a re-export keeps the ones chosen.
    previous = out / "config.json"
    generation = json.loads(previous.read_text()).get("generation") if previous.exists() else None
    config["generation"] = generation or {"beamSize": 3, "alternatives": 3, "lengthPenalty": 0.7, "noRepeatNgramSize": 3}
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"exported {ckpt['arch']} (epoch {ckpt['epoch']}, quick dev BLEU-4 {ckpt['bleu4']:.4f}) to {out}")


if __name__ == "__main__":
    main()
