#!/usr/bin/env bash
# Val BLEU of a training run's candidate, the way the shipped weights were chosen: the average of the
# run's last 5 snapshots, exported beside a copy of the shipped config.json (length penalty 1.5 as
# shipped), then eval:translation on Multi30k val for de, fr and cs. Nothing under models/ changes.
#
#   bash eval-candidate.sh runs/bpedrop [DATASETS]     # prints one JSON line per language
#   CHECKPOINT=last bash eval-candidate.sh RUN          # the run's final weights instead (no averaging:
#                                                       # for short runs still improving, like sweep-equal-time.sh's)
#   CHECKPOINT=avg.pt bash eval-candidate.sh RUN        # RUN/avg.pt as it is (e.g. a soup written by
#                                                       # average_checkpoints.py --with)
#   ENSEMBLE=1 bash eval-candidate.sh RUN               # the shipped model with the candidate as its
#                                                       # ensemble member (config.json "ensemble")
#   PROBE=1 ...                                         # also the copy probe (names and numbers), each language
set -euo pipefail
cd "$(dirname "$0")"
RUN=$1
DATASETS=${2:-../../../../../shared/datasets}
SHIPPED=../../../../models/translate-multi30k
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
CHECKPOINT=${CHECKPOINT:-avg}
[ "$CHECKPOINT" = avg ] && python3 average_checkpoints.py "$RUN" --last 5 --datasets "$DATASETS" >&2
[ "$CHECKPOINT" = avg.pt ] && CHECKPOINT=avg
candidate=$OUT/translate-multi30k
if [ "${ENSEMBLE:-0}" = 1 ]; then
  # the shipped model leads (its config, its confidence thresholds); the candidate is its member
  candidate=$OUT/translate-candidate
  mkdir -p "$OUT/translate-multi30k"
  for f in encoder.onnx decoder.onnx bpe.json; do ln -s "$(realpath "$SHIPPED/$f")" "$OUT/translate-multi30k/$f"; done
  node -e 'const c=require(process.argv[1]); c.ensemble=["translate-candidate"]; require("fs").writeFileSync(process.argv[2], JSON.stringify(c))' \
    "$(realpath "$SHIPPED/config.json")" "$OUT/translate-multi30k/config.json"
fi
mkdir -p "$candidate"
cp "$SHIPPED/config.json" "$candidate/"
python3 export_translation.py "$RUN" "$candidate" --checkpoint "$CHECKPOINT" --length-penalty 1.5 >&2
for lang in de fr cs; do
  (cd ../.. && npm run -s eval:translation -- --split val --to "$lang" --threads 2 --models-dir "$OUT") |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s.trim().split("\n").pop());console.log(JSON.stringify({to:r.to,split:r.split,BLEU:r.BLEU,bp:r.bp,msP50:r.msP50}))})'
  if [ "${PROBE:-0}" = 1 ]; then
    (cd ../.. && npm run -s eval:translation -- --probe --to "$lang" --threads 2 --models-dir "$OUT") | tail -1 | cut -c1-300
  fi
done
