#!/usr/bin/env python3
"""Every 10 s (or every INTERVAL_S), one line: what the machine and the sandbox's init process
(pid 1) did meanwhile.

Columns: seconds since start; pid 1's cores (utime + stime of /proc/1/stat); the machine's busy
cores (user, nice, system, irq, softirq of /proc/stat); the share of the time in which some task
waited for a CPU (/proc/pressure/cpu, "some"); and TCP sockets allocated on the whole machine
(/proc/net/sockstat, every namespace); and the wall clock (seconds since the epoch), to line
the samples up with a run's steps. Each rate is over the time that really passed, which on a
full machine is more than the interval. Runs until stopped; start it beside a C1M run:

    chapter08-tuning/scripts/system-sampler.py [INTERVAL_S] > system.txt &

Chapter 8's README ("Measure what else runs on the box") used it to see pid 1 grow with the
sockets held; the files results/c1m-*-2026-12-07-*system.txt are its output.
"""
import sys
import time


def pid1_ticks():
    fields = open('/proc/1/stat').read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15, counted from the state (3)


def busy_ticks():
    user, nice, system, _idle, _iowait, irq, softirq = map(int, open('/proc/stat').readline().split()[1:8])
    return user + nice + system + irq + softirq


def pressure_micros():
    return int(open('/proc/pressure/cpu').readline().split('total=')[1])


def tcp_allocated():
    for line in open('/proc/net/sockstat'):
        if line.startswith('TCP:'):
            f = line.split()
            return int(f[f.index('alloc') + 1])
    return 0


def main():
    interval = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    start = time.monotonic()
    previous = (start, pid1_ticks(), busy_ticks(), pressure_micros())
    print('t_s pid1_cores machine_busy_cores cpu_pressure_some_pct tcp_alloc epoch_s', flush=True)
    while True:
        time.sleep(interval)
        now = (time.monotonic(), pid1_ticks(), busy_ticks(), pressure_micros())
        dt = now[0] - previous[0]
        print(f'{now[0] - start:.0f} {(now[1] - previous[1]) / 100 / dt:.2f} {(now[2] - previous[2]) / 100 / dt:.2f} '
              f'{(now[3] - previous[3]) / 1e4 / dt:.1f} {tcp_allocated()} {time.time():.0f}', flush=True)
        previous = now


if __name__ == '__main__':
    main()
