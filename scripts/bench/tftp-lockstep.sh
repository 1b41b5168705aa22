#!/usr/bin/env bash
# TFTP lockstep, paired: our server and tftpd-hpa serve the same file to curl, one run each in
# turn (ours, tftpd-hpa, ours, ...), so a change in the machine's state hits both alike. Prints
# the medians and the median of the per-pair ratios. curl writes to /dev/null: the client's disk
# is not what is compared, so the servers' own cost shows (scripts/bench/tftp.sh measures with
# curl writing a file, and checks the bytes).
#
#   scripts/bench.sh tftp-lockstep
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/tftp-lockstep.sh
#
# Knobs (environment): LOCKSTEP_MIB (256: the file), LOCKSTEP_PAIRS (30: runs of each server for
# blksize 65464), LOCKSTEP_SMALL_MIB (16) and LOCKSTEP_SMALL_PAIRS (6: the same at blksize 512),
# LOCKSTEP_SERVE_ARGS (extra arguments to `recoverysim serve`, e.g. "--receive-spin-us 0").
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc
bench_needs tftp-lockstep curl in.tftpd cmp python3

mib=${LOCKSTEP_MIB:-256}
pairs=${LOCKSTEP_PAIRS:-30}
small_mib=${LOCKSTEP_SMALL_MIB:-16}
small_pairs=${LOCKSTEP_SMALL_PAIRS:-6}
read -r -a serve_args <<< "${LOCKSTEP_SERVE_ARGS:-}"

work=$(mktemp -d /tmp/recoverysim-bench-lockstep.XXXXXX)
chmod 755 "$work"; mkdir -p "$work/root"
trap stop_daemons EXIT

head -c "$((mib << 20))" /dev/urandom > "$work/root/big.bin"
head -c "$((small_mib << 20))" /dev/urandom > "$work/root/small.bin"
chmod 644 "$work/root"/*.bin
p_ours=$(free_port); start ours "$p_ours" "$RECOVERYSIM" serve --root "$work/root" --address 127.0.0.1 --port "$p_ours" --json "${serve_args[@]}"
p_hpa=$(free_port); start tftpd-hpa "$p_hpa" in.tftpd -L -s "$work/root" -a "127.0.0.1:$p_hpa"

# One checked download from each server (the bytes must be right before any time counts), which
# also warms both up.
for port in "$p_ours" "$p_hpa"; do
  curl -sS -o "$work/check.bin" --tftp-blksize 65464 "tftp://127.0.0.1:$port/small.bin"
  cmp -s "$work/root/small.bin" "$work/check.bin" || { echo "tftp-lockstep bench: server on $port sent wrong bytes" >&2; exit 1; }
done
rm -f "$work/check.bin"

# paired FILE BLKSIZE PAIRS: alternates the two servers; appends "OURS_MS HPA_MS" per pair to $work/pairs.
paired() {
  local file=$1 blksize=$2 n=$3 i port s e
  : >"$work/pairs"
  for i in $(seq "$n"); do
    local line=""
    for port in "$p_ours" "$p_hpa"; do
      s=$(date +%s%N)
      curl -sS -o /dev/null --tftp-blksize "$blksize" "tftp://127.0.0.1:$port/$file"
      e=$(date +%s%N)
      line="$line $(( (e - s) / 1000 ))"
    done
    echo "$line" >>"$work/pairs"
  done
}

# report LABEL MIB: medians in MB/s (10^6 bytes/s) and the median of the per-pair ratios.
report() {
  python3 - "$1" "$2" "$work/pairs" <<'PY'
import statistics, sys
label, mib, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pairs = [tuple(map(int, line.split())) for line in open(path) if line.strip()]
ours, hpa = [p[0] for p in pairs], [p[1] for p in pairs]
mbps = lambda us: mib * 1048576 / us
print(f"{label}: {len(pairs)} pairs; median ours {mbps(statistics.median(ours)):.1f} MB/s, "
      f"tftpd-hpa {mbps(statistics.median(hpa)):.1f} MB/s; median of pair ratios {statistics.median(h / o for o, h in pairs):.2f}x "
      f"(best ours {mbps(min(ours)):.1f}, best tftpd-hpa {mbps(min(hpa)):.1f})")
PY
}

echo "tftp-lockstep: load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); serve ${serve_args[*]:-(defaults)}"
paired big.bin 65464 "$pairs"
report "curl blksize 65464, $mib MiB, ours vs tftpd-hpa" "$mib"
paired small.bin 512 "$small_pairs"
report "curl blksize 512, $small_mib MiB, ours vs tftpd-hpa" "$small_mib"
