package dev.c1m.concurrency.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures another JVM from the outside, as an operator would: OS threads and resident memory
 * from {@code /proc/<pid>/status}, CPU time from {@code /proc/<pid>/stat}, and live heap after a full collection through {@code jcmd}
 * ({@code GC.run}, then {@code GC.heap_info}). Linux only.
 *
 * <p>Stateless; each call runs {@code jcmd} twice (about a second on a busy machine).
 */
final class ServerProbe {

    /** One sample of a process. */
    record Sample(int threads, long rssKib, long heapUsedKib) {
    }

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private ServerProbe() {
    }

    static Sample sample(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String heapInfo = jcmd(pid, "GC.heap_info");
        Matcher used = HEAP_USED.matcher(heapInfo);
        if (!used.find()) {
            throw new IOException("no 'used NK' in jcmd GC.heap_info output:\n" + heapInfo);
        }
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        return new Sample((int) statusField(status, "Threads:"), statusField(status, "VmRSS:"),
                Long.parseLong(used.group(1)));
    }

    /**
     * CPU time (user plus system) the process has used so far, from {@code /proc/<pid>/stat};
     * assumes the usual 100 clock ticks per second, so the resolution is 10 ms.
     */
    static long cpuNanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // Fields after the command name, which is in parentheses and may contain spaces.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 10_000_000L;
    }

    private static long statusField(List<String> status, String name) throws IOException {
        for (String line : status) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " in /proc status");
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " failed:\n" + output);
        }
        return output;
    }
}
