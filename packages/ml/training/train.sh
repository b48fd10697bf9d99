#!/usr/bin/env bash
# `npm run train:captioner` — the whole offline pipeline, resumable at every stage:
# 1. export the encoder from nsfwjs's ImageNet InceptionV3 layers (exact to 1e-5 against tfjs),
# 2. cache encoder features for Flickr8k train+dev with the runtime's preprocessing,
# 3. train the decoders (checkpoint every epoch, resume on re-run),
# 4. export each best checkpoint to models/captioner-<arch>/.
# Env: PIXTALE_DATASETS_DIR (default ../shared/datasets), ARCHS (default "att-lstm lstm gru"),
#      EPOCHS (default 12), THREADS (default 2). Needs python3 with torch + onnx:
#      pip install --retries 0 --timeout 2 torch==2.13.0 onnx numpy
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
datasets="${PIXTALE_DATASETS_DIR:-$root/../shared/datasets}"
cache="$here/.cache"
runs="$here/runs"
encoder="$root/models/encoder-inception-v3-mixed5"

if [ ! -f "$encoder/encoder.onnx" ]; then
  node "$here/encoder/dump-nsfwjs-inception.cjs" "$cache/nsfwjs-inception"
  (cd "$here" && python3 encoder/export_encoder.py "$cache/nsfwjs-inception" "$encoder")
fi
node "$here/extract-features.cjs" "$datasets" "$encoder" "$cache/inception-mixed5"
for arch in ${ARCHS:-att-lstm lstm gru}; do
  (cd "$here" && python3 train_captioner.py --arch "$arch" --features "$cache/inception-mixed5" \
    --datasets "$datasets" --run "$runs/$arch" --epochs "${EPOCHS:-12}" --threads "${THREADS:-2}")
  (cd "$here" && python3 export_decoder.py "$runs/$arch" "$root/models/captioner-$arch")
done
