#!/usr/bin/env python3
"""Can a process outrank the sandbox's agent? Two CPU-bound loops, at each of several priorities.

The sandbox this course was measured in runs an init process (pid 1, `process_api`, at nice -10)
that walks every process's descriptors every few seconds: its CPU grows with the descriptors open
on the machine (chapter 8's README, "Measure what else runs on the box"). This script opens
HOLDERS x DESCRIPTORS descriptors of /dev/null in sleeping processes (plain files cost the agent
what sockets do), then for each priority runs one busy loop per core for SECONDS and reports:

  - the CPU the watched process (--pid, default 1) took meanwhile (utime + stime of its
    /proc/<pid>/stat), in cores;
  - what each loop lost: the share of the time it was not running, counted from gaps of more
    than 1 ms between two reads of the clock, and its longest gap.

A priority is a nice value (`0`, `-15`) or `fifo` (SCHED_FIFO, priority 10: the real-time class,
which the kernel throttles to 95% of each core by default, sched_rt_runtime_us). As root:

    chapter08-tuning/scripts/priority-vs-agent.py --holders 50 --descriptors 19000 --seconds 30 0 -15 0 -15 fifo

The results file results/agent-priority-2026-12-07.txt is its output.
"""
import argparse
import os
import subprocess
import sys
import time

LOOP = """
import time
end = time.monotonic() + {seconds}
last = time.monotonic(); lost = 0.0; longest = 0.0
while last < end:
    now = time.monotonic()
    if now - last > 0.001:
        lost += now - last; longest = max(longest, now - last)
    last = now
print(f"{{lost / {seconds}:.3f}} {{longest * 1000:.1f}}")
"""

HOLDER = "import os, sys\n" \
         "fds = [os.open('/dev/null', os.O_RDONLY) for _ in range({descriptors})]\n" \
         "sys.stdin.read()\n"


def cpu_ticks(pid):
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15, counted from the state (3)


def loop_command(priority, seconds):
    python = [sys.executable, '-c', LOOP.format(seconds=seconds)]
    return ['chrt', '-f', '10'] + python if priority == 'fifo' else ['nice', '-n', priority] + python


def measure(agent_pid, priority, seconds):
    ticks_before = cpu_ticks(agent_pid)
    started = time.monotonic()
    loops = [subprocess.Popen(loop_command(priority, seconds), stdout=subprocess.PIPE, text=True)
             for _ in range(os.cpu_count())]
    results = [loop.communicate()[0].split() for loop in loops]
    agent = (cpu_ticks(agent_pid) - ticks_before) / os.sysconf('SC_CLK_TCK') / (time.monotonic() - started)
    lost = ' '.join(f"{float(share) * 100:4.1f}%" for share, _ in results)
    longest = max(float(ms) for _, ms in results)
    print(f"{priority:>8}  {agent:10.3f}  {lost:>14}  {longest:10.1f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--holders', type=int, default=50)
    parser.add_argument('--descriptors', type=int, default=19000)
    parser.add_argument('--seconds', type=int, default=30)
    parser.add_argument('--pid', type=int, default=1, help='the process to watch (default: 1, the sandbox agent)')
    parser.add_argument('priorities', nargs='+', help="nice values or 'fifo'")
    args = parser.parse_args()
    holders = [subprocess.Popen([sys.executable, '-c', HOLDER.format(descriptors=args.descriptors)],
                                stdin=subprocess.PIPE) for _ in range(args.holders)]
    try:
        time.sleep(15)  # the holders open their descriptors, and the agent sees them
        idle_before = cpu_ticks(args.pid)
        time.sleep(args.seconds)
        idle = (cpu_ticks(args.pid) - idle_before) / os.sysconf('SC_CLK_TCK') / args.seconds
        print(f"{args.holders * args.descriptors:,} descriptors held; pid {args.pid} alone: {idle:.3f} cores")
        print(f"{'priority':>8}  {'pid cores':>10}  {'time lost':>14}  {'longest ms':>10}")
        for priority in args.priorities:
            measure(args.pid, priority, args.seconds)
    finally:
        for holder in holders:
            holder.stdin.close()
            holder.wait()


if __name__ == '__main__':
    main()
