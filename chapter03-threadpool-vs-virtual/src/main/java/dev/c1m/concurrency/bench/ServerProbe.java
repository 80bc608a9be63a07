package dev.c1m.concurrency.bench;

import dev.c1m.echo.bench.ProcessMeter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        ProcessMeter.jcmd(pid, "GC.run");
        String heapInfo = ProcessMeter.jcmd(pid, "GC.heap_info");
        Matcher used = HEAP_USED.matcher(heapInfo);
        if (!used.find()) {
            throw new IOException("no 'used NK' in jcmd GC.heap_info output:\n" + heapInfo);
        }
        List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        return new Sample((int) statusField(status, "Threads:"), statusField(status, "VmRSS:"),
                Long.parseLong(used.group(1)));
    }

    private static long statusField(List<String> status, String name) throws IOException {
        for (String line : status) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " in /proc status");
    }
}
