#!/usr/bin/env bash
# Issue 12's levers at equal training time: each configuration trains from scratch for the same
# process CPU time (--cpu-budget-minutes, all threads, its last fifth a cool-down), with the shipped
# BPE, then eval-candidate.sh scores on val its final weights (val-last.jsonl) and, unless LAST_ONLY=1,
# the average of its last 5 snapshots (val.jsonl; at short budgets the model is still improving across
# them, so the average trails). Resumable: re-run it and what finished is skipped. Val only; models/ is
# untouched.
#
#   nohup nice -n 10 bash sweep-equal-time.sh 50 > runs/sweep.log 2>&1 &              # base, deep, wide
#   LAST_ONLY=1 nohup nice -n 10 bash sweep-equal-time.sh 50 wide-drop3 wide-bpedrop > runs/reg.log 2>&1 &
set -euo pipefail
cd "$(dirname "$0")"
BUDGET=${1:-50}
shift || true
NAMES=("${@:-base deep wide}")
DATASETS=${DATASETS:-../../../../../shared/datasets}
WIDE="--d 256 --ff 1024 --enc-layers 3 --dec-layers 2"
declare -A CONFIGS=(
  [base]="--d 192 --ff 768 --enc-layers 3 --dec-layers 2"   # the shipped shape
  [deep]="--d 192 --ff 768 --enc-layers 6 --dec-layers 3"
  [wide]="$WIDE"
  # the common Multi30k recipe's regularisers, on the shape that led at 50 CPU-minutes
  [wide-drop3]="$WIDE --dropout 0.3"
  [wide-bpedrop]="$WIDE --bpe-dropout 0.1"
)
# shellcheck disable=SC2068
for name in ${NAMES[@]}; do
  [ -n "${CONFIGS[$name]:-}" ] || { echo "unknown configuration $name: ${!CONFIGS[*]}" >&2; exit 2; }
  run=runs/size-$name-$BUDGET
  mkdir -p "$run"
  [ -f "$run/bpe.json" ] || cp ../../../../models/translate-multi30k/bpe.json "$run/bpe.json"
  if ! grep -q '^done' "$run/train.log" 2>/dev/null; then
    # shellcheck disable=SC2086
    python3 train_translation.py --datasets "$DATASETS" --run "$run" --epochs 1000 --threads 2 --save-minutes 5 \
      --snapshot-every 250 --keep-snapshots 8 --cpu-budget-minutes "$BUDGET" ${CONFIGS[$name]} >> "$run/train.log" 2>&1
  fi
  [ -f "$run/val-last.jsonl" ] || CHECKPOINT=last bash eval-candidate.sh "$run" "$DATASETS" > "$run/val-last.jsonl"
  echo "$name: $(grep 'val loss' "$run/train.log" | tail -1)"
  echo "  final weights: $(tr '\n' ' ' < "$run/val-last.jsonl")"
  if [ "${LAST_ONLY:-0}" != 1 ]; then
    [ -f "$run/val.jsonl" ] || bash eval-candidate.sh "$run" "$DATASETS" > "$run/val.jsonl"
    echo "  average of the last 5 snapshots: $(tr '\n' ' ' < "$run/val.jsonl")"
  fi
done
