#!/usr/bin/env bash
# TFTP request floods against our server (issue 14, part 3: bounded memory under floods). Starts
# the published server on loopback, sends FLOOD_ROUNDS floods of FLOOD_REQUESTS read requests,
# each from its own source port (scripts/bench/tftp-flood-client.py: the admitted transfers run
# to their end, the rest are refused as busy), and prints the server's resident set (VmRSS) after
# each flood, then after flood 1 and after the last, and their ratio. The bound: the ratio is at
# most 1.5.
#
#   scripts/bench.sh tftp-flood
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/tftp-flood.sh
#
# Knobs (environment): FLOOD_ROUNDS (10), FLOOD_REQUESTS (2000), FLOOD_OPTIONS (client options of
# every request, e.g. "blksize=65464,windowsize=16"), FLOOD_SOURCES (1: source addresses
# 127.0.0.1..N, to get past the per-client cap), FLOOD_SILENT (1: never answer, so every admitted
# transfer retransmits until the server gives up: about 6 s a flood), FLOOD_SERVE_ARGS (extra
# `serve` arguments).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc
bench_needs tftp-flood python3

rounds=${FLOOD_ROUNDS:-10}
requests=${FLOOD_REQUESTS:-2000}
sources=${FLOOD_SOURCES:-1}
read -r -a serve_args <<< "${FLOOD_SERVE_ARGS:-}"
ulimit -n "$((requests + 256))" 2>/dev/null || true

work=$(mktemp -d /tmp/recoverysim-bench-flood.XXXXXX)
chmod 755 "$work"; mkdir -p "$work/root"
trap stop_daemons EXIT
head -c 3000 /dev/urandom > "$work/root/f.bin"
port=$(free_port)
start ours "$port" "$RECOVERYSIM" serve --root "$work/root" --address 127.0.0.1 --port "$port" --json "${serve_args[@]}"
pid=${daemon_pids[-1]}
rss_mib() { awk '/^VmRSS/ {printf "%.1f\n", $2/1024}' "/proc/$pid/status"; }

echo "tftp-flood: $rounds floods of $requests RRQs from $requests ports (${sources} source address(es)), options '${FLOOD_OPTIONS:-}'; serve ${serve_args[*]:-(defaults)}"
echo "tftp-flood: RSS at start $(rss_mib) MiB"
first=""
for i in $(seq "$rounds"); do
  counts=$(python3 scripts/bench/tftp-flood-client.py 127.0.0.1 "$port" f.bin --requests "$requests" --sources "$sources" --options "${FLOOD_OPTIONS:-}" ${FLOOD_SILENT:+--silent})
  rss=$(rss_mib)
  [ -n "$first" ] || first=$rss
  echo "tftp-flood: after flood $i: RSS $rss MiB ($counts)"
done
echo "tftp-flood: RSS after flood 1 $first MiB, after flood $rounds $rss MiB, ratio $(ratio "$rss" "$first") (bound: 1.5)"
