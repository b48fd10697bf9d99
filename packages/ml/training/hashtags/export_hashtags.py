"""Exports the hashtag generator (RUN/best.pt) for the Node runtime: OUT/model.onnx
(image [N,768] float32, words [N,W] float32 0/1 -> scores [N,K] in 0..1), OUT/vocab.json
({"tags": [...], "words": [...]}) and OUT/config.json. Weights are stored fp16 behind a Cast
(as the captioner's export does); onnxruntime computes in fp32.

Usage: python3 export_hashtags.py RUN_DIR OUT_DIR [THRESHOLD] [--fp32] [--encoder NAME]
(--encoder: the models/ encoder whose regions the image vectors averaged; default the shipped CenterNet one)
"""
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from export_decoder import to_fp16_initialisers  # noqa: E402
from train_hashtags import BLOCKLIST_FILE, ExportGenerator, Generator  # noqa: E402


def main():
    run, out = Path(sys.argv[1]), Path(sys.argv[2])
    ck = torch.load(run / "best.pt", weights_only=False)
    tags, words = ck["tags"], ck["words"]
    image_dim = ck["G"]["img_norm.weight"].shape[0]
    encoder = sys.argv[sys.argv.index("--encoder") + 1] if "--encoder" in sys.argv else "encoder-centernet-mobilenetv3"
    g = Generator(image_dim, len(words), len(tags))
    g.load_state_dict(ck["G"])
    g.eval()
    out.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(ExportGenerator(g), (torch.randn(2, image_dim), torch.zeros(2, len(words))), str(out / "model.onnx"),
                      input_names=["image", "words"], output_names=["scores"], opset_version=17, dynamo=False,
                      dynamic_axes={"image": {0: "n"}, "words": {0: "n"}, "scores": {0: "n"}})
    if "--fp32" not in sys.argv:
        to_fp16_initialisers(out / "model.onnx")
    (out / "vocab.json").write_text(json.dumps({"tags": tags, "words": words}) + "\n")
    config = {
        "architecture": "mlp-generator-gan",
        "encoder": encoder,
        "imageDim": image_dim,
        "wordPattern": "[a-z]+",
        "threshold": float(sys.argv[3]) if len(sys.argv) > 3 and not sys.argv[3].startswith("--") else 0.3,
        "minTags": 3,
        "maxTags": 10,
        "adversarialWeight": ck["args"]["adv"],
        "trainedEpochs": ck["epoch"],
        "tune": ck["tune"],
        # The one blocklist (read by the app and train_hashtags.py): kept across re-exports.
        "blocklist": json.loads(BLOCKLIST_FILE.read_text())["blocklist"],
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"exported epoch {ck['epoch']} ({len(tags)} tags, {len(words)} words) to {out}")


if __name__ == "__main__":
    main()
