#!/usr/bin/env bash
# Two ServerNodeMain processes behind HAProxy (TCP mode, leastconn, PING health checks) on
# loopback, loaded through HAProxy by the course's load generator, then one node drained.
#
#   chapter08-tuning/haproxy/run-behind-haproxy.sh [--connections N] [--hold T] [--no-build]
#   (--connections: 2 to 8000, default 4000; --hold: the spread phase, default 20s)
#
# 1. builds chapter 8 (MAVEN_ARGS=-o for an offline build), starts two nodes on free ports and
#    HAProxy (haproxy.cfg beside this script) on a free port, and waits until both nodes pass
#    their health check;
# 2. spread: holds N connections (default 4000, heartbeat every second) through HAProxy and
#    prints each node's connections, as HAProxy counts them and as the node itself counts them;
# 3. the hop's cost: echo load (100 connections, closed loop, 10 s) straight to node1, then
#    through HAProxy with node2 in "maint" so that node1 serves both; three times each, alternating;
# 4. drain: holds N connections again (with --reconnect), puts node1 in HAProxy's "drain" state,
#    sends node1 SIGTERM (it answers what it was asked, then closes every connection with a FIN),
#    and shows that its clients reconnect to node2, with no connection reset;
# 5. stops HAProxy and node2; nothing is left running, also on Ctrl-C or an error.
# Needs: haproxy and socat (apt-get install haproxy socat), a JDK 21+, loopback only.
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$self")/../.."

connections=4000 hold=20s build=1
while (($#)); do
    case $1 in
        --connections) connections=$2; shift 2 ;;
        --hold) hold=$2; shift 2 ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,19p' "$self"; exit 0 ;;
        *) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done
if ! [[ $connections =~ ^[0-9]+$ ]] || ((connections < 2 || connections > 8000)); then
    echo "error: --connections must be 2 to 8000 (the frontend's maxconn; HAProxy needs two descriptors each)" >&2
    exit 2
fi
for tool in haproxy socat curl ss; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install -y haproxy socat curl iproute2)" >&2; exit 1; }
done

source .ci/use-jdk21
if ((build)); then
    echo "building chapter 8 ..."
    ./mvnw -q -B -DskipTests -pl chapter08-tuning -am package
fi
classpath=$(ls -d chapter0*/target/classes | paste -sd:)
work=$(mktemp -d /tmp/c1m-haproxy.XXXXXX)
stats_socket=$work/haproxy.sock
pids=()

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $3 seconds until file $1 has a line matching regex $2, and prints that line.
await_line() {
    local deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        if grep -m1 -E "$2" "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "error: no line matching '$2' in $1 within $3 s:" >&2
    cat "$1" >&2
    return 1
}

# The runtime API of HAProxy: one command per connection to the stats socket.
haproxy_api() {
    echo "$1" | socat -t 5 - "UNIX-CONNECT:$stats_socket"
}

# A port nobody uses now, below the ephemeral range so that no outgoing connection takes it.
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 12000))
        if [[ -z $(ss -Htan "( sport = :$port )") ]]; then echo "$port"; return 0; fi
    done
    echo "error: no free port found" >&2
    return 1
}

start_node() { # name -> sets node_pid[name], node_port[name], node_metrics[name]
    local log=$work/$1.log line
    java -Xmx256m -cp "$classpath" dev.c1m.tuning.demo.ServerNodeMain \
        --port 0 --reactors 1 --max-connections 10000 --metrics-port 0 >"$log" 2>&1 &
    pids+=($!)
    node_pid[$1]=$!
    line=$(await_line "$log" '^listening on' 30)
    node_port[$1]=$(sed -E 's/^listening on [^:]+:([0-9]+) .*/\1/' <<<"$line")
    node_metrics[$1]=$(await_line "$log" '^metrics on' 10 | sed 's/^metrics on //')
    echo "$1: pid ${node_pid[$1]}, listening on 127.0.0.1:${node_port[$1]}, metrics ${node_metrics[$1]}"
}

start_haproxy() { # -> sets frontend_port, haproxy_pid; retries when the port was taken meanwhile
    local attempt log=$work/haproxy.log
    for attempt in 1 2 3 4 5; do
        frontend_port=$(free_port)
        C1M_FRONTEND=127.0.0.1:$frontend_port C1M_STATS_SOCKET=$stats_socket \
        C1M_NODE1=127.0.0.1:${node_port[node1]} C1M_NODE2=127.0.0.1:${node_port[node2]} \
        C1M_CHECK_INTERVAL=500ms C1M_GLOBAL_MAXCONN=9000 C1M_FRONTEND_MAXCONN=8000 C1M_SERVER_MAXCONN=5000 \
            haproxy -db -f chapter08-tuning/haproxy/haproxy.cfg >"$log" 2>&1 &
        haproxy_pid=$!
        pids+=("$haproxy_pid")   # from the start: an interrupted wait must not leave it running
        for _ in $(seq 100); do
            if ! kill -0 "$haproxy_pid" 2>/dev/null; then break; fi
            if [[ $(haproxy_api "show stat" 2>/dev/null | grep -c '^nodes,node[12],.*,UP,') == 2 ]]; then
                echo "haproxy: pid $haproxy_pid, listening on 127.0.0.1:$frontend_port, both nodes UP (PING health check)"
                return 0
            fi
            sleep 0.1
        done
        kill "$haproxy_pid" 2>/dev/null || true
        wait "$haproxy_pid" 2>/dev/null || true
        grep -q 'cannot bind' "$log" || { cat "$log" >&2; return 1; }
        echo "port $frontend_port was taken meanwhile, retrying" >&2
    done
    return 1
}

