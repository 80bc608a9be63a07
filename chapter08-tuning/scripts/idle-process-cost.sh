#!/usr/bin/env bash
# What one process of the C1M run costs while its connections are idle: one server worker
# (ServerNodeMain with the workers' JVM options, one reactor, the C1M run's 10 ms batch window)
# measured empty, then holding N connections from one load process (LoadGenMain hold, the C1M
# run's 20 ms tick) whose heartbeat never falls due. Both processes' CPU over WINDOW seconds, from
# /proc/<pid>/stat (1/100 s ticks, so about 0.0003 cores of resolution at 30 s), and how often
# each of their threads woke (scripts/sched-by-thread.py). Multiply by the process counts of a
# run (53 workers and 51 load processes for a million here) for what the run pays before any
# heartbeat. Loopback only; nothing to restore.
#
#   chapter08-tuning/scripts/idle-process-cost.sh [N] [WINDOW]     (defaults 18000 and 30)
#
# Needs the course built (./mvnw -q install -DskipTests) and a JDK 21+ as JAVA_HOME or on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-18000}
WINDOW=${2:-30}
[[ -n ${JAVA_HOME:-} ]] && PATH=$JAVA_HOME/bin:$PATH
classpath=$(ls "$PWD"/chapter0*/target/chapter0*.jar | grep -v -e '-tests\.jar$' | paste -sd:)
jvm=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:+UseCompactObjectHeaders
     -XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=0)
out=$(mktemp -d)
server=; load=
stop() { kill $server $load 2>/dev/null || true; rm -rf "$out"; }
trap stop EXIT

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cores() { # pid: cores used over WINDOW seconds
  local before after
  before=$(ticks "$1"); sleep "$WINDOW"; after=$(ticks "$1")
  awk -v t=$((after - before)) -v w="$WINDOW" 'BEGIN { printf "%.4f", t / 100 / w }'
}

java -Xmx64m "${jvm[@]}" -cp "$classpath" dev.c1m.tuning.demo.ServerNodeMain --port 0 --reactors 1 \
  --max-connections 19800 --batch-window-ms 10 --idle-timeout-ms 3600000 > "$out/server" 2>&1 &
server=$!
for _ in $(seq 150); do grep -q "listening on" "$out/server" && break; sleep 0.2; done
port=$(grep -o "listening on [0-9.]*:[0-9]*" "$out/server" | head -1 | awk -F: '{print $NF}')
sleep 5
echo "one worker, empty:                  $(cores $server) cores"

java -Xmx96m -Xmn8m "${jvm[@]}" -cp "$classpath" dev.c1m.tuning.bench.LoadGenMain hold --port "$port" \
  --connections "$N" --connect-rate 10000 --heartbeat 1h --hold 1h --max-per-pair 14000 \
  --sources 127.77.0.1,127.77.0.2 --quiet > "$out/load" 2>&1 &
load=$!
for _ in $(seq 120); do
  [[ $(ss -Htn state established "( sport = :$port )" | wc -l) -ge $N ]] && break
  sleep 1
done
sleep 5
echo "holding $N idle connections:  worker $(cores $server) cores, load process $(cores $load) cores"
python3 chapter08-tuning/scripts/sched-by-thread.py "$WINDOW" | awk 'NR <= 3 || / (c1m|java) /'
