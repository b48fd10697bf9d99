#!/usr/bin/env bash
# Issue 12's depth/width sweep at equal training time: each shape trains from scratch for the same
# process CPU time (--cpu-budget-minutes, all threads, its last fifth a cool-down), with the shipped
# BPE, then eval-candidate.sh scores on val its final weights (val-last.jsonl) and the average of its
# last 5 snapshots (val.jsonl; at short budgets the model is still improving across them, so the
# average trails). Resumable: re-run it and what finished is skipped. Val only; models/ is untouched.
#
#   nohup nice -n 10 bash sweep-size.sh [BUDGET_MINUTES] [DATASETS] > runs/sweep.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")"
BUDGET=${1:-50}
DATASETS=${2:-../../../../../shared/datasets}
declare -A SHAPES=(
  [base]="--d 192 --ff 768 --enc-layers 3 --dec-layers 2"   # the shipped shape
  [deep]="--d 192 --ff 768 --enc-layers 6 --dec-layers 3"
  [wide]="--d 256 --ff 1024 --enc-layers 3 --dec-layers 2"
)
for name in base deep wide; do
  run=runs/size-$name-$BUDGET
  mkdir -p "$run"
  [ -f "$run/bpe.json" ] || cp ../../../../models/translate-multi30k/bpe.json "$run/bpe.json"
  if ! grep -q '^done' "$run/train.log" 2>/dev/null; then
    # shellcheck disable=SC2086
    python3 train_translation.py --datasets "$DATASETS" --run "$run" --epochs 1000 --threads 2 --save-minutes 5 \
      --snapshot-every 250 --keep-snapshots 8 --cpu-budget-minutes "$BUDGET" ${SHAPES[$name]} >> "$run/train.log" 2>&1
  fi
  [ -f "$run/val.jsonl" ] || bash eval-candidate.sh "$run" "$DATASETS" > "$run/val.jsonl"
  [ -f "$run/val-last.jsonl" ] || CHECKPOINT=last bash eval-candidate.sh "$run" "$DATASETS" > "$run/val-last.jsonl"
  echo "$name: $(grep 'val loss' "$run/train.log" | tail -1)"
  echo "  final weights: $(tr '\n' ' ' < "$run/val-last.jsonl")"
  echo "  average of the last 5 snapshots: $(tr '\n' ' ' < "$run/val.jsonl")"
done
