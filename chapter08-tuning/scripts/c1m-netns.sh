#!/usr/bin/env bash
# The C1M run in a network namespace of its own, whose established-connection hash is sized for
# it. The kernel sizes the first namespace's table at boot and never grows it (262,144 buckets on
# a 24 GiB machine: chains of about 8 for two million sockets); since Linux 6.1 a namespace
# created after `net.ipv4.tcp_child_ehash_entries=N` gets a table of N buckets. Measured at a
# million connections with 30 s heartbeats: 4.5% less CPU per heartbeat (chapter 8's README,
# "The established hash").
#
# What it does, as root: builds the course, raises net.ipv4.tcp_mem where the doctor asks (it is
# global and cannot be seen from inside the namespace), sets tcp_child_ehash_entries, starts
# C1mRun with your options inside `unshare -n` (loopback brought up, nothing else: the run only
# uses 127.0.0.0/8), and restores both settings afterwards, also on Ctrl-C. C1mRun raises and
# restores the per-namespace settings itself, inside.
#
#   sudo chapter08-tuning/scripts/c1m-netns.sh --connections 1000000 --hold 3m --heartbeat 30s
#   EHASH=4194304 sudo chapter08-tuning/scripts/c1m-netns.sh ...     (default: 2,097,152 buckets)
set -euo pipefail
cd "$(dirname "$0")/../.."
EHASH=${EHASH:-2097152}
connections=1000000
args=("$@")
for ((i = 0; i < ${#args[@]} - 1; i++)); do
  [[ ${args[i]} == --connections ]] && connections=${args[i+1]}
done

[[ $(id -u) == 0 ]] || { echo "error: creating a network namespace needs root" >&2; exit 1; }
[[ -e /proc/sys/net/ipv4/tcp_child_ehash_entries ]] ||
  { echo "error: this kernel has no net.ipv4.tcp_child_ehash_entries (Linux 6.1 or later)" >&2; exit 1; }

source .ci/use-jdk21
./mvnw -q -B -DskipTests -pl chapter08-tuning -am package
# The jars: only a classpath of jars can have C1mRun's AOT cache (see ../../c1m).
classpath=$(ls "$PWD"/chapter0*/target/chapter0*.jar | grep -v -e '-tests\.jar$' | paste -sd:)

old_child=$(sysctl -n net.ipv4.tcp_child_ehash_entries)
old_mem=$(sysctl -n net.ipv4.tcp_mem)
restore() {
  sysctl -q -w net.ipv4.tcp_child_ehash_entries="$old_child" net.ipv4.tcp_mem="$old_mem"
  echo "restored: net.ipv4.tcp_child_ehash_entries = $old_child, net.ipv4.tcp_mem = $old_mem"
}
trap restore EXIT

# The doctor's own fix for tcp_mem, if it asks for one ("fix: sysctl -w net.ipv4.tcp_mem=\"...\"   (now)").
mem_fix=$(java -cp "$classpath" dev.c1m.tuning.demo.DoctorMain --connections "$connections" |
  sed -n 's/.*fix: sysctl -w net\.ipv4\.tcp_mem="\([0-9 ]*\)".*(now).*/\1/p' | head -1) || true
[[ -n $mem_fix ]] && sysctl -q -w net.ipv4.tcp_mem="$mem_fix"
sysctl -q -w net.ipv4.tcp_child_ehash_entries="$EHASH"
echo "outside the namespace: net.ipv4.tcp_mem = $(sysctl -n net.ipv4.tcp_mem), tcp_child_ehash_entries = $EHASH"

unshare -n bash -c 'ip link set lo up && echo "namespace: $(sysctl net.ipv4.tcp_ehash_entries)" &&
  exec java -cp "$0" dev.c1m.tuning.bench.C1mRun "$@"' "$classpath" "$@"
