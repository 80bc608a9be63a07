#!/usr/bin/env bash
# The machine's floor for the C1M run: the course's C instruments (part 1's epoll_echo and loadgen,
# built from ../shared/tools) holding N loopback connections, each sending a 16-byte line every IV
# seconds and reading its echo. No JVM anywhere, so what this costs is the kernel's share, which the Java run pays too.
#
# P pairs, pair i on port BASE+i: one single-threaded epoll_echo in line mode and one loadgen
# holding N/P connections to it, every process under the 20,000-descriptor limit (one port per
# pair, since a single-threaded epoll_echo does not set SO_REUSEPORT, and 18,868 connections from
# 127.0.0.1 to one port fit in the ephemeral range this script opens, 10000-65535).
#
# After every loadgen reports ready, it waits SETTLE seconds, then measures about WINDOW seconds: machine
# CPU from /proc/stat, the servers' and the load's CPU from /proc/PID/stat, context switches,
# slab growth; at the end, the loadgens' own results (connections, errors, ping RTT per process).
#
# SERVER=course replaces the P epoll_echo processes by the course's server (C1mServerMain and its
# SO_REUSEPORT workers on one port, built first with ./mvnw package) and keeps the C load: the
# loadgens then bind 40 loopback source addresses (-B 40) to find enough ports for one destination.
# Use W=8 connects in flight per loadgen, not 32, or the ramp overloads the JVMs. The lines are
# not PING, so the server answers them on its echo path; its idle timeout is raised to 10
# minutes, since a loadgen sends its first line only once all of its connections are open.
# WORKERS=K starts K workers instead of as many as N needs under the descriptor limit.
#
# EHASH=2097152 runs it all in a new network namespace whose established-connection hash has that
# many buckets (net.ipv4.tcp_child_ehash_entries; the boot-time table of the first namespace
# cannot grow). Run as root; every sysctl it changes is restored.
#
#   gcc -O2 -o /tmp/epoll_echo ../shared/tools/epoll_echo.c -lpthread
#   gcc -O2 -o /tmp/loadgen ../shared/tools/loadgen.c -lm
#   N=1000000 IV=30 HOLD=180 OUT=/tmp/cpair chapter08-tuning/scripts/c-reference-pair.sh
#   EHASH=2097152 N=1000000 IV=30 HOLD=180 OUT=/tmp/cpair-netns chapter08-tuning/scripts/c-reference-pair.sh
#   SERVER=course W=8 N=1000000 IV=30 HOLD=180 OUT=/tmp/course-cload chapter08-tuning/scripts/c-reference-pair.sh
set -u
N=${N:-1000000}; P=${P:-53}; IV=${IV:-30}; HOLD=${HOLD:-180}; SETTLE=${SETTLE:-30}; WINDOW=${WINDOW:-60}
BASE=${BASE:-9100}; OUT=${OUT:-/tmp/cpair}; BIN=${BIN:-/tmp}; SERVER=${SERVER:-c}; W=${W:-32}

for tool in loadgen $([ "$SERVER" = c ] && echo epoll_echo); do
  [ -x "$BIN/$tool" ] || { echo "no $BIN/$tool: build the C instruments first (see above)" >&2; exit 1; }
done

if [ -n "${EHASH:-}" ]; then
  old_mem=$(sysctl -n net.ipv4.tcp_mem); old_child=$(sysctl -n net.ipv4.tcp_child_ehash_entries)
  restore_global() { sysctl -q -w net.ipv4.tcp_mem="$old_mem" net.ipv4.tcp_child_ehash_entries="$old_child"; }
  trap restore_global EXIT   # also after Ctrl-C or SIGTERM, once the namespace's run has cleaned up
  trap 'exit 130' INT TERM
  # tcp_mem is global and not visible inside a new namespace: raise it here.
  sysctl -q -w net.ipv4.tcp_mem="1000000 1500000 2000000" net.ipv4.tcp_child_ehash_entries="$EHASH"
  EHASH= unshare -n bash -c 'ip link set lo up; echo "namespace: $(sysctl net.ipv4.tcp_ehash_entries)"; exec "$0"' "$0"
  exit
fi

rm -rf "$OUT"; mkdir -p "$OUT"
per=$(( (N + P - 1) / P ))
declare -A saved
# Ephemeral ports start above the servers' ports: a client socket (or its TIME_WAIT) on 91xx would block a listener.
settings=(net.ipv4.ip_local_port_range="10000 65535" net.ipv4.tcp_max_syn_backlog=8192 net.ipv4.tcp_migrate_req=1)
[ -e /proc/sys/net/ipv4/tcp_mem ] && settings+=(net.ipv4.tcp_mem="1000000 1500000 2000000")
for s in "${settings[@]}"; do k=${s%%=*}; saved[$k]="$(sysctl -n "$k")"; done
sysctl -q -w "${settings[@]}"
spids=(); lpids=()
cleanup() {
  kill "${lpids[@]}" "${spids[@]}" 2>/dev/null; wait 2>/dev/null
  for k in "${!saved[@]}"; do sysctl -q -w "$k=${saved[$k]}"; done
}
trap cleanup EXIT

slab0=$(awk '/^Slab:/{print $2}' /proc/meminfo)
if [ "$SERVER" = course ]; then
  cd "$(dirname "$0")/../.." && source .ci/use-jdk21
  java -cp "$(ls -d chapter0*/target/classes | tr '\n' ':')" dev.c1m.tuning.demo.C1mServerMain --connections "$N" \
    ${WORKERS:+--workers "$WORKERS"} --port "$BASE" --metrics-port $((BASE + 1)) --idle-timeout-ms 600000 >"$OUT/server.log" 2>&1 & spids+=($!)
  until curl -sf http://127.0.0.1:$((BASE + 1))/metrics >/dev/null; do
    kill -0 "${spids[0]}" 2>/dev/null || { cat "$OUT/server.log"; exit 1; }; sleep 1
  done
  spids+=($(pgrep -P "${spids[0]}" -f dev.c1m.tuning.demo.ServerNodeMain)); echo "server: ${#spids[@]} processes"
  target() { echo "-p $BASE -B 40"; }
