#!/usr/bin/env bash
# Recovery side by side (issue "Recovery mode", Performance): `recoverysim boot` of a bricked
# board with a 256 MiB golden image on loopback TFTP (fetch, verify, install, read back, fsync,
# reboot and verify again) against the same job done by the standard tools one after the other:
# curl from tftpd-hpa into a file, openssl dgst -sha256 of it, dd conv=fsync of each member into
# its partition, sha256sum of each partition read back. The tools fill one slot, so the comparable
# board is a `single` one; an A/B board (both slots written, twice the bytes to the disk) is timed
# too. Target: ours <= 0.7 x the tools; aim <= 1.5 x curl's download alone. Also the time of each
# phase (from the boot log), the disk's own fsync'd write speed, and the peak RSS of a recovery of
# a 1 GiB golden image (target <= 64 MiB).
#
#   scripts/bench.sh recovery                                 (publishes the native CLI, sets RECOVERYSIM)
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/recovery.sh
#
# Knobs (environment): RECOVERY_BENCH_MIB (256), RECOVERY_BENCH_RUNS (3: best of N),
# RECOVERY_BENCH_RSS_MIB (1024; 0 skips the memory run).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc

bench_needs recovery curl openssl sha256sum dd in.tftpd python3 bc

mib=${RECOVERY_BENCH_MIB:-256}
runs=${RECOVERY_BENCH_RUNS:-3}
rss_mib=${RECOVERY_BENCH_RSS_MIB:-1024}
work=$(mktemp -d /var/tmp/recoverysim-bench-recovery.XXXXXX)
trap stop_daemons EXIT

# make_board NAME MIB PROFILE: keys (once), payloads of MIB in all (boot 1/8, system 5/8, vendor
# 2/8), a golden image in $work/srv/NAME.rsim, and a flashed board $work/NAME (profile ab or single)
# whose TFTP source is 127.0.0.1:$ours_port/NAME.rsim at blksize 65464, windowsize 16.
make_board() {
  local name=$1 total=$2 profile=${3:-ab}
  local b=$((total / 8)) s=$((total * 5 / 8)) v=$((total * 2 / 8))
  [ -d "$work/keys" ] || "$RECOVERYSIM" keys generate --out "$work/keys" >/dev/null
  head -c $((b << 20)) /dev/urandom >"$work/boot.bin"
  head -c $((s << 20)) /dev/urandom >"$work/system.bin"
  head -c $((v << 20)) /dev/urandom >"$work/vendor.bin"
  "$RECOVERYSIM" image build --key "$work/keys/private.pem" --board bench --version 1.0 --rollback-index 1 \
    --boot "$work/boot.bin" --system "$work/system.bin" --vendor "$work/vendor.bin" -o "$work/srv/$name.rsim" >/dev/null
  rm -f "$work/boot.bin" "$work/system.bin" "$work/vendor.bin"
  "$RECOVERYSIM" board create "$work/$name" --profile "$profile" --board bench --pubkey "$work/keys/public.pem" \
    --sizes "boot=$((b + 1))M,system=$((s + 1))M,vendor=$((v + 1))M,userdata=1M" \
    --tftp "127.0.0.1:$ours_port/$name.rsim" >/dev/null
  python3 - "$work/$name/board.json" <<'PY'
import json, sys
path = sys.argv[1]
config = json.load(open(path))
config["recovery"]["tftp"].update(blksize=65464, windowsize=16)
config["recovery"]["order"] = ["tftp"]
open(path, "w").write(json.dumps(config, indent=2))
PY
  "$RECOVERYSIM" board flash "$work/$name" "$work/srv/$name.rsim" >/dev/null
}

brick() {
  if grep -q '"profile": "single"' "$1/board.json"; then
    "$RECOVERYSIM" board corrupt "$1" --partition boot --header >/dev/null
  else
    "$RECOVERYSIM" board corrupt "$1" --partition boot_a --header >/dev/null
    "$RECOVERYSIM" board corrupt "$1" --partition boot_b --header >/dev/null
  fi
}

mkdir -p "$work/srv"
ours_port=$(free_port)
start ours "$ours_port" "$RECOVERYSIM" serve --root "$work/srv" --address 127.0.0.1 --port "$ours_port"
hpa_port=$(free_port)
start tftpd-hpa "$hpa_port" in.tftpd -L -s "$work/srv" -a "127.0.0.1:$hpa_port" -B 65464

make_board single "$mib" single
board="$work/single"
make_board ab "$mib" ab

# The tools' job: where each member's bytes are in the archive, where each partition starts on the
# disk (metadata, looked up before the clock starts).
python3 - "$work/srv/single.rsim" >"$work/members" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        if m.name.endswith(".img"):
            print(m.name[:-4], m.offset_data, m.size)
