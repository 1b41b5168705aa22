#!/usr/bin/env bash
# Side-by-side benchmarks: runs RecoverySim and the real tools (openssl, tftpd-hpa, atftpd,
# curl, bsdiff) on the same inputs in one run and prints ratios.
#   scripts/bench.sh            every area
#   scripts/bench.sh tftp image one or more areas: the files in scripts/bench/<area>.sh
# Results and the machine they ran on go to docs/PERFORMANCE.md by hand.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
bash scripts/install-peers.sh
export RECOVERYSIM_ATFTPD="$top/.peers/atftpd/usr/sbin/atftpd" PATH="$PATH:/usr/sbin:/sbin"
# The CLI as it is installed (scripts/publish-aot.sh: Release, native AOT).
bash scripts/publish-aot.sh "$top/artifacts/bench-cli"
export RECOVERYSIM="$top/artifacts/bench-cli/recoverysim"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
areas=("$@")
if [ ${#areas[@]} = 0 ]; then
  for f in scripts/bench/*.sh; do areas+=("$(basename "$f" .sh)"); done
fi
for area in "${areas[@]}"; do
  [ -f "scripts/bench/$area.sh" ] || { echo "bench.sh: no area '$area' (scripts/bench/*.sh)" >&2; exit 2; }
  echo "== $area"
  bash "scripts/bench/$area.sh"
done
