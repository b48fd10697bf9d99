#!/usr/bin/env bash
# The feed bench of this tree against another commit's, alternated on the same machine so both see
# the same noise: builds REF in a git worktree (its own npm ci), then runs `npm run bench` PAIRS
# times in each, REF first, and prints one line per run (one API process and the empty operation
# on it). What a lever changed is the pairwise difference, not either column alone.
#
#   bash apps/api/src/bench/against.sh bcf5eff [PAIRS]      # from the repository root, after a build
set -euo pipefail
REF=${1:?usage: against.sh REF [PAIRS]}
PAIRS=${2:-3}
HERE=$(git rev-parse --show-toplevel)
# Both trees seed their stores from the same photos and captions (the default is beside each tree).
export PIXTALE_DATASETS_DIR=${PIXTALE_DATASETS_DIR:-$(realpath -m "$HERE/../shared/datasets")}
THERE=${BENCH_AGAINST_DIR:-${TMPDIR:-/tmp}/pixtale-bench-$(git rev-parse --short "$REF")}
if [ ! -d "$THERE/.git" ] && [ ! -f "$THERE/.git" ]; then
  git worktree add --detach "$THERE" "$REF" >&2
fi
if [ ! -f "$THERE/apps/api/dist/main.js" ]; then
  (cd "$THERE" && npm ci --no-audit --no-fund >&2 && npx turbo run build --filter=@pixtale/api >&2)
fi
run() { # label, tree
  (cd "$2" && BENCH_UPLOADS=0 BENCH_RUNS=${BENCH_RUNS:-1} npm run -s bench -w @pixtale/api 2>/dev/null | tail -1) |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const f=JSON.parse(s).feed,o=f.oneProcess,e=f.oneProcessEmptyOperation;
      console.log(`${process.argv[1]}: ${o.throughputRps} req/s, p95 ${o.p95Ms} ms, ${o.apiCpuMsPerRequest} ms CPU; empty operation ${e.throughputRps} req/s, ${e.apiCpuMsPerRequest} ms CPU`)})' "$1"
}
for i in $(seq "$PAIRS"); do
  run "pair $i $REF" "$THERE"
  run "pair $i $(git -C "$HERE" rev-parse --short HEAD)" "$HERE"
done