# One line per node: HAProxy's view (current sessions, state, last check) and the node's own.
show_counts() {
    local stat name scur status check own
    stat=$(haproxy_api "show stat")
    echo "  $1"
    for name in node1 node2; do
        IFS=, read -r scur status check < <(awk -F, -v n="$name" '$1=="nodes" && $2==n {print $5","$18","$37}' <<<"$stat")
        own=$(curl -s --max-time 2 "${node_metrics[$name]}" | awk '$1=="c1m_connections" {print $2}') || true
        printf '    %-6s haproxy: %5s sessions, %-5s (check %-7s)  node: %s\n' \
            "$name" "$scur" "$status" "$check" "$([[ -n $own ]] && echo "$own connections" || echo stopped)"
    done
}

loadgen() { # args... ; holds $connections through HAProxy, a heartbeat on each every second
    java -cp "$classpath" dev.c1m.tuning.bench.LoadGenMain hold --port "$frontend_port" \
        --connections "$connections" --heartbeat 1s --heartbeat-reply pong --quiet "$@"
}

echo_load() { # label port ; 100 connections in closed loop for 10 s, prints one line
    java -cp "$classpath" dev.c1m.tuning.bench.LoadGenMain echo --port "$2" --connections 100 \
        --duration 10s --warmup 2s --quiet 2>/dev/null | awk -v label="$1" '
        $1 == "requests" { rate = $8; sub(/^\(/, "", rate); failed = $7 }
        $1 == "latency" { p50 = $4; p99 = $8; p999 = $10 }
        $1 == "errors" { $1 = ""; errors = $0 }
        END { printf "    %-15s %8s req/s  p50 %6s ms  p99 %6s ms  p99.9 %6s ms  failed %s errors%s\n", label, rate, p50, p99, p999, failed, errors }'
}

declare -A node_pid node_port node_metrics
start_node node1
start_node node2
start_haproxy

echo
echo "== spread: $connections connections through HAProxy, heartbeat every second, held $hold"
loadgen --hold "$hold" >"$work/spread.out" 2>"$work/spread.err" &
spread_pid=$!
pids+=("$spread_pid")
sleep 8
show_counts "after 8 s:"
echo "  haproxy RSS: $(($(ps -o rss= -p "$haproxy_pid") / 1024)) MiB with $connections client and $connections server connections"
wait "$spread_pid" || { cat "$work/spread.err" >&2; exit 1; }
sed 's/^/  /' "$work/spread.out"

echo
echo "== the hop's cost: echo load on node1 alone, 100 connections, 10 s each, alternating"
haproxy_api "set server nodes/node2 state maint" | sed '/^$/d'   # HAProxy sends everything to node1
for run in 1 2 3; do
    echo_load "direct, run $run" "${node_port[node1]}"
    echo_load "haproxy, run $run" "$frontend_port"
done
haproxy_api "set server nodes/node2 state ready" | sed '/^$/d'

echo
echo "== drain: $connections connections (--reconnect); node1 set to drain, then SIGTERM"
loadgen --hold 30s --reconnect >"$work/drain.out" 2>"$work/drain.err" &
drain_pid=$!
pids+=("$drain_pid")
sleep 8
show_counts "before the drain:"
echo "  > set server nodes/node1 state drain"
haproxy_api "set server nodes/node1 state drain" | sed '/^$/d'
show_counts "node1 draining in HAProxy (no new connections; its clients stay):"
echo "  > kill -TERM ${node_pid[node1]}   (node1)"
kill -TERM "${node_pid[node1]}"
wait "${node_pid[node1]}" || true
echo "  node1: $(grep '^drained' "$work/node1.log")"
sleep 4
show_counts "4 s after node1 exited:"
wait "$drain_pid" || { cat "$work/drain.err" >&2; exit 1; }
sed 's/^/  /' "$work/drain.out"

echo
kill -USR1 "$haproxy_pid"   # soft stop: HAProxy stops listening and exits once its connections end
wait "$haproxy_pid" || true
kill -TERM "${node_pid[node2]}"
wait "${node_pid[node2]}" || true
echo "node2: $(grep '^drained' "$work/node2.log")"
echo "stopped: haproxy and both nodes"
