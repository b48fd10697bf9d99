#!/usr/bin/env bash
# Scores every exported captioner on the Flickr8k dev split with our TypeScript metrics
# (npm run eval:captions) at beam 1, 3 and 5, then prints the model card's comparison table.
# Usage: bash packages/ml/training/evaluate.sh [MODEL...]   (default: every models/captioner-*)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
flickr="${PIXTALE_DATASETS_DIR:-$root/../shared/datasets}/flickr8k"
out="$here/runs/eval"
mkdir -p "$out"
models=("$@")
[ ${#models[@]} -gt 0 ] || models=($(cd "$root/models" && ls -d captioner-* ))
for model in "${models[@]}"; do
  for beam in ${BEAMS:-1 3 5}; do
    (cd "$root" && npm run -s eval:captions -- --images "$flickr/images" --captions "$flickr/captions.tsv" \
      --split "$flickr/splits/dev.txt" --model "$model" --beam "$beam") > "$out/$model-beam$beam.json"
    echo "$model beam $beam: $(cat "$out/$model-beam$beam.json")"
  done
done
python3 "$here/eval_table.py" "$out"
