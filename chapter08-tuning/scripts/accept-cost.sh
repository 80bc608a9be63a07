#!/usr/bin/env bash
# Server CPU per accepted connection: one course worker (ServerNodeMain with the C1M workers' JVM
# options, one reactor) against part 1's C epoll_echo, each accepting N connections (default
# 15,000) that the C loadgen opens without a first ping; alternating, three rounds. The server's
# utime+stime from /proc/PID/stat between the loadgen's start and its "ready" file, after a
# warm-up round of 3,000. Needs the jars (./mvnw -q -DskipTests package) and the C instruments:
#   gcc -O2 -o /tmp/epoll_echo ../shared/tools/epoll_echo.c -lpthread
#   gcc -O2 -o /tmp/loadgen ../shared/tools/loadgen.c -lm
#   N=19000 chapter08-tuning/scripts/accept-cost.sh
set -u
cd "$(dirname "$0")/../.."
source .ci/use-jdk21
CP=$(ls "$PWD"/chapter0*/target/chapter0*.jar | grep -v -e '-tests\.jar$' | paste -sd:)
N=${N:-15000}; PORT=${PORT:-19810}; BIN=${BIN:-/tmp}
for tool in loadgen epoll_echo; do
  [ -x "$BIN/$tool" ] || { echo "no $BIN/$tool: build the C instruments first (see above)" >&2; exit 1; }
done
spid=""; lpid=""
tmp=$(mktemp -d)
# Background jobs of a script ignore Ctrl-C: stop them here, or a server keeps the port for the next run.
trap 'kill $spid $lpid 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
# Waits (up to 60 s) until the command given succeeds, while process $1 lives; fails otherwise.
await() {
  local pid=$1; shift
  for _ in $(seq 600); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || { echo "process $pid exited while waiting for: $*" >&2; exit 1; }
    sleep 0.1
  done
  echo "gave up after 60 s waiting for: $*" >&2; exit 1
}
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
one() {
  kind=$1; port=$2
  if [ $kind = java ]; then
    # the options of WorkerSupervisor.workerJvmOptions("64m"), which the C1M run gives its workers
    java -Xmx64m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:+UseCompactObjectHeaders -XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=0 \
      -cp "$CP" dev.c1m.tuning.demo.ServerNodeMain --port $port --reactors 1 --metrics-port -1 --max-connections 20000 --idle-timeout-ms 600000 > $tmp/srv.log 2>&1 &
    spid=$!
    await $spid grep -q "listening on" $tmp/srv.log
  else
    "$BIN/epoll_echo" -l -b 127.0.0.1 $port 2>/dev/null & spid=$!
    sleep 0.5
  fi
  # warm-up: a first round of 3,000 connections, reset at once
  "$BIN/loadgen" hold -p $port -c 3000 -n -T 0 -W 64 -L > /dev/null 2>&1
  sleep 2
  rm -f $tmp/ready
  t0=$(ticks $spid)
  "$BIN/loadgen" hold -p $port -c $N -n -T 3 -W 64 -L -R $tmp/ready > $tmp/lg.out 2>/dev/null &
  lpid=$!
  await $lpid test -e $tmp/ready
  t1=$(ticks $spid)
  wait $lpid
  rate=$(grep -o "connect_rate=[0-9]*" $tmp/lg.out); lgcpu=$(grep -o "conn_lg_cpu_pct=[0-9.]*" $tmp/lg.out | head -1)
  echo "$kind: server $((t1-t0)) ticks for $N accepts = $(echo "scale=1; ($t1-$t0)*1000000/$hz/$N" | bc) us per connection; $rate $lgcpu"
  kill $spid; wait $spid 2>/dev/null; spid=""; lpid=""; sleep 3
}
for r in 1 2 3; do one java "$PORT"; one c $((PORT + 1)); done
