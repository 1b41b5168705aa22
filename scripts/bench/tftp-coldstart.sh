#!/usr/bin/env bash
# TFTP cold start (issue 13): a freshly started `recoverysim serve` (the installed native binary)
# and a freshly started tftpd-hpa each serve ONE lockstep transfer of an 8 MiB file to curl at
# blksize 1468 (the first transfer after start, nothing warmed up), paired: ours, tftpd-hpa, ours,
# ... so a change in the machine's state hits both alike. Prints each server's median time from
# start to listening, the median first-transfer times and the median of the per-pair ratios
# (tftpd-hpa time / our time: 1.0 or more means ours is as fast). Then an idle server: its RSS,
# and its CPU time and context switches over a few seconds of idleness (no timers waking it).
#
#   scripts/bench.sh tftp-coldstart
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/tftp-coldstart.sh
#
# Knobs (environment): COLDSTART_PAIRS (9), COLDSTART_MIB (8), COLDSTART_IDLE_SECONDS (5).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc
bench_needs tftp-coldstart curl in.tftpd cmp python3

pairs=${COLDSTART_PAIRS:-9}
mib=${COLDSTART_MIB:-8}
idle=${COLDSTART_IDLE_SECONDS:-5}
work=$(mktemp -d /tmp/recoverysim-bench-coldstart.XXXXXX)
chmod 755 "$work"; mkdir -p "$work/root"
trap stop_daemons EXIT
head -c "$((mib << 20))" /dev/urandom > "$work/root/f.bin"
chmod 644 "$work/root/f.bin"

# now_us: a monotonic-enough wall clock in microseconds.
now_us() { echo $(( $(date +%s%N) / 1000 )); }

# fresh NAME: starts that server on a new port, times start-to-listening, then times its first
# transfer with curl; prints "START_US TRANSFER_US"; stops the server.
fresh() {
  local name=$1 port s ready e
  port=$(free_port)
  s=$(now_us)
  if [ "$name" = ours ]; then
    start ours "$port" "$RECOVERYSIM" serve --root "$work/root" --address 127.0.0.1 --port "$port" --json
  else
    start tftpd-hpa "$port" in.tftpd -L -s "$work/root" -a "127.0.0.1:$port"
  fi
  ready=$(now_us)
  curl -sS -o "$work/got.bin" --tftp-blksize 1468 "tftp://127.0.0.1:$port/f.bin"
  e=$(now_us)
  cmp -s "$work/root/f.bin" "$work/got.bin" || { echo "tftp-coldstart bench: $name sent wrong bytes" >&2; exit 1; }
  kill "${daemon_pids[-1]}"; wait "${daemon_pids[-1]}" 2>/dev/null || true
  unset 'daemon_pids[-1]'
  echo "$((ready - s)) $((e - ready))"
}

echo "tftp-coldstart: load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); $RECOVERYSIM"
: > "$work/pairs"
for _ in $(seq "$pairs"); do
  echo "$(fresh ours) $(fresh tftpd-hpa)" >> "$work/pairs"
done
python3 - "$mib" "$work/pairs" <<'PY'
import statistics, sys
mib, path = int(sys.argv[1]), sys.argv[2]
rows = [tuple(map(int, l.split())) for l in open(path) if l.strip()]
med = lambda xs: statistics.median(xs)
ours_start, ours_t, hpa_start, hpa_t = (med([r[i] for r in rows]) for i in range(4))
ratio = med([r[3] / r[1] for r in rows])
mbps = lambda us: mib * 1048576 / us
print(f"first transfer after start, {mib} MiB, curl blksize 1468, {len(rows)} pairs: "
      f"median ours {ours_t / 1000:.0f} ms ({mbps(ours_t):.1f} MB/s), tftpd-hpa {hpa_t / 1000:.0f} ms ({mbps(hpa_t):.1f} MB/s); "
      f"median of pair ratios (tftpd-hpa / ours) {ratio:.2f}x")
print(f"start to listening (process start until the UDP port is bound, 20 ms polling): median ours {ours_start / 1000:.0f} ms, tftpd-hpa {hpa_start / 1000:.0f} ms")
PY

# Idle: a fresh server that served one transfer, then nothing for $idle seconds.
port=$(free_port)
start ours "$port" "$RECOVERYSIM" serve --root "$work/root" --address 127.0.0.1 --port "$port" --json
pid=${daemon_pids[-1]}
curl -sS -o /dev/null --tftp-blksize 1468 "tftp://127.0.0.1:$port/f.bin"
sleep 1 # let the transfer thread and its dally end
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }                       # utime + stime, in clock ticks
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }
t0=$(ticks "$pid"); c0=$(switches "$pid")
sleep "$idle"
t1=$(ticks "$pid"); c1=$(switches "$pid")
rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
threads=$(ls "/proc/$pid/task" | wc -l)
echo "idle ours after one transfer: RSS $rss MiB, $threads threads; over ${idle} s idle: $((t1 - t0)) CPU ticks ($(getconf CLK_TCK)/s), $((c1 - c0)) context switches (all threads)"
