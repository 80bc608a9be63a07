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

The loops of each priority run in a session of their own, as a server started from its own shell
or service would, and with the kernel's autogroups on (/proc/sys/kernel/sched_autogroup_enabled)
a session is one scheduling entity: the scheduler shares the CPU between sessions (and the
processes outside any, such as pid 1) first, and only then between the processes of a session.
A priority is:

  - a nice value (`0`, `-15`): the loops' own nice, inside a session of nice 0, so it only
    ranks them against each other (with autogroups off, it ranks them against everything);
  - `group=N` (`group=-10`): loops at nice 0 in a session whose autogroup nice is N
    (written to /proc/self/autogroup), which ranks the whole session against everything else;
  - `fifo` (SCHED_FIFO, priority 10): the real-time class, above every ordinary task, which the
    kernel throttles to 95% of each core by default (sched_rt_runtime_us).

As root:

    chapter08-tuning/scripts/priority-vs-agent.py --holders 50 --descriptors 19000 --seconds 30 0 group=-10 0 group=-10

The results file results/agent-priority-2026-12-07.txt is its output.
"""
import argparse
import os
import shlex
import subprocess
import sys
import time

LOOP = """
import os, time
end = time.monotonic() + {seconds}
last = time.monotonic(); lost = 0.0; longest = 0.0
while last < end:
    now = time.monotonic()
    if now - last > 0.001:
        lost += now - last; longest = max(longest, now - last)
    last = now
os.write(1, f"{{lost / {seconds}:.3f}} {{longest * 1000:.1f}}\\n".encode())  # one write: the loops share a pipe
"""

HOLDER = "import os, sys\n" \
         "fds = [os.open('/dev/null', os.O_RDONLY) for _ in range({descriptors})]\n" \
         "sys.stdin.read()\n"


def cpu_ticks(pid):
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15, counted from the state (3)


def loops_command(priority, seconds):
    """One shell in a session of its own (so an autogroup of its own) that runs a loop per core."""
    group_nice, nice = (priority.removeprefix('group='), '0') if priority.startswith('group=') else ('0', priority)
    loop = f"{shlex.quote(sys.executable)} -c {shlex.quote(LOOP.format(seconds=seconds))}"
    loop = f"chrt -f 10 {loop}" if nice == 'fifo' else f"nice -n {nice} {loop}"
    return ['setsid', '--wait', 'sh', '-c', f"echo {group_nice} > /proc/self/autogroup && "
            + ' & '.join([loop] * os.cpu_count()) + ' & wait']


def measure(agent_pid, priority, seconds):
    ticks_before = cpu_ticks(agent_pid)
    started = time.monotonic()
    output = subprocess.run(loops_command(priority, seconds), stdout=subprocess.PIPE, text=True, check=True).stdout
    results = [line.split() for line in output.splitlines()]
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
    parser.add_argument('priorities', nargs='+', help="nice values, 'group=N' or 'fifo'")
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
