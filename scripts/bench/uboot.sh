#!/usr/bin/env bash
# U-Boot on a busy bench (issue 15): U-Boot's tftpboot (Debian u-boot-qemu, the qemu_arm64 build,
# under qemu-system-aarch64) fetches from our server, from our server with polling off
# (--receive-spin-us 0) and from tftpd-hpa, in one run, first on the machine as it is ("quiet")
# and then with one CPU hog beside it (a busy loop that ends by itself). Prints U-Boot's own
# rates (its timer, MiB/s) and the ratios.
#
#   scripts/bench.sh uboot
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/uboot.sh
#
# The network: a namespace of its own (rsim-bench-uboot-PID) with one tap; the board is
# 192.0.2.2, our server 192.0.2.1, ours with polling off 192.0.2.3, tftpd-hpa 192.0.2.4, and a
# second tftpd-hpa for the board's warm-up 192.0.2.5, all on port 69 inside the namespace (RFC 5737
# documentation addresses). Removed at the end. Needs root. Each phase starts fresh servers and a
# fresh board, so the first transfer of a fresh server counts.
#
# Knobs (environment): UBOOT_BENCH_MIB (8: the file), UBOOT_BENCH_PAIRS (6: lockstep rounds, one
# fetch from each server a round), UBOOT_BENCH_WINDOWED (10: windowsize-8 rounds, likewise; the
# board fetches all of a phase in a row), UBOOT_BENCH_PHASES ("quiet hog"), UBOOT_BENCH_SERVE_ARGS
# (extra `serve` arguments).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc
uboot=/usr/lib/u-boot/qemu_arm64/u-boot.bin
bench_needs uboot in.tftpd qemu-system-aarch64 ip python3
[ -f "$uboot" ] || { echo "uboot bench: $uboot missing (u-boot-qemu); run: sudo bash scripts/install-peers.sh" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "uboot bench: needs root for its network namespace and tap" >&2; exit 1; }

mib=${UBOOT_BENCH_MIB:-8}
pairs=${UBOOT_BENCH_PAIRS:-6}
windowed=${UBOOT_BENCH_WINDOWED:-10}
read -r -a phases <<< "${UBOOT_BENCH_PHASES:-quiet hog}"
read -r -a serve_args <<< "${UBOOT_BENCH_SERVE_ARGS:-}"
ns="rsim-bench-uboot-$$"
tap=rsimtap0
ours=192.0.2.1 board=192.0.2.2 nospin=192.0.2.3 hpa=192.0.2.4 warm=192.0.2.5

