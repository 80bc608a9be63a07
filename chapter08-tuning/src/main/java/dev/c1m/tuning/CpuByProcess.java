package dev.c1m.tuning;

import dev.c1m.echo.bench.ProcessMeter;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The CPU time of every process on the machine at one moment ({@code utime + stime} of each
 * {@code /proc/<pid>/stat}, in clock ticks), so that a benchmark can tell its own CPU from
 * everybody else's. {@code /proc/stat} says how busy the machine was; it does not say for whom.
 * On the machine this course was measured on, the sandbox's own init process (pid 1) walks every
 * process's descriptors every few seconds: at a million connections, two million sockets, it
 * took 0.3 to 0.67 of the 2 cores, which a machine-wide figure silently charges to the run.
 *
 * <p>What it does not see: a process that ended between two snapshots (its ticks are gone). A
 * kernel that counts CPU time by tick, without {@code CONFIG_IRQ_TIME_ACCOUNTING} (this course's
 * machine), charges softirq work to whichever process it interrupted, so a process's ticks
 * include some of the loopback packets it happened to carry. Kernel threads are kept apart from
 * user processes: some of them (ksoftirqd, kworkers) do the run's network work.
 * Immutable; {@link #now()} reads {@code /proc}, the rest is arithmetic.
 */
public final class CpuByProcess {

    /**
     * One process: its command name (a kworker's changes with the work it does), whether it is a
     * kernel thread, when it started (ticks after boot: with the pid, what tells a process from a
     * later one that reused its pid), and its CPU ticks.
     */
    public record Entry(long pid, String name, boolean kernelThread, long startTicks, long ticks) {
    }

    /** The CPU of processes outside a set, in ticks: user processes and kernel threads apart, largest first. */
    public record Outside(long userTicks, long kernelThreadTicks, List<Entry> largest) {
    }

    /** {@code PF_KTHREAD} in the flags field of {@code /proc/<pid>/stat}. */
    private static final long KERNEL_THREAD_FLAG = 0x00200000;

    private final Map<Long, Entry> byPid;

    CpuByProcess(Map<Long, Entry> byPid) {
        this.byPid = Map.copyOf(byPid);
    }

    /** Every process readable in {@code /proc} now. */
    public static CpuByProcess now() throws IOException {
        Map<Long, Entry> entries = new HashMap<>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path dir : proc) {
                try {
                    Entry e = parseStat(Files.readString(dir.resolve("stat")));
                    entries.put(e.pid(), e);
                } catch (IOException gone) {
                    // ended while we listed /proc
                }
            }
        }
        return new CpuByProcess(entries);
    }

    /** A {@code /proc/<pid>/stat} line as an entry; chapter 1's {@link ProcessMeter} reads its fields. */
    static Entry parseStat(String stat) {
        ProcessMeter.ProcStat s = ProcessMeter.parseStat(stat);
        return new Entry(s.pid(), s.name(), (s.flags() & KERNEL_THREAD_FLAG) != 0, s.startTicks(), s.cpuTicks());
    }

    /** Each process's ticks since {@code earlier}; a process born since counts all of its ticks. */
    public CpuByProcess since(CpuByProcess earlier) {
        Map<Long, Entry> delta = new HashMap<>();
        byPid.forEach((pid, e) -> {
            Entry before = earlier.byPid.get(pid);
            long base = before != null && before.startTicks() == e.startTicks() ? before.ticks() : 0;
            delta.put(pid, new Entry(pid, e.name(), e.kernelThread(), e.startTicks(), e.ticks() - base));
        });
        return new CpuByProcess(delta);
    }

    /** The pids of this JVM and of every process it started, and they started: what a benchmark calls its own. */
    public static Set<Long> thisProcessTree() {
        ProcessHandle me = ProcessHandle.current();
        return Stream.concat(Stream.of(me), me.descendants()).map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** The ticks of every process not in {@code ours}, with the {@code top} largest consumers named. */
    public Outside outside(Set<Long> ours, int top) {
        long user = 0;
        long kernel = 0;
        List<Entry> others = new ArrayList<>();
        for (Entry e : byPid.values()) {
            if (ours.contains(e.pid()) || e.ticks() <= 0) {
                continue;
            }
            if (e.kernelThread()) {
                kernel += e.ticks();
            } else {
                user += e.ticks();
            }
            others.add(e);
        }
        others.sort(Comparator.comparingLong(Entry::ticks).reversed());
        return new Outside(user, kernel, List.copyOf(others.subList(0, Math.min(top, others.size()))));
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
