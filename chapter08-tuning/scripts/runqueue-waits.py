#!/usr/bin/env python3
"""How long each kind of thread waited for a CPU before each of its time slices, from a scheduler trace.

Reads the output of `perf sched timehist` on standard input (one line per context switch: the
thread switched out, how long it had waited on a run queue before that slice, "sch delay", and how
long the slice ran) and prints, for the thread names that ran longest, the slices, the CPU time and
the distribution of that wait: p50, p90, p99, p99.9 and max. Threads are grouped by name, so the
load generator's 51 loop threads (named `java`) make one row and the server workers' reactors
(`c1m-0`) another. As root, while a C1M run holds its connections:

    perf sched record -a -o /tmp/sched.data -- sleep 8
    perf sched timehist -i /tmp/sched.data | chapter08-tuning/scripts/runqueue-waits.py [ROWS]

Chapter 8's notebook ("The tail at 600,000, step by step") used it to see how long the loops of a
600,000-connection hold queued for a CPU.
"""
import collections
import re
import sys

# "  14080.375871 [0001]  java[24455/24400]   0.000   0.000   0.367" (names may contain spaces)
LINE = re.compile(r'^\s*[\d.]+\s+\[\d+\]\s+(.+?)\[[\d/]+\]\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s*$')


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    waits = collections.defaultdict(list)
    ran = collections.defaultdict(float)
    for line in sys.stdin:
        match = LINE.match(line)
        if match:
            name = match.group(1).strip()
            waits[name].append(float(match.group(2)))
            ran[name] += float(match.group(3))
    print(f"{sum(ran.values()):.0f} ms of CPU in the trace")
    print(f"{'thread name':18s} {'slices':>7s} {'ran ms':>8s}   wait before a slice, ms: "
          f"{'p50':>6s} {'p90':>6s} {'p99':>6s} {'p99.9':>6s} {'max':>6s}")
    for name in sorted(ran, key=ran.get, reverse=True)[:rows]:
        values = sorted(waits[name])
        print(f"{name:18s} {len(values):7d} {ran[name]:8.0f}   {'':24s}"
              + ' '.join(f"{percentile(values, q):6.2f}" for q in (0.5, 0.9, 0.99, 0.999)) + f" {values[-1]:6.2f}")


if __name__ == '__main__':
    main()
