"""Exports a translation checkpoint for the Node runtime: OUT/encoder.onnx (src [N,S] int64 ->
memory [N,S,D]), OUT/decoder.onnx (prefix [N,T] int64, memory, src -> logprobs [N,V] of the next
token), OUT/bpe.json and OUT/config.json. Weights fp16 behind a Cast (see export_decoder.py).

Usage: python3 export_translation.py RUN_DIR OUT_DIR [--checkpoint best|last|avg] [--fp32] [--length-penalty X]
(--length-penalty: the beam length penalty chosen on the validation split, stored in config.json)
"""
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from export_decoder import to_fp16_initialisers  # noqa: E402

from bpe import BOS, EOS, LANGS, PAD, SPECIALS, UNK  # noqa: E402
from model import ExportDecoder, ExportEncoder, Translator  # noqa: E402
from train_translation import MAX_TOKENS  # noqa: E402


def main():
    run, out = Path(sys.argv[1]), Path(sys.argv[2])
    which = sys.argv[sys.argv.index("--checkpoint") + 1] if "--checkpoint" in sys.argv else "best"
    ck = torch.load(run / f"{which}.pt", weights_only=False)
    cfg = ck["config"]
    model = Translator(**cfg)
    model.load_state_dict(ck["model"])
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    src = torch.tensor([[4, 10, 11, 12, EOS], [5, 13, 14, EOS, PAD]])
    with torch.no_grad():
        mem = model.encode(src)
    torch.onnx.export(ExportEncoder(model), (src,), str(out / "encoder.onnx"), input_names=["src"], output_names=["memory"],
                      opset_version=17, dynamo=False, dynamic_axes={"src": {0: "n", 1: "s"}, "memory": {0: "n", 1: "s"}})
    prefix = torch.tensor([[BOS, 20, 21], [BOS, 22, 23]])
    torch.onnx.export(ExportDecoder(model), (prefix, mem, src), str(out / "decoder.onnx"),
                      input_names=["prefix", "memory", "src"], output_names=["logprobs"], opset_version=17, dynamo=False,
                      dynamic_axes={"prefix": {0: "n", 1: "t"}, "memory": {0: "n", 1: "s"}, "src": {0: "n", 1: "s"},
                                    "logprobs": {0: "n"}})
    if "--fp32" not in sys.argv:
        to_fp16_initialisers(out / "encoder.onnx")
        to_fp16_initialisers(out / "decoder.onnx")
    (out / "bpe.json").write_text((run / "bpe.json").read_text(encoding="utf-8"), encoding="utf-8")
    config = {
        "source": "en",
        "languages": {lang: SPECIALS.index(f"<2{lang}>") for lang in LANGS},
        "bos": BOS, "eos": EOS, "pad": PAD, "unk": UNK, "specials": len(SPECIALS),
        "maxSourceTokens": MAX_TOKENS, "dModel": cfg["d"],
        "architecture": {k: v for k, v in cfg.items() if k != "dropout"},
        "trainedSteps": ck["step"], "trainedEpochs": ck["epoch"], "batchesIntoEpoch": ck["pos"],
        "valLoss": ck.get("val_loss"),
    }
    if "averaged" in ck:  # average_checkpoints.py: the snapshots whose weights were averaged
        config["averagedSnapshots"] = ck["averaged"]
    if ck.get("soup"):  # average_checkpoints.py --with: the checkpoints that average was averaged with
        config["soupWith"] = ck["soup"]
    # Decoding as shipped (read by the TypeScript translator); a re-export keeps what was chosen.
    # minConfidence is not kept: it belongs to the weights. Choose it again on val (the "p2" of
    # `npm run -s eval:translation -- --split val --to X`, per language; see the model card).
    previous = json.loads((out / "config.json").read_text()) if (out / "config.json").exists() else {}
    config["beamSize"] = previous.get("beamSize", 4)
    config["noRepeatNgramSize"] = previous.get("noRepeatNgramSize", 4)
    if "lengthPenalty" in previous:
        config["lengthPenalty"] = previous["lengthPenalty"]
    if "--length-penalty" in sys.argv:
        config["lengthPenalty"] = float(sys.argv[sys.argv.index("--length-penalty") + 1])
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"exported {which} (step {ck['step']}) to {out}")


if __name__ == "__main__":
    main()
