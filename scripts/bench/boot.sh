#!/usr/bin/env bash
# Boot side by side (issue #4 "Performance"): one power-on of a board whose slot holds three
# partitions totalling 256 MiB (boot 1/8, system 5/8, vendor 2/8), against openssl dgst -sha256
# over the same payload bytes. Target: boot <= 1.3 x openssl. Every timed boot is a full
# verification: headers (Ed25519), payload SHA-256, the OS marking success.
#
#   scripts/bench.sh boot                                    (publishes the native CLI, sets RECOVERYSIM)
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/boot.sh
#
# Knobs (environment): BOOT_BENCH_MIB (256: total payload), BOOT_BENCH_RUNS (5: best of N).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc

bench_needs boot openssl bc

# best_cpu N CMD...: the least CPU time (user + system seconds) of N runs: on a machine shared
# with other work, wall time measures the queue; CPU time still compares the work done.
best_cpu() {
  local n=$1; shift
  local best=""
  for _ in $(seq "$n"); do
    local t
    /usr/bin/time -f '%U %S' -o "$work/cpu" "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; return 1; }
    t=$(tail -1 "$work/cpu" | awk '{printf "%.3f", $1 + $2}')
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  printf '%.3f\n' "$best"
}

mib=${BOOT_BENCH_MIB:-256}
runs=${BOOT_BENCH_RUNS:-5}
(( mib >= 8 && mib % 8 == 0 )) || { echo "boot bench: BOOT_BENCH_MIB must be a multiple of 8, at least 8" >&2; exit 2; }
boot_mib=$((mib / 8)); system_mib=$((mib * 5 / 8)); vendor_mib=$((mib * 2 / 8))

work=$(mktemp -d /tmp/recoverysim-bench-boot.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$RECOVERYSIM" keys generate --out "$work/keys" >/dev/null
head -c $((boot_mib << 20)) /dev/urandom >"$work/boot.bin"
head -c $((system_mib << 20)) /dev/urandom >"$work/system.bin"
head -c $((vendor_mib << 20)) /dev/urandom >"$work/vendor.bin"
"$RECOVERYSIM" image build --key "$work/keys/private.pem" --board bench --version 1.0 --rollback-index 1 \
  --boot "$work/boot.bin" --system "$work/system.bin" --vendor "$work/vendor.bin" -o "$work/golden.tar" >/dev/null
"$RECOVERYSIM" board create "$work/board" --board bench --pubkey "$work/keys/public.pem" \
  --sizes "boot=$((boot_mib + 1))M,system=$((system_mib + 1))M,vendor=$((vendor_mib + 1))M,userdata=1M" >/dev/null
"$RECOVERYSIM" board flash "$work/board" "$work/golden.tar" >/dev/null
rm -f "$work/golden.tar"

# The first boot marks slot a successful; check that a boot really verifies the three partitions.
"$RECOVERYSIM" boot "$work/board" >/dev/null
verified=$("$RECOVERYSIM" boot "$work/board" --json | grep -c '"kind": "partition-verified"')
[ "$verified" = 3 ] || { echo "boot bench: a boot verified $verified partitions, expected 3" >&2; exit 1; }

t_boot=$(best_of "$runs" "$RECOVERYSIM" boot "$work/board")
t_ssl=$(best_of "$runs" openssl dgst -sha256 "$work/boot.bin" "$work/system.bin" "$work/vendor.bin")
t_start=$(best_of "$runs" "$RECOVERYSIM" --version)
c_boot=$(best_cpu "$runs" "$RECOVERYSIM" boot "$work/board")
c_ssl=$(best_cpu "$runs" openssl dgst -sha256 "$work/boot.bin" "$work/system.bin" "$work/vendor.bin")
printf 'boot of a slot with %d MiB (boot %d, system %d, vendor %d), best of %d\n' "$mib" "$boot_mib" "$system_mib" "$vendor_mib" "$runs"
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  recoverysim boot          %8.3f s wall  %8.3f s cpu\n' "$t_boot" "$c_boot"
printf '  openssl dgst -sha256      %8.3f s wall  %8.3f s cpu\n' "$t_ssl" "$c_ssl"
printf '  (recoverysim --version    %8.3f s: process start-up alone)\n' "$t_start"
printf '  ratio boot / openssl      %8s wall %8s cpu  (target <= 1.30)\n' "$(ratio "$t_boot" "$t_ssl")" "$(ratio "$c_boot" "$c_ssl")"
