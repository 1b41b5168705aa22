#!/usr/bin/env bash
# Delta updates side by side (issue #11 "Performance"), in one run on the same files: a 64 MiB
# old/new pair with scattered small changes, an insertion and a moved block, from a fixed seed
# (scripts/bench/delta-pair.py). Ours is the raw diff and patcher of the delta packages
# (`recoverysim image bsdiff|bspatch`, hidden commands), against Debian's bsdiff/bspatch.
#   patch size  ours / bsdiff's                    target <= 1.00
#   diff time   `image bsdiff` / `bsdiff`          target <= 0.50
#   apply time  `image bspatch` / `bspatch`        target <= 1.00
#   diff memory peak RSS ours / bsdiff's           target <= 1.00
# Each patch is applied by both patchers and must give the new file. Diffs are timed once each
# (bsdiff takes most of a minute), applies best of DELTA_BENCH_RUNS; times are wall and CPU
# (user + system), since on a shared machine wall time measures the queue too.
#
#   scripts/bench.sh delta                                 (publishes the native CLI, sets RECOVERYSIM)
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/delta.sh
#
# Knobs (environment): DELTA_BENCH_MIB (64), DELTA_BENCH_SEED (11), DELTA_BENCH_RUNS (3: applies),
# DELTA_BENCH_DIR (a scratch directory, default /tmp).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc

bench_needs delta bsdiff bspatch python3 bc cmp /usr/bin/time
mib=${DELTA_BENCH_MIB:-64}
seed=${DELTA_BENCH_SEED:-11}
runs=${DELTA_BENCH_RUNS:-3}

work=$(mktemp -d "${DELTA_BENCH_DIR:-/tmp}/recoverysim-bench-delta.XXXXXX")
trap 'rm -rf "$work"' EXIT

# timed OUT CMD...: runs CMD once under /usr/bin/time; OUT gets "wall cpu peak_rss_kib".
timed() {
  local out=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { echo "bench: failed: $* ($(tail -2 "$work/stderr"))" >&2; exit 1; }
  tail -1 "$work/time" | awk '{printf "%.3f %.3f %d\n", $1, $2 + $3, $4}' > "$out"
}
# best_apply NAME CMD...: the best wall and CPU time of $runs runs.
best_apply() {
  local name=$1 w c best_w="" best_c=""; shift
  for _ in $(seq "$runs"); do
    timed "$work/$name.t" "$@"
    read -r w c _ < "$work/$name.t"
    if [ -z "$best_w" ] || [ "$(echo "$w < $best_w" | bc -l)" = 1 ]; then best_w=$w; fi
    if [ -z "$best_c" ] || [ "$(echo "$c < $best_c" | bc -l)" = 1 ]; then best_c=$c; fi
  done
  echo "$best_w $best_c"
}
field() { cut -d' ' -f"$2" "$1"; }

python3 scripts/bench/delta-pair.py "$work/old" "$work/new" --mib "$mib" --seed "$seed"
cat "$work/old" "$work/new" >/dev/null   # into the page cache
echo "pair: old $(stat -c %s "$work/old") bytes, new $(stat -c %s "$work/new") bytes (seed $seed); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

timed "$work/bsdiff.t" bsdiff "$work/old" "$work/new" "$work/theirs.patch"
timed "$work/ours.t" "$RECOVERYSIM" image bsdiff "$work/old" "$work/new" "$work/ours.patch"

# Both patches with both patchers give the new file.
for patch in theirs ours; do
  bspatch "$work/old" "$work/check.new" "$work/$patch.patch" && cmp -s "$work/check.new" "$work/new" || { echo "delta bench: bspatch of the $patch patch is not the new file" >&2; exit 1; }
  "$RECOVERYSIM" image bspatch "$work/old" "$work/$patch.patch" "$work/check.new" && cmp -s "$work/check.new" "$work/new" || { echo "delta bench: image bspatch of the $patch patch is not the new file" >&2; exit 1; }
done
rm -f "$work/check.new"

read -r a_theirs_w a_theirs_c < <(best_apply bspatch bspatch "$work/old" "$work/out.new" "$work/theirs.patch")
read -r a_ours_w a_ours_c < <(best_apply ourpatch "$RECOVERYSIM" image bspatch "$work/old" "$work/theirs.patch" "$work/out.new")
s_theirs=$(stat -c %s "$work/theirs.patch") s_ours=$(stat -c %s "$work/ours.patch")

printf '  patch size   ours %10d bytes   bsdiff %10d bytes   ratio %s (target <= 1.00)\n' "$s_ours" "$s_theirs" "$(ratio "$s_ours" "$s_theirs")"
printf '  diff time    ours %7.2f s wall %7.2f s cpu   bsdiff %7.2f s wall %7.2f s cpu   ratio %s wall %s cpu (target <= 0.50)\n' \
  "$(field "$work/ours.t" 1)" "$(field "$work/ours.t" 2)" "$(field "$work/bsdiff.t" 1)" "$(field "$work/bsdiff.t" 2)" \
  "$(ratio "$(field "$work/ours.t" 1)" "$(field "$work/bsdiff.t" 1)")" "$(ratio "$(field "$work/ours.t" 2)" "$(field "$work/bsdiff.t" 2)")"
printf '  apply time   ours %7.3f s wall %7.3f s cpu   bspatch %7.3f s wall %7.3f s cpu   ratio %s wall %s cpu (target <= 1.00; both apply bsdiff'"'"'s patch)\n' \
  "$a_ours_w" "$a_ours_c" "$a_theirs_w" "$a_theirs_c" "$(ratio "$a_ours_w" "$a_theirs_w")" "$(ratio "$a_ours_c" "$a_theirs_c")"
printf '  diff memory  ours %7.1f MiB peak RSS   bsdiff %7.1f MiB   ratio %s (target <= 1.00)\n' \
  "$(echo "$(field "$work/ours.t" 3) / 1024" | bc -l)" "$(echo "$(field "$work/bsdiff.t" 3) / 1024" | bc -l)" "$(ratio "$(field "$work/ours.t" 3)" "$(field "$work/bsdiff.t" 3)")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
