package dev.c1m.echo.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads what another process (a server, a load generator) costs, from outside it, for the
 * benchmarks of every chapter: its
 * resident memory and CPU time from {@code /proc/<pid>}, and its live heap by class from
 * {@code jcmd <pid> GC.class_histogram} (which runs a full GC first, so the total is what is
 * reachable, the same whatever the collector). Linux only; stateless.
 */
public final class ProcessMeter {

    static final String FILLER = "[Ljdk.internal.vm.FillerElement;";

    /** Linux reports CPU times in clock ticks of 1/100 s ({@code USER_HZ}) on every common architecture. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    /** A heap census: reachable bytes and instances in all, and per class (bytes largest first). */
    public record HeapCensus(long totalBytes, long totalInstances, Map<String, Long> bytesByClass,
                             Map<String, Long> instancesByClass) {

        /** Live instances of the class named {@code className} (a binary name), 0 if none. */
        public long instancesOf(String className) {
            return instancesByClass.getOrDefault(className, 0L);
        }

        /**
         * This census with every count and size multiplied by {@code factor} (rounded): from a
         * census of k identical processes, an estimate for n of them with {@code factor = n / k}.
         */
        public HeapCensus scaled(double factor) {
            Map<String, Long> bytes = new LinkedHashMap<>();
            Map<String, Long> instances = new LinkedHashMap<>();
            bytesByClass.forEach((name, n) -> bytes.put(name, Math.round(n * factor)));
            instancesByClass.forEach((name, n) -> instances.put(name, Math.round(n * factor)));
            return new HeapCensus(Math.round(totalBytes * factor), Math.round(totalInstances * factor), bytes, instances);
        }
    }

    private ProcessMeter() {
    }

    /** Resident set size ({@code VmRSS}), or 0 if the process is gone. */
    public static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException gone) {
            return 0;
        }
        return 0;
    }

    /**
     * The fields of a {@code /proc/<pid>/stat} line that the course reads: the pid, the command
     * name, its state (field 3: {@code R} running, {@code S} sleeping, {@code T} stopped, ...), the
     * kernel's flags for the task (field 9), when it started (field 22, clock ticks after boot) and
     * the user plus system CPU it used (fields 14 and 15, clock ticks).
     */
    public record ProcStat(long pid, String name, char state, long flags, long startTicks, long cpuTicks) {
    }

    /** User plus system CPU time used so far, or 0 if the process is gone. */
    public static long cpuNanos(long pid) {
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))).cpuTicks() * NANOS_PER_TICK;
        } catch (IOException gone) {
            return 0;
        }
    }

    /**
     * Parses {@code pid (comm) state ppid ...}: the command name may itself hold spaces and
     * parentheses, so the fields are counted from its last {@code ')'}.
     */
    public static ProcStat parseStat(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String[] f = stat.substring(close + 2).trim().split("\\s+"); // f[0] is field 3, the state
        return new ProcStat(Long.parseLong(stat.substring(0, open).trim()), stat.substring(open + 1, close),
                f[0].charAt(0), Long.parseLong(f[9 - 3]), Long.parseLong(f[22 - 3]),
                Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]));
    }

    /**
     * Runs {@code jcmd <pid> <command>} with this JVM's {@code jcmd} and returns its output; gives
     * up after two minutes. The output goes to a file, not a pipe: reading a pipe to its end would
     * wait for as long as a hung {@code jcmd} runs, and the timeout would never apply.
     */
    public static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Path output = Files.createTempFile("jcmd-" + pid + "-", ".txt");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean exited = process.waitFor(2, TimeUnit.MINUTES);
            if (!exited) {
                process.destroyForcibly();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (!exited || process.exitValue() != 0) {
                throw new IOException("jcmd " + pid + " " + command + (exited ? " failed: " : " timed out: ") + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Parses the text of {@code GC.class_histogram}: rows {@code "  1:  instances  bytes  class (module)"}
     * and a last row {@code "Total  instances  bytes"}. Filler arrays ({@value #FILLER}) are left
     * out of the classes and the total: they are free heap space the collector formats as dead
     * arrays to keep the heap walkable, not objects of the program.
     */
    public static HeapCensus parseHistogram(String text) {
        Map<String, Long> byClass = new LinkedHashMap<>();
        Map<String, Long> instancesByClass = new LinkedHashMap<>();
        long total = -1;
        long instances = -1;
        long fillerBytes = 0;
        long fillers = 0;
        for (String line : text.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                if (f[3].equals(FILLER)) {
                    fillers += Long.parseLong(f[1]);
                    fillerBytes += Long.parseLong(f[2]);
                } else {
                    byClass.merge(f[3], Long.parseLong(f[2]), Long::sum);
                    instancesByClass.merge(f[3], Long.parseLong(f[1]), Long::sum);
                }
            } else if (f.length == 3 && f[0].equals("Total")) {
                instances = Long.parseLong(f[1]);
                total = Long.parseLong(f[2]);
            }
        }
        if (total < 0) {
            throw new IllegalArgumentException("no Total row in the class histogram: " + text.lines().limit(3).toList());
        }
        return new HeapCensus(total - fillerBytes, instances - fillers, byClass, instancesByClass);
    }

    /** Adds several processes' censuses, class by class. */
    public static HeapCensus sum(List<HeapCensus> censuses) {
        Map<String, Long> byClass = new LinkedHashMap<>();
        Map<String, Long> instancesByClass = new LinkedHashMap<>();
        long total = 0;
        long instances = 0;
        for (HeapCensus census : censuses) {
            total += census.totalBytes();
            instances += census.totalInstances();
            census.bytesByClass().forEach((name, bytes) -> byClass.merge(name, bytes, Long::sum));
            census.instancesByClass().forEach((name, count) -> instancesByClass.merge(name, count, Long::sum));
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(byClass.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        Map<String, Long> ordered = new LinkedHashMap<>();
        sorted.forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return new HeapCensus(total, instances, ordered, instancesByClass);
    }
}
