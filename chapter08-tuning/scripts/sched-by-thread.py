#!/usr/bin/env python3
"""CPU and run-queue waiting of every thread of the C1M run's JVMs, grouped by role and thread name.

Reads /proc/<pid>/task/<tid>/schedstat (time on CPU, time waiting on a run queue, time slices)
and the context-switch counts of every java process twice, INTERVAL seconds apart, and prints per
role (server = ServerNodeMain or BareHeartbeatServerMain, load = LoadGenMain, other java) and thread
name: the cores used, the run-queue delay per second, slices per second, the mean wait before a
slice, and involuntary switches per second. Also the share of the time in which some task waited
for a CPU (/proc/pressure/cpu, "some"). Linux with schedstats (most distributions' kernels).

    chapter08-tuning/scripts/sched-by-thread.py [INTERVAL]      (default 20 s; while a run holds)

Chapter 8's README ("Measure what else runs on the box") used it during a collapsed C1M run (a
wait of 195-210 ms before each slice of a loop thread) and to find the JVMs' monitor-deflation
threads waking 423 times a second.
"""
import collections
import os
import sys
import time


def role(pid):
    try:
        cmd = open(f'/proc/{pid}/cmdline', 'rb').read().decode(errors='replace')
    except OSError:
        return None
    if 'java' not in cmd:
        return None
    if 'ServerNodeMain' in cmd or 'BareHeartbeatServerMain' in cmd:
        return 'server'
    if 'LoadGenMain' in cmd:
        return 'load'
    return 'other'


def snapshot():
    threads = {}
    for pid in filter(str.isdigit, os.listdir('/proc')):
        r = role(pid)
        if r is None:
            continue
        try:
            tids = os.listdir(f'/proc/{pid}/task')
        except OSError:
            continue
        for tid in tids:
            base = f'/proc/{pid}/task/{tid}'
            try:
                name = open(f'{base}/comm').read().strip()
                on_cpu, waiting, slices = map(int, open(f'{base}/schedstat').read().split())
                involuntary = next(int(line.split()[1]) for line in open(f'{base}/status')
                                   if line.startswith('nonvoluntary_ctxt_switches'))
            except (OSError, StopIteration):
                continue  # the thread ended meanwhile
            threads[(pid, tid)] = (r, name, on_cpu, waiting, slices, involuntary)
    return threads


def pressure_total():
    return int(open('/proc/pressure/cpu').readline().split('total=')[1])


def main():
    interval = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    p0, a, t0 = pressure_total(), snapshot(), time.monotonic()
    time.sleep(interval)
    p1, b, seconds = pressure_total(), snapshot(), time.monotonic() - t0
    groups = collections.defaultdict(lambda: [0, 0, 0, 0, 0])  # cpu, wait, slices, involuntary, threads
    for key, (r, name, on_cpu, waiting, slices, involuntary) in b.items():
        if key not in a:
            continue
        _, _, on_cpu0, waiting0, slices0, involuntary0 = a[key]
        g = groups[(r, name.split('-')[0] if name[:1].isalpha() else name)]  # "c1m-0-..." -> "c1m"
        g[0] += on_cpu - on_cpu0
        g[1] += waiting - waiting0
        g[2] += slices - slices0
        g[3] += involuntary - involuntary0
        g[4] += 1
    print(f'interval {seconds:.1f} s; some task waited for a CPU {(p1 - p0) / 1e4 / seconds:.1f}% of the time')
    print(f"{'role':7} {'thread':16} {'threads':>7} {'cores':>6} {'wait s/s':>8} {'slices/s':>9} "
          f"{'wait per slice':>14} {'involuntary/s':>13}")
    for (r, name), (on_cpu, waiting, slices, involuntary, n) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        if on_cpu < seconds * 1e6 and slices == 0:
            continue
        print(f'{r:7} {name[:16]:16} {n:7} {on_cpu / seconds / 1e9:6.3f} {waiting / seconds / 1e9:8.3f} '
              f'{slices / seconds:9.0f} {waiting / max(slices, 1) / 1e6:11.1f} ms {involuntary / seconds:13.1f}')


if __name__ == '__main__':
    main()
