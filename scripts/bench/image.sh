#!/usr/bin/env bash
# Golden images side by side (issue #3 "Performance"), in one run on the same files:
#   verify: `recoverysim image verify` of a 256 MiB golden image vs `openssl dgst -sha256` of it
#           (target: at most 1.2x);
#   build:  `recoverysim image build` of the same 256 MiB vs `openssl dgst -sha256` of the
#           payloads plus a copy of them (`cat > file`) (target: at most 1.5x);
#   memory: peak RSS of verify and build at 256 MiB and at IMAGE_BENCH_BIG_MIB (target: < 100 MiB
#           whatever the size);
#   start:  `image verify` of a 12 KiB golden image: the fixed cost of starting the .NET CLI.
# Every time is the best of IMAGE_BENCH_RUNS runs with the files in the page cache.
#
#   scripts/bench.sh image                                 (publishes the native CLI, sets RECOVERYSIM)
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/image.sh
#
# Knobs (environment): IMAGE_BENCH_RUNS (5), IMAGE_BENCH_BIG_MIB (1024: the memory check; 0 skips it),
# IMAGE_BENCH_DIR (a scratch directory on a real disk, default /tmp).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc

bench_needs image openssl bc /usr/bin/time
runs=${IMAGE_BENCH_RUNS:-5}
big_mib=${IMAGE_BENCH_BIG_MIB:-1024}

work=$(mktemp -d "${IMAGE_BENCH_DIR:-/tmp}/recoverysim-bench-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

# best_cpu N CMD...: the least CPU time (user + system seconds) of N runs. On a shared machine
# wall time depends on everyone else's load; CPU time much less so.
best_cpu() {
  local n=$1; shift
  local best="" t
  for _ in $(seq "$n"); do
    /usr/bin/time -f '%U %S' -o "$work/cpu" "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; return 1; }
    t=$(tail -1 "$work/cpu" | awk '{printf "%.3f", $1 + $2}')
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}

# Payloads: boot 32 MiB, system 160 MiB, vendor 64 MiB of random bytes (256 MiB in all).
openssl rand -out "$work/boot.bin" $((32 << 20))
openssl rand -out "$work/system.bin" $((160 << 20))
openssl rand -out "$work/vendor.bin" $((64 << 20))
head -c 4096 /dev/urandom > "$work/tiny.bin"
"$RECOVERYSIM" keys generate --out "$work/keys" >/dev/null
key=$work/keys/private.pem pub=$work/keys/public.pem
build() { # build OUT BOOT SYSTEM VENDOR
  "$RECOVERYSIM" image build --key "$key" --board bench-board --version 1.0 --rollback-index 1 \
    --boot "$2" --system "$3" --vendor "$4" -o "$1"
}
build "$work/golden.img" "$work/boot.bin" "$work/system.bin" "$work/vendor.bin" >/dev/null
build "$work/tiny.img" "$work/tiny.bin" "$work/tiny.bin" "$work/tiny.bin" >/dev/null
"$RECOVERYSIM" image verify "$work/golden.img" --pubkey "$pub" >/dev/null
cat "$work"/*.bin "$work/golden.img" >/dev/null   # into the page cache
size=$(stat -c %s "$work/golden.img")
echo "golden image: $size bytes ($(ratio "$size" 1048576) MiB), members boot 32 MiB, system 160 MiB, vendor 64 MiB; best of $runs"

# verify vs openssl dgst, alternating so that both see the same machine load.
t_openssl=$(best_of "$runs" openssl dgst -sha256 "$work/golden.img")
t_verify=$(best_of "$runs" "$RECOVERYSIM" image verify "$work/golden.img" --pubkey "$pub")
t_openssl2=$(best_of "$runs" openssl dgst -sha256 "$work/golden.img")
t_openssl=$(echo "if ($t_openssl2 < $t_openssl) $t_openssl2 else $t_openssl" | bc -l)
t_start=$(best_of "$runs" "$RECOVERYSIM" image verify "$work/tiny.img" --pubkey "$pub")
printf 'verify:  recoverysim image verify %6.3f s   openssl dgst -sha256 %6.3f s   ratio %s (target <= 1.20)\n' \
  "$t_verify" "$t_openssl" "$(ratio "$t_verify" "$t_openssl")"
printf 'start:   recoverysim image verify of a 12 KiB image %6.3f s (the fixed cost inside the figure above)\n' "$t_start"
c_verify=$(best_cpu "$runs" "$RECOVERYSIM" image verify "$work/golden.img" --pubkey "$pub")
c_openssl=$(best_cpu "$runs" openssl dgst -sha256 "$work/golden.img")
c_start=$(best_cpu "$runs" "$RECOVERYSIM" image verify "$work/tiny.img" --pubkey "$pub")
printf 'cpu:     verify %6.3f s, openssl dgst %6.3f s, ratio %s; start-up %6.3f s of CPU\n' \
  "$c_verify" "$c_openssl" "$(ratio "$c_verify" "$c_openssl")" "$c_start"

# build vs openssl dgst + a copy of the payloads.
t_dgst=$(best_of "$runs" openssl dgst -sha256 "$work/boot.bin" "$work/system.bin" "$work/vendor.bin")
t_copy=$(best_of "$runs" sh -c "cat '$work/boot.bin' '$work/system.bin' '$work/vendor.bin' > '$work/copy.bin'")
t_build=$(best_of "$runs" build "$work/out.img" "$work/boot.bin" "$work/system.bin" "$work/vendor.bin")
t_base=$(echo "$t_dgst + $t_copy" | bc -l)
printf 'build:   recoverysim image build  %6.3f s   openssl dgst %6.3f s + copy %6.3f s = %6.3f s   ratio %s (target <= 1.50)\n' \
  "$t_build" "$t_dgst" "$t_copy" "$t_base" "$(ratio "$t_build" "$t_base")"
rm -f "$work/copy.bin" "$work/out.img"


# Peak memory, at 256 MiB and at big_mib (payload of zeros: memory does not depend on content).
rss_verify=$(peak_rss_mib "$RECOVERYSIM" image verify "$work/golden.img" --pubkey "$pub")
rss_build=$(peak_rss_mib "$RECOVERYSIM" image build --key "$key" --board bench-board --version 1.0 --rollback-index 1 \
  --boot "$work/boot.bin" --system "$work/system.bin" --vendor "$work/vendor.bin" -o "$work/out.img")
rss_openssl=$(peak_rss_mib openssl dgst -sha256 "$work/golden.img")
printf 'memory:  256 MiB image: verify %s MiB, build %s MiB peak RSS (openssl dgst %s MiB) (target < 100)\n' "$rss_verify" "$rss_build" "$rss_openssl"
rm -f "$work/out.img"
if [ "$big_mib" -gt 0 ]; then
  rm -f "$work/golden.img"
  head -c $((big_mib << 20)) /dev/zero > "$work/big.bin"
  rss_build_big=$(peak_rss_mib "$RECOVERYSIM" image build --key "$key" --board bench-board --version 1.0 --rollback-index 1 \
    --boot "$work/boot.bin" --system "$work/big.bin" --vendor "$work/vendor.bin" -o "$work/big.img")
  rss_verify_big=$(peak_rss_mib "$RECOVERYSIM" image verify "$work/big.img" --pubkey "$pub")
  printf 'memory:  %s MiB system partition: verify %s MiB, build %s MiB peak RSS (target < 100)\n' "$big_mib" "$rss_verify_big" "$rss_build_big"
fi
