#!/usr/bin/env bash
# Power-cut campaigns (issue #10 "Performance"), with the command line as installed:
#  - the exhaustive single-cut campaign of the default update scenario
#    (scenarios/update-power-loss-system.json): target under 30 s on this 2-core machine;
#  - the same with --jobs 2 against --jobs 1: target >= 1.7x the rate;
#  - the exhaustive campaign of the small recovery scenario (scenarios/both-slots-bad.json).
# Rebuild cost against a plain power-on (target: states/s per core >= 80% of 1 / one power-on) is
# measured in process by BenchmarkDotNet: tests/Benchmarks --filter '*CampaignBenchmarks*'.
#
#   scripts/bench.sh powercut
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/powercut.sh
# Knobs: POWERCUT_BENCH_RUNS (3: best of N).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc
bench_needs powercut bc python3

runs=${POWERCUT_BENCH_RUNS:-3}
work=$(mktemp -d /tmp/recoverysim-bench-powercut.XXXXXX)
trap 'rm -rf "$work"' EXIT

# campaign FILE JOBS: best of $runs; prints "wall_s states states_per_s digest" (the rate from the report: campaign only, bench build excluded).
campaign() {
  local file=$1 jobs=$2 best="" line
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N)
    "$RECOVERYSIM" powercut "$file" --jobs "$jobs" --json >"$work/report.json" || { echo "powercut bench: campaign failed: $file" >&2; exit 1; }
    e=$(date +%s.%N)
    line=$(python3 - "$work/report.json" "$(echo "$e - $s" | bc -l)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["failures"] == 0, r["failures"]
print(f'{float(sys.argv[2]):.3f} {r["states"]} {r["states"] / (r["elapsed_ms"] / 1000):.1f} {r["digest"]}')
PY
)
    if [ -z "$best" ] || [ "$(echo "$(cut -d' ' -f3 <<<"$line") > $(cut -d' ' -f3 <<<"$best")" | bc -l)" = 1 ]; then best=$line; fi
  done
  echo "$best"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for scenario in update-power-loss-system both-slots-bad; do
  one=$(campaign "scenarios/$scenario.json" 1)
  two=$(campaign "scenarios/$scenario.json" 2)
  read -r wall1 states rate1 digest1 <<<"$one"
  read -r wall2 _ rate2 digest2 <<<"$two"
  [ "$digest1" = "$digest2" ] || { echo "powercut bench: --jobs 1 and 2 gave different digests" >&2; exit 1; }
  echo "$scenario: $states states; --jobs 1: ${wall1} s wall, ${rate1} states/s; --jobs 2: ${wall2} s wall, ${rate2} states/s; jobs 2/1 = $(ratio "$rate2" "$rate1")x (target >= 1.7); same digest"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
