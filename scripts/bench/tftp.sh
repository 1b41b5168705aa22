#!/usr/bin/env bash
# TFTP side by side (issue #5 "Performance"), in one run on loopback: our server and client
# against tftpd-hpa, atftpd, curl and atftp on the same files; prints MB/s (10^6 bytes/s),
# ratios and the targets. Every download is checked bit-exact (cmp) before its time counts.
#
#   scripts/bench.sh tftp                                  (publishes the native CLI, sets RECOVERYSIM)
#   RECOVERYSIM=path/to/recoverysim bash scripts/bench/tftp.sh
#
# Knobs (environment): TFTP_BENCH_MIB (256: the big file), TFTP_BENCH_RUNS (3: best of N for
# fast cases), TFTP_BENCH_SLOW_RUNS (1: best of N for the 512-byte lockstep and windowsize-1 cases),
# TFTP_BENCH_RELAY_MIB (8: the file sent through the 1 ms relay), TFTP_BENCH_CLIENTS (32) and
# TFTP_BENCH_CLIENT_MIB (64: the many-clients case), TFTP_BENCH_CASES (a b c d e: which cases).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top"
# shellcheck source=common.inc
source scripts/bench/common.inc

atftpd=${RECOVERYSIM_ATFTPD:-$top/.peers/atftpd/usr/sbin/atftpd}
bench_needs tftp curl atftp in.tftpd bc cmp
[ -x "$atftpd" ] || { echo "tftp bench: atftpd missing at $atftpd; run: sudo bash scripts/install-peers.sh" >&2; exit 1; }

mib=${TFTP_BENCH_MIB:-256}
runs=${TFTP_BENCH_RUNS:-3}
slow_runs=${TFTP_BENCH_SLOW_RUNS:-1}
relay_mib=${TFTP_BENCH_RELAY_MIB:-8}
clients=${TFTP_BENCH_CLIENTS:-32}
client_mib=${TFTP_BENCH_CLIENT_MIB:-64}
cases=" ${TFTP_BENCH_CASES:-a b c d e} "
want() { [[ "$cases" == *" $1 "* ]]; }

work=$(mktemp -d /tmp/recoverysim-bench-tftp.XXXXXX)
chmod 755 "$work"; mkdir -p "$work/root" "$work/out"; chmod 777 "$work/root" "$work/out"
trap stop_daemons EXIT