PY
"$RECOVERYSIM" board inspect "$board" --json >"$work/inspect.json"
python3 - "$work/inspect.json" "$work/members" >"$work/plan" <<'PY'
import json, sys
parts = {p["name"]: p for p in json.load(open(sys.argv[1]))["partitions"]}
for line in open(sys.argv[2]):
    kind, offset, size = line.split()
    print(kind, offset, size, parts[kind]["first_lba"] * 512)
PY
tools_job() {
  curl -s --tftp-blksize 65464 -o "$work/fetched.rsim" "tftp://127.0.0.1:$hpa_port/single.rsim"
  openssl dgst -sha256 "$work/fetched.rsim" >/dev/null
  while read -r kind offset size first; do
    dd if="$work/fetched.rsim" of="$board/disk.img" iflag=skip_bytes,count_bytes oflag=seek_bytes skip="$offset" count="$size" \
      seek="$first" bs=1M conv=notrunc,fsync status=none
  done <"$work/plan"
  while read -r kind offset size first; do
    dd if="$board/disk.img" iflag=skip_bytes,count_bytes skip="$first" count="$size" bs=1M status=none | sha256sum >/dev/null
  done <"$work/plan"
}
curl_only() { curl -s --tftp-blksize 65464 -o "$work/fetched.rsim" "tftp://127.0.0.1:$hpa_port/single.rsim"; }
# ours DIR OUT: bricks the board, then times one `recoverysim boot` (best of $runs); the best run's JSON goes to OUT.
ours() {
  local dir=$1 out=$2 best="" s e t
  for _ in $(seq "$runs"); do
    brick "$dir"
    s=$(date +%s.%N); "$RECOVERYSIM" boot "$dir" --json >"$work/boot.json"; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc -l)
    grep -q '"outcome": "recovered"' "$work/boot.json" || { echo "recovery bench: $dir did not recover: $(head -c 400 "$work/boot.json")" >&2; exit 1; }
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; cp "$work/boot.json" "$out"; fi
  done
  printf '%.3f\n' "$best"
}
dd_write() { dd if=/dev/zero of="$work/ddtest" bs=1M count="$mib" conv=fsync status=none; }

t_single=$(ours "$board" "$work/single.json")
t_ab=$(ours "$work/ab" "$work/ab.json")
t_tools=$(best_of "$runs" tools_job)
t_curl=$(best_of "$runs" curl_only)
t_dd=$(best_of "$runs" dd_write)
rm -f "$work/fetched.rsim" "$work/ddtest"

printf 'recovery of a bricked board, %d MiB golden image over loopback TFTP, best of %d\n' "$mib" "$runs"
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  recoverysim boot, single board (one slot)       %8.3f s\n' "$t_single"
printf '  recoverysim boot, A/B board (both slots)        %8.3f s\n' "$t_ab"
printf '  curl + openssl + dd conv=fsync + sha256sum     %8.3f s   (one slot)\n' "$t_tools"
printf '  curl from tftpd-hpa alone                       %8.3f s\n' "$t_curl"
printf '  dd of %d MiB with conv=fsync (the disk)         %8.3f s\n' "$mib" "$t_dd"
printf '  ratio single / tools                            %8s   (target <= 0.70)\n' "$(ratio "$t_single" "$t_tools")"
printf '  ratio single / curl                             %8s   (aim <= 1.50)\n' "$(ratio "$t_single" "$t_curl")"
printf '  ratio A/B / tools                               %8s   (writes twice the bytes)\n' "$(ratio "$t_ab" "$t_tools")"
for run in single ab; do
python3 - "$work/$run.json" "$run" <<'PY'
import json, sys
from datetime import datetime
events = json.load(open(sys.argv[1]))["events"]
t = lambda e: datetime.fromisoformat(e["time"])
marks = [("bootloader, recovery start", "recovery-started"), ("manifest verified", "golden-manifest-verified"),
         ("fetch, hash, write, read back, fsync", "slot-verified"), ("finish (and copy on A/B)", "recovery-completed")]
prev = t(events[0])
print(f"  phases of the {sys.argv[2]} run (from the boot log):")
for label, kind in marks:
    hits = [e for e in events if e["kind"] == kind and t(e) >= prev]
    if hits:
        at = t(hits[0])
        print(f"    {label:38s} {(at - prev).total_seconds():8.3f} s")
        prev = at
PY
done

if [ "$rss_mib" -gt 0 ]; then
  rm -rf "$board" "$work/ab" "$work/srv/single.rsim" "$work/srv/ab.rsim"
  make_board big "$rss_mib" ab
  brick "$work/big"
  peak=$(peak_rss_mib "$RECOVERYSIM" boot "$work/big")
  "$RECOVERYSIM" boot "$work/big" >/dev/null
  printf 'peak RSS of a recovery of a %d MiB golden image over TFTP: %s MiB (target <= 64)\n' "$rss_mib" "$peak"
fi
