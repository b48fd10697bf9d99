#!/usr/bin/env bash
# Val BLEU of a training run's candidate, the way the shipped weights were chosen: the average of the
# run's last 5 snapshots, exported beside a copy of the shipped config.json (length penalty 1.5 as
# shipped), then eval:translation on Multi30k val for de, fr and cs. Nothing under models/ changes.
#
#   bash eval-candidate.sh runs/bpedrop [DATASETS]     # prints one JSON line per language
#   CHECKPOINT=last bash eval-candidate.sh RUN          # the run's final weights instead (no averaging:
#                                                       # for short runs still improving, like sweep-size.sh's)
set -euo pipefail
cd "$(dirname "$0")"
RUN=$1
DATASETS=${2:-../../../../../shared/datasets}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
CHECKPOINT=${CHECKPOINT:-avg}
[ "$CHECKPOINT" = avg ] && python3 average_checkpoints.py "$RUN" --last 5 --datasets "$DATASETS" >&2
mkdir -p "$OUT/translate-multi30k"
cp ../../../../models/translate-multi30k/config.json "$OUT/translate-multi30k/"
python3 export_translation.py "$RUN" "$OUT/translate-multi30k" --checkpoint "$CHECKPOINT" --length-penalty 1.5 >&2
for lang in de fr cs; do
  (cd ../.. && npm run -s eval:translation -- --split val --to "$lang" --threads 2 --models-dir "$OUT") |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s.trim().split("\n").pop());console.log(JSON.stringify({to:r.to,split:r.split,BLEU:r.BLEU,bp:r.bp}))})'
done