# timed NAME RUNS SOURCE OUTPUT CMD...: best wall time of CMD over RUNS; the first run's OUTPUT must
# equal SOURCE (cmp, outside the timing) or the bench stops.
timed() {
  local name=$1 n=$2 source=$3 output=$4; shift 4
  local best="" i s e t
  for i in $(seq "$n"); do
    rm -f "$output"
    s=$(date +%s.%N)
    "$@" >"$work/check.log" 2>&1 || { echo "tftp bench: $name failed: $* : $(tail -3 "$work/check.log")" >&2; exit 1; }
    e=$(date +%s.%N)
    if [ "$i" = 1 ]; then
      cmp -s "$source" "$output" || { echo "tftp bench: $name: $output differs from $source" >&2; exit 1; }
    fi
    t=$(echo "$e - $s" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  rm -f "$output"
  printf '%.3f\n' "$best"
}
# timed_ours NAME RUNS SOURCE OUTPUT CMD...: like timed, for `recoverysim tftp get ... --json`: prints
# "TRANSFER WALL", the best transfer time the client reports (request to last packet) and the best
# wall time (which adds the process start, about 6 ms for the native build, and the fsync of OUTPUT).
timed_ours() {
  local name=$1 n=$2 source=$3 output=$4; shift 4
  local best_t="" best_w="" i s e w t
  for i in $(seq "$n"); do
    rm -f "$output"
    s=$(date +%s.%N)
    "$@" --json >"$work/check.log" 2>&1 || { echo "tftp bench: $name failed: $* : $(tail -3 "$work/check.log")" >&2; exit 1; }
    e=$(date +%s.%N)
    if [ "$i" = 1 ]; then
      cmp -s "$source" "$output" || { echo "tftp bench: $name: $output differs from $source" >&2; exit 1; }
    fi
    t=$(grep -o '"seconds":[0-9.eE+-]*' "$work/check.log" | head -1 | cut -d: -f2)
    [ -n "$t" ] || { echo "tftp bench: $name: no \"seconds\" in: $(head -c 300 "$work/check.log")" >&2; exit 1; }
    t=$(printf '%.6f' "$t"); w=$(echo "$e - $s" | bc -l)
    if [ -z "$best_t" ] || [ "$(echo "$t < $best_t" | bc -l)" = 1 ]; then best_t=$t; fi
    if [ -z "$best_w" ] || [ "$(echo "$w < $best_w" | bc -l)" = 1 ]; then best_w=$w; fi
  done
  rm -f "$output"
  printf '%.6f %.3f\n' "$best_t" "$best_w"
}
# cpu_seconds PID: CPU time of PID so far (user + system, reaped children included), in seconds.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13 + $14 + $15) / hz }' "/proc/$1/stat"; }
# child_sampler PARENT FILE: until killed, every 20 ms, appends "PID TICKS" (user + system) for each
# child of PARENT. tftpd-hpa serves each transfer in a forked child that is reaped without its
# times reaching the parent's, so this is how its CPU is seen (missing at most the last 20 ms of
# each child).
child_sampler() {
  local parent=$1 file=$2 child
  while :; do
    for child in $(pgrep -P "$parent"); do
      awk -v pid="$child" '{ sub(/^.*\) /, ""); print pid, $12 + $13 }' "/proc/$child/stat" 2>/dev/null >>"$file" || true
    done
    sleep 0.02
  done
}
# with_cpu PID NAME RUNS SOURCE OUTPUT CMD...: timed, plus the server PID's CPU seconds per run
# (its children's included): prints "BEST_WALL CPU_PER_RUN". On a shared CPU the wall time is
# mostly scheduling; the CPU a server spends per transfer is what the load does not distort.
with_cpu() {
  local pid=$1 n=$3 c0 c1 t sampler children=0
  : >"$work/children.cpu"
  child_sampler "$pid" "$work/children.cpu" &
  sampler=$!
  c0=$(cpu_seconds "$pid")
  t=$(timed "${@:2}")
  sleep 0.2 # a forking server reaps its transfer child
  c1=$(cpu_seconds "$pid")
  kill "$sampler"; wait "$sampler" 2>/dev/null || true
  children=$(awk -v hz="$(getconf CLK_TCK)" '{ if ($2 > m[$1]) m[$1] = $2 } END { s = 0; for (p in m) s += m[p]; print s / hz }' "$work/children.cpu")
  printf '%s %.3f\n' "$t" "$(echo "($c1 - $c0 + $children) / $n" | bc -l)"
}
# cpu_row LABEL OURS_CPU OTHER_CPU: a row of server CPU seconds per transfer; ratio = other / ours.
cpu_row() {
  local r; r=$(ratio "$3" "$2")
  rows+=("$(printf '%-58s %9s %9s %6sx  %-14s %s' "$1" "$2" "$3" "$r" "(CPU s/xfer)" "")")
  echo "  $1: ours $2 s, other $3 s, ratio $r"
}
mbps() { printf '%.1f' "$(echo "$1 * 1048576 / $2 / 1000000" | bc -l)"; }
# verdict RATIO MIN: "ok" or "MISSED by N%"
verdict() {
  if [ "$(echo "$1 >= $2" | bc -l)" = 1 ]; then echo ok; else printf 'MISSED by %.0f%%\n' "$(echo "(1 - $1 / $2) * 100" | bc -l)"; fi
}
rows=()
# row LABEL MIB OURS_SECONDS PEER_SECONDS MIN_RATIO TARGET_TEXT (MIN_RATIO "": a row for information, no verdict)
row() {
  local ours peer r
  ours=$(mbps "$2" "$3"); peer=$(mbps "$2" "$4"); r=$(ratio "$4" "$3")
  rows+=("$(printf '%-58s %9s %9s %6sx  %-14s %s' "$1" "$ours" "$peer" "$r" "$6" "$([ -n "$5" ] && verdict "$r" "$5")")")
  echo "  $1: ours $ours MB/s, other $peer MB/s, ratio $r"
}

echo "tftp: load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo "tftp: making files ($mib MiB big file) in $work"
head -c "$((mib << 20))" /dev/urandom > "$work/root/big.bin"
chmod 644 "$work/root/big.bin"

p_ours=$(free_port); start ours "$p_ours" "$RECOVERYSIM" serve --root "$work/root" --address 127.0.0.1 --port "$p_ours" --json
pid_ours=${daemon_pids[-1]}
p_hpa=$(free_port); start tftpd-hpa "$p_hpa" in.tftpd -L -s "$work/root" -a "127.0.0.1:$p_hpa"
pid_hpa=${daemon_pids[-1]}
p_at=$(free_port); start atftpd "$p_at" "$atftpd" --daemon --no-fork --port "$p_at" --bind-address 127.0.0.1 \
  --user root --group root --logfile /dev/null --maxthread 100 "$work/root"
pid_at=${daemon_pids[-1]}
src=$work/root/big.bin out=$work/out/big.bin

# Warm-up: one small transfer per server and client kind, so that our server's JIT (tiered
# compilation) is not billed to the first measured run, as the C peers have nothing to warm.
head -c $((4 << 20)) /dev/urandom > "$work/root/warm.bin"; chmod 644 "$work/root/warm.bin"
for port in "$p_ours" "$p_hpa" "$p_at"; do
  curl -sS -o "$work/out/warm.bin" --tftp-blksize 65464 "tftp://127.0.0.1:$port/warm.bin"
  curl -sS -o "$work/out/warm.bin" --tftp-blksize 512 "tftp://127.0.0.1:$port/warm.bin"
  atftp -g -r warm.bin -l "$work/out/warm.bin" --option "blksize 1468" --option "windowsize 8" 127.0.0.1 "$port" >/dev/null 2>&1
done
rm -f "$work/out/warm.bin"

if want a; then
  echo "(a) curl, lockstep, $mib MiB"
  res=$(with_cpu "$pid_ours" curl-ours-65464 "$runs" "$src" "$out" curl -sS -o "$out" --tftp-blksize 65464 "tftp://127.0.0.1:$p_ours/big.bin")
  read -r t_ours_big c_ours_big <<< "$res"
  res=$(with_cpu "$pid_hpa" curl-hpa-65464 "$runs" "$src" "$out" curl -sS -o "$out" --tftp-blksize 65464 "tftp://127.0.0.1:$p_hpa/big.bin")
  read -r t_hpa_big c_hpa_big <<< "$res"
  row "(a) curl --tftp-blksize 65464: ours vs tftpd-hpa" "$mib" "$t_ours_big" "$t_hpa_big" 1.0 ">=1.0 (aim 1.1)"
  cpu_row "(a)   65464: server CPU per transfer" "$c_ours_big" "$c_hpa_big"
  res=$(with_cpu "$pid_ours" curl-ours-512 "$slow_runs" "$src" "$out" curl -sS -o "$out" --tftp-blksize 512 "tftp://127.0.0.1:$p_ours/big.bin")
  read -r t_ours_512 c_ours_512 <<< "$res"
  res=$(with_cpu "$pid_hpa" curl-hpa-512 "$slow_runs" "$src" "$out" curl -sS -o "$out" --tftp-blksize 512 "tftp://127.0.0.1:$p_hpa/big.bin")
  read -r t_hpa_512 c_hpa_512 <<< "$res"
  row "(a) curl --tftp-blksize 512: ours vs tftpd-hpa" "$mib" "$t_ours_512" "$t_hpa_512" 1.0 ">=1.0 (aim 1.1)"
  cpu_row "(a)   512: server CPU per transfer" "$c_ours_512" "$c_hpa_512"
fi

if want b; then
  echo "(b) atftp blksize 1468 windowsize 8, $mib MiB"
  atftp_get() { atftp -g -r big.bin -l "$out" --option "blksize 1468" --option "windowsize 8" 127.0.0.1 "$1"; }
  res=$(with_cpu "$pid_ours" atftp-ours "$runs" "$src" "$out" atftp_get "$p_ours")
  read -r t_at_ours c_at_ours <<< "$res"
  res=$(with_cpu "$pid_hpa" atftp-hpa "$slow_runs" "$src" "$out" atftp_get "$p_hpa")
  read -r t_at_hpa c_at_hpa <<< "$res"
  res=$(with_cpu "$pid_at" atftp-atftpd "$runs" "$src" "$out" atftp_get "$p_at")
  read -r t_at_atftpd c_at_atftpd <<< "$res"
  row "(b) atftp 1468/8: ours vs tftpd-hpa (no window)" "$mib" "$t_at_ours" "$t_at_hpa" 2.5 ">=2.5"
  cpu_row "(b)   server CPU per transfer vs tftpd-hpa" "$c_at_ours" "$c_at_hpa"
  row "(b) atftp 1468/8: ours vs atftpd" "$mib" "$t_at_ours" "$t_at_atftpd" 1.0 ">=1.0"
  cpu_row "(b)   server CPU per transfer vs atftpd" "$c_at_ours" "$c_at_atftpd"
fi

if want c; then
  echo "(c) our client against our server, $mib MiB"
  best_c="" best_c_wall="" best_c_label=""
  for setting in "65464 16" "65464 8" "32768 32" "8192 64"; do
    set -- $setting
    res=$(timed_ours "ours-$1-$2" "$runs" "$src" "$out" "$RECOVERYSIM" tftp get "127.0.0.1:$p_ours" big.bin -o "$out" --blksize "$1" --windowsize "$2")
    read -r t w <<< "$res"
    echo "  blksize $1 windowsize $2: $(mbps "$mib" "$t") MB/s transfer, $(mbps "$mib" "$w") MB/s wall"
    if [ -z "$best_c" ] || [ "$(echo "$t < $best_c" | bc -l)" = 1 ]; then best_c=$t; best_c_wall=$w; best_c_label="$1/$2"; fi
  done
  # The best tftpd-hpa + curl figure of (a) (measured now if (a) did not run).
  t_hpa_best=${t_hpa_big:-$(timed curl-hpa-65464 "$runs" "$src" "$out" curl -sS -o "$out" --tftp-blksize 65464 "tftp://127.0.0.1:$p_hpa/big.bin")}
  if [ -n "${t_hpa_512:-}" ] && [ "$(echo "$t_hpa_512 < $t_hpa_best" | bc -l)" = 1 ]; then t_hpa_best=$t_hpa_512; fi
  row "(c) our client $best_c_label vs best tftpd-hpa+curl" "$mib" "$best_c" "$t_hpa_best" 2.0 ">=2.0"
  row "(c) same, wall time incl. start and fsync of the output" "$mib" "$best_c_wall" "$t_hpa_best" "" "(information)"
  # Our client fsyncs its output before the rename (a fetched golden image must survive a power
  # cut); curl never does. With both writing to tmpfs the flush costs nothing, and the wall times
  # compare the transfers alone, process starts included.
  shm=$(mktemp -d /dev/shm/recoverysim-bench-tftp.XXXXXX)
  set -- ${best_c_label/\// }
  res=$(timed_ours "ours-tmpfs" "$runs" "$src" "$shm/big.bin" "$RECOVERYSIM" tftp get "127.0.0.1:$p_ours" big.bin -o "$shm/big.bin" --blksize "$1" --windowsize "$2")
  read -r _ w_shm <<< "$res"
  t_hpa_shm=$(timed curl-hpa-tmpfs "$runs" "$src" "$shm/big.bin" curl -sS -o "$shm/big.bin" --tftp-blksize 65464 "tftp://127.0.0.1:$p_hpa/big.bin")
  rm -rf "$shm"
  echo "  both writing to tmpfs: ours $(mbps "$mib" "$w_shm") MB/s wall, tftpd-hpa + curl $(mbps "$mib" "$t_hpa_shm") MB/s wall"
  row "(c) wall times, both clients writing to tmpfs" "$mib" "$w_shm" "$t_hpa_shm" "" "(information)"
fi

if want d; then
  echo "(d) through the relay, 1 ms delay each way, blksize 1468, $relay_mib MiB"
  head -c "$((relay_mib << 20))" /dev/urandom > "$work/root/relay.bin"; chmod 644 "$work/root/relay.bin"
  artifacts=${TFTP_BENCH_ARTIFACTS:-$top/artifacts/bench-tftp}
  dotnet build tests/Benchmarks -c Release --artifacts-path "$artifacts" -nologo -v quiet >"$work/build.log" 2>&1 \
    || { echo "tftp bench: building tests/Benchmarks failed: $(tail -5 "$work/build.log")" >&2; exit 1; }
  p_relay=$(free_port)
  start relay "$p_relay" dotnet "$artifacts/bin/RecoverySim.Benchmarks/release/RecoverySim.Benchmarks.dll" relay \
    --listen "127.0.0.1:$p_relay" --to "127.0.0.1:$p_ours" --delay 1ms
  rsrc=$work/root/relay.bin rout=$work/out/relay.bin
  res=$(timed_ours relay-w16 "$runs" "$rsrc" "$rout" "$RECOVERYSIM" tftp get "127.0.0.1:$p_relay" relay.bin -o "$rout" --blksize 1468 --windowsize 16)
  read -r t_w16 w_w16 <<< "$res"
  res=$(timed_ours relay-w1 "$slow_runs" "$rsrc" "$rout" "$RECOVERYSIM" tftp get "127.0.0.1:$p_relay" relay.bin -o "$rout" --blksize 1468 --windowsize 1)
  read -r t_w1 w_w1 <<< "$res"
  row "(d) relay 1 ms: our client windowsize 16 vs 1" "$relay_mib" "$t_w16" "$t_w1" 10 ">=10"
  row "(d) same, wall time incl. process start" "$relay_mib" "$w_w16" "$w_w1" "" "(information)"
fi

if want e; then
  echo "(e) $clients clients at once, $client_mib MiB each, different files; a separate server process"
  for i in $(seq -w 1 "$clients"); do head -c "$((client_mib << 20))" /dev/urandom > "$work/root/c$i.bin"; done
  chmod 644 "$work/root"/c*.bin
  p_many=$(free_port)
  start many "$p_many" "$RECOVERYSIM" serve --root "$work/root" --address 127.0.0.1 --port "$p_many" \
    --max-transfers 64 --max-transfers-per-client "$clients" --json
  server_pid=${daemon_pids[-1]}
  s=$(date +%s.%N)
  cpids=()
  for i in $(seq -w 1 "$clients"); do
    "$RECOVERYSIM" tftp get "127.0.0.1:$p_many" "c$i.bin" -o "$work/out/c$i.bin" --blksize 65464 --windowsize 16 >"$work/out/c$i.log" 2>&1 &
    cpids+=($!)
  done
  failed=0
  for i in "${!cpids[@]}"; do
    if ! wait "${cpids[$i]}"; then
      failed=$((failed + 1))
      echo "  client $((i + 1)) failed: $(tail -2 "$work/out/c$(printf '%02d' $((i + 1))).log")" >&2
    fi
  done
  e=$(date +%s.%N)
  # VmHWM: the server's peak resident set since it started (it served nothing before this case).
  peak_kib=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
  exact=0
  for i in $(seq -w 1 "$clients"); do cmp -s "$work/root/c$i.bin" "$work/out/c$i.bin" && exact=$((exact + 1)); rm -f "$work/out/c$i.bin"; done
  total_mib=$((clients * client_mib))
  aggregate=$(mbps "$total_mib" "$(echo "$e - $s" | bc -l)")
  peak_mib=$(printf '%.1f' "$(echo "$peak_kib / 1024" | bc -l)")
  echo "  $exact of $clients bit-exact, $failed client(s) failed, aggregate $aggregate MB/s, server peak RSS $peak_mib MiB"
  mem_ok=$([ "$(echo "$peak_mib < 200" | bc -l)" = 1 ] && echo ok || echo MISSED)
  all_ok=$([ "$exact" = "$clients" ] && echo ok || echo MISSED)
  rows+=("$(printf '%-58s %9s %9s %7s  %-14s %s' "(e) $clients x $client_mib MiB: bit-exact" "$exact/$clients" "" "" "all" "$all_ok")")
  rows+=("$(printf '%-58s %9s %9s %7s  %-14s %s' "(e) server peak RSS MiB (aggregate $aggregate MB/s)" "$peak_mib" "" "" "<200" "$mem_ok")")
fi

echo
printf '%-58s %9s %9s %7s  %-14s %s\n' "tftp case" "ours" "other" "ratio" "target" "verdict"
printf '%s\n' "${rows[@]}"