work=$(mktemp -d /tmp/recoverysim-bench-uboot.XXXXXX)
chmod 755 "$work"; mkdir -p "$work/root"; chmod 755 "$work/root"
hog_pid=""
cleanup() {
  [ -z "$hog_pid" ] || kill "$hog_pid" 2>/dev/null || true
  stop_daemons
  ip netns delete "$ns" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add dev "$tap" mode tap
for a in $ours $nospin $hpa $warm; do ip -n "$ns" addr add "$a/24" dev "$tap"; done
ip -n "$ns" link set "$tap" up

head -c "$((mib << 20))" /dev/urandom > "$work/root/image.bin"
chmod 644 "$work/root/image.bin"
crc=$(python3 -c "import sys, zlib; print('%08x' % zlib.crc32(open(sys.argv[1], 'rb').read()))" "$work/root/image.bin")

# in_ns_bound ADDR: true when something inside the namespace holds UDP ADDR:69 (/proc/net/udp is per namespace).
in_ns_bound() {
  local hex; hex=$(printf '%02X%02X%02X%02X:0045' $(echo "$1" | awk -F. '{print $4, $3, $2, $1}'))
  ip netns exec "$ns" grep -qi " $hex " /proc/net/udp
}
# serve NAME ADDR CMD...: starts a server inside the namespace and waits until it holds ADDR:69.
serve() {
  local name=$1 addr=$2; shift 2
  ip netns exec "$ns" "$@" >"$work/$name.log" 2>&1 &
  daemon_pids+=($!)
  for _ in $(seq 500); do
    in_ns_bound "$addr" && return 0
    kill -0 "${daemon_pids[-1]}" 2>/dev/null || break
    sleep 0.02
  done
  echo "uboot bench: $name did not start on $addr:69: $(tail -3 "$work/$name.log")" >&2
  exit 1
}
stop_servers() {
  local p
  for p in "${daemon_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${daemon_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  daemon_pids=()
}
# A bounded busy loop: one CPU, ends by itself after $1 seconds.
hog() { local end=$((SECONDS + $1)); while [ $SECONDS -lt $end ]; do :; done; }

echo "uboot: $mib MiB, $(grep -a -m1 -o "U-Boot 20[0-9.]*" "$uboot" | head -1), $(qemu-system-aarch64 --version | head -1)"
for phase in "${phases[@]}"; do
  if [ "$phase" = hog ]; then
    hog 900 & hog_pid=$!
  fi
  serve ours "$ours" "$RECOVERYSIM" serve --root "$work/root" --address "$ours" --port 69 --json "${serve_args[@]}"
  serve ours-nospin "$nospin" "$RECOVERYSIM" serve --root "$work/root" --address "$nospin" --port 69 --json --receive-spin-us 0 "${serve_args[@]}"
  serve tftpd-hpa "$hpa" in.tftpd -L -s "$work/root" -a "$hpa:69"
  serve warm-up "$warm" in.tftpd -L -s "$work/root" -a "$warm:69"
  echo "uboot [$phase]: load average at start $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores), cpu pressure $(awk '/^some/ {print $2}' /proc/pressure/cpu 2>/dev/null || echo 'n/a')"
  {
    # A fresh board runs its TFTP code for the first time under QEMU's translator, which would
    # slow whichever fetch comes first: two fetches from the warm-up server take that, so the
    # first fetch counted is the first of a fresh server and not of a fresh board.
    echo "warm-up $warm 1468 1 image.bin $crc"
    echo "warm-up $warm 1468 8 image.bin $crc"
    for _ in $(seq "$pairs"); do
      echo "lockstep-ours $ours 1468 1 image.bin $crc"
      echo "lockstep-nospin $nospin 1468 1 image.bin $crc"
      echo "lockstep-hpa $hpa 1468 1 image.bin $crc"
    done
    # The windowed fetches in rounds too: ten in a row by the board, each server's fetches spread
    # over the same stretch of time, so a slower spell of the machine hits all three alike.
    for _ in $(seq "$windowed"); do
      echo "w8-ours $ours 1468 8 image.bin $crc"
      echo "w8-nospin $nospin 1468 8 image.bin $crc"
      echo "w8-hpa $hpa 1468 8 image.bin $crc"
    done
  } | python3 scripts/bench/uboot-console.py --netns "$ns" --tap "$tap" --ipaddr "$board" > "$work/$phase.jsonl"
  # CPU seconds our two servers used over the phase (utime + stime, /proc/PID/stat fields 14 and
  # 15). Not tftpd-hpa's: it serves each transfer in a forked child whose times never reach it.
  tick=$(getconf CLK_TCK); cpu=""
  for i in 0 1; do
    cpu+="$(awk -v t="$tick" '{printf "%.2f", ($14 + $15) / t}' "/proc/${daemon_pids[$i]}/stat" 2>/dev/null || echo '?') "
  done
  read -r cpu_ours cpu_nospin <<< "$cpu"
  echo "uboot [$phase] server CPU seconds over the phase: ours $cpu_ours, ours with polling off $cpu_nospin"
  stop_servers
  if [ -n "$hog_pid" ]; then kill "$hog_pid" 2>/dev/null || true; wait "$hog_pid" 2>/dev/null || true; hog_pid=""; fi
  python3 - "$phase" "$work/$phase.jsonl" <<'PY'
import json, statistics, sys
phase, path = sys.argv[1], sys.argv[2]
rows = [json.loads(line) for line in open(path) if line.strip()]
bad = [r for r in rows if not r["crc_ok"]]
if bad:
    sys.exit(f"uboot bench: {len(bad)} fetches not bit-exact: {bad[:3]}")
def rates(label): return [r["mib_per_s"] for r in rows if r["label"] == label]
def timeouts(label): return sum(r["timeouts"] for r in rows if r["label"] == label)
fmt = lambda xs: " ".join(f"{x:.1f}" for x in xs)
lo, ln, lh = rates("lockstep-ours"), rates("lockstep-nospin"), rates("lockstep-hpa")
print(f"uboot [{phase}] lockstep 1468: ours {fmt(lo)} | ours, polling off {fmt(ln)} | tftpd-hpa {fmt(lh)} MiB/s")
print(f"uboot [{phase}] lockstep 1468: ours/tftpd-hpa {statistics.median(lo) / statistics.median(lh):.2f}x (medians; first fetch {lo[0] / lh[0]:.2f}x, "
      f"worst round {min(o / h for o, h in zip(lo, lh)):.2f}x); ours/polling off {statistics.median(lo) / statistics.median(ln):.2f}x")
wo, wn, wh = rates("w8-ours"), rates("w8-nospin"), rates("w8-hpa")
print(f"uboot [{phase}] windowsize 8: ours {fmt(wo)} | ours, polling off {fmt(wn)} | tftpd-hpa (no windows) {fmt(wh)} MiB/s; U-Boot timeouts ours {timeouts('w8-ours')}, polling off {timeouts('w8-nospin')}")
print(f"uboot [{phase}] windowsize 8: every fetch of ours / median tftpd-hpa: min {min(wo) / statistics.median(wh):.2f}x, median {statistics.median(wo) / statistics.median(wh):.2f}x; "
      f"ours/polling off {statistics.median(wo) / statistics.median(wn):.2f}x")
PY
  # What the polling rule did, from the transfer log: receives that polled, and a poll's mean time.
  python3 - "$phase" "$work/ours.log" "$work/ours-nospin.log" <<'PY'
import json, sys
phase = sys.argv[1]
for name, path in zip(("ours", "ours-nospin"), sys.argv[2:]):
    rows = [json.loads(line) for line in open(path) if '"event":"transfer"' in line]
    retrans = sum(1 for r in rows if r["retransmissions"] > 0)
    parts = []
    for window in sorted({r["windowsize"] for r in rows}):
        sel = [r for r in rows if r["windowsize"] == window]
        # .get: a server from before the log counted polls (comparing builds) has no such fields.
        receives, polls = sum(r.get("receives", 0) for r in sel), sum(r.get("polls", 0) for r in sel)
        hits, seconds = sum(r.get("poll_hits", 0) for r in sel), sum(r.get("poll_seconds", 0) for r in sel)
        mean = f"{seconds / polls * 1e6:.1f} us a poll, {hits / polls:.0%} hit" if polls else "no polls"
        parts.append(f"windowsize {window}: {polls}/{receives} receives polled ({mean})")
    print(f"uboot [{phase}] {name}: {len(rows)} transfers, {retrans} with retransmissions; " + "; ".join(parts))
PY
done
