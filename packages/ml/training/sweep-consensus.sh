#!/usr/bin/env bash
# Consensus re-ranking settings measured on Flickr8k dev (the numbers in the captioner's card):
# each line one eval:captions run over the first LIMIT images (default all) of SPLIT (default the
# dev split), beam as shipped unless BEAM is set.
# Usage: bash packages/ml/training/sweep-consensus.sh "0:0 30:0 30:1" [LIMIT]
set -euo pipefail
cd "$(dirname "$0")/../../.."
datasets=${PIXTALE_DATASETS_DIR:-../shared/datasets}
settings=${1:-"0:0 15:0 30:0 60:0 30:0.5 30:1"}
limit=${2:-1000}
for s in $settings; do
  k=${s%%:*}; w=${s##*:}
  npm run -s eval:captions -- --images "$datasets/flickr8k/images" --captions "$datasets/flickr8k/captions.tsv" \
    --split "${SPLIT:-$datasets/flickr8k/splits/dev.txt}" --limit "$limit" ${BEAM:+--beam "$BEAM"} \
    --consensus-k "$k" --consensus-weight "$w" 2>/dev/null
done