else
  for i in $(seq 0 $((P-1))); do "$BIN/epoll_echo" -l -b 127.0.0.1 $((BASE+i)) 2>"$OUT/s$i.err" & spids+=($!); done
  sleep 1
  for pid in "${spids[@]}"; do kill -0 "$pid" 2>/dev/null || { cat "$OUT"/s*.err; exit 1; }; done
  target() { echo "-p $((BASE + $1))"; }
fi
t0=$(date +%s.%N)
for i in $(seq 0 $((P-1))); do
  "$BIN/loadgen" hold $(target $i) -c $per -T "$HOLD" -i "$IV" -m line -W "$W" -C 300 -R "$OUT/ready$i" \
    >"$OUT/l$i.out" 2>"$OUT/l$i.err" & lpids+=($!)
done
while [ "$(ls "$OUT"/ready* 2>/dev/null | wc -l)" -lt "$P" ]; do
  sleep 1; echo "ramp: $(ls "$OUT"/ready* 2>/dev/null | wc -l)/$P processes ready"
  for i in "${!lpids[@]}"; do
    [ -e "$OUT/ready$i" ] || kill -0 "${lpids[$i]}" 2>/dev/null \
      || { echo "loadgen $i exited before it was ready:"; cat "$OUT/l$i.err"; exit 1; }
  done
done
echo "ramp done in $(echo "$(date +%s.%N) - $t0" | bc) s"
sleep "$SETTLE"

# Each figure is divided by the time that really passed between the two readings: on a saturated
# machine `sleep 60` takes longer than 60 s.
cpu() { awk '/^cpu /{print $2+$3, $4, $7, $8, $9, $5+$6}' /proc/stat; }
ticks() { local files=(); for p in "$@"; do files+=("/proc/$p/stat"); done; awk '{s += $14 + $15} END {print s}' "${files[@]}"; }
c0=$(cpu); t0=$(date +%s.%N); s0=$(ticks "${spids[@]}"); l0=$(ticks "${lpids[@]}"); cs0=$(awk '/^ctxt/{print $2}' /proc/stat)
sleep "$WINDOW"
c1=$(cpu); t1=$(date +%s.%N); s1=$(ticks "${spids[@]}"); l1=$(ticks "${lpids[@]}"); cs1=$(awk '/^ctxt/{print $2}' /proc/stat)
slab1=$(awk '/^Slab:/{print $2}' /proc/meminfo)
python3 - "$c0" "$c1" $s0 $s1 $l0 $l1 $cs0 $cs1 $N $IV "$(echo "$t1 - $t0" | bc)" $slab0 $slab1 <<'PY' | tee "$OUT/window.txt"
import sys
c0 = list(map(int, sys.argv[1].split())); c1 = list(map(int, sys.argv[2].split()))
s0, s1, l0, l1, cs0, cs1, n, iv, w, slab0, slab1 = map(float, sys.argv[3:])
hz = 100
user, system, irq, softirq, steal, idle = [(b - a) / hz / w for a, b in zip(c0, c1)]
hb = n / iv
busy = user + system + irq + softirq
us = lambda cores: cores / hb * 1e6
print(f"window {w:.1f} s, nominal {hb:.0f} heartbeats/s")
print(f"servers {(s1 - s0) / hz / w:.2f} cores = {us((s1 - s0) / hz / w):.1f} us/hb; "
      f"load {(l1 - l0) / hz / w:.2f} cores = {us((l1 - l0) / hz / w):.1f} us/hb")
print(f"machine busy {busy:.2f} cores (user {user:.2f} sys {system:.2f} irq {irq:.2f} softirq {softirq:.2f}) "
      f"= {us(busy):.1f} us/hb; steal {steal:.2f}; idle {idle:.2f}")
print(f"context switches {(cs1 - cs0) / w / hb:.2f} per hb; slab +{(slab1 - slab0) / 1e6:.2f} GB")
PY
wait "${lpids[@]}"; lpids=()
kill -TERM "${spids[0]}" 2>/dev/null; [ "$SERVER" = course ] || kill "${spids[@]}" 2>/dev/null; wait 2>/dev/null; spids=()
cat "$OUT"/l*.out > "$OUT/results.txt"
python3 - "$OUT/results.txt" <<'PY' | tee -a "$OUT/window.txt"
import sys, statistics
rows = [dict(kv.split('=', 1) for kv in line.split()[1:]) for line in open(sys.argv[1]) if line.startswith('RESULT')]
col = lambda k: [float(r.get(k, 0)) for r in rows]
print(f"processes {len(rows)}; connected {sum(col('connected')):.0f}; alive {sum(col('alive')):.0f}; errors {sum(col('errors')):.0f}")
print(f"connect: slowest process {max(col('connect_s')):.1f} s; pings sent {sum(col('pings_sent')):.0f} ok {sum(col('pings_ok')):.0f}")
p50, p99 = col('ping_p50_us'), col('ping_p99_us')
print(f"ping p50 per process: median {statistics.median(p50) / 1000:.2f} ms; p99 per process: median "
      f"{statistics.median(p99) / 1000:.2f} ms, max {max(p99) / 1000:.2f} ms; max {max(col('ping_max_us')) / 1000:.1f} ms")
PY
