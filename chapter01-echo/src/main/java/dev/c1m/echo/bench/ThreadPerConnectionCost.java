package dev.c1m.echo.bench;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.EchoServerMain;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What does a platform thread per connection cost? Starts chapter 1's server in its own JVM,
 * has an {@link IdleConnectionHolder} in another JVM open and hold N idle connections, and reads
 * the server's thread count and resident memory from {@code /proc/<pid>/status}, and its
 * committed and reserved thread-stack memory from Native Memory Tracking ({@code jcmd}).
 *
 * <pre>
 * java -cp chapter01-echo/target/classes dev.c1m.echo.bench.ThreadPerConnectionCost \
 *      [--connections 1000,5000] [--runs 3] [--csv chapter01-echo/results/thread-per-connection.csv]
 * </pre>
 * Each configuration runs {@code --runs} times with a fresh server; the table shows medians.
 * Linux only (it reads /proc).
 */
public final class ThreadPerConnectionCost {

    private static final String USAGE = """
            usage: ThreadPerConnectionCost [--connections LIST] [--runs N] [--csv FILE]
              --connections  comma-separated connection counts (default 1000,5000)
              --runs         fresh-server runs per count; the table shows medians (default 3)
              --csv          where to write every run's raw numbers (default: none)""";

    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Pattern STACK = Pattern.compile("\\(stack: reserved=(\\d+)KB, committed=(\\d+)KB");

    /** One run's reading of the server process. */
    record Sample(int connections, int run, long threads, long rssKiB, long stackReservedKiB, long stackCommittedKiB) {
    }

    private ThreadPerConnectionCost() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("connections", "runs", "csv"), List.of());
        int[] counts = Arrays.stream(options.string("connections", "1000,5000").split(","))
                .map(String::trim).mapToInt(Integer::parseInt).toArray();
        int runs = options.integer("runs", 3, 1, 50);
        String csv = options.string("csv", "");
        if (!Files.isReadable(Path.of("/proc/self/status"))) {
            System.err.println("this benchmark reads /proc and runs on Linux only");
            System.exit(2);
        }
        System.out.printf("java %s, %d cores; %d run(s) per count%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), runs);

        List<Sample> samples = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (int count : withBaseline(counts)) {
                Sample sample = measure(count, run);
                samples.add(sample);
                System.out.printf("run %d, %5d connections: %5d threads, RSS %6.1f MiB%n",
                        run, count, sample.threads(), sample.rssKiB() / 1024.0);
            }
        }
        printTable(samples);
        if (!csv.isEmpty()) {
            writeCsv(Path.of(csv), samples);
            System.out.println("raw samples written to " + csv);
        }
    }

    private static int[] withBaseline(int[] counts) {
        int[] all = new int[counts.length + 1];
        System.arraycopy(counts, 0, all, 1, counts.length);
        return all;
    }

    private static Sample measure(int connections, int run) throws IOException, InterruptedException {
        try (ChildJvm server = ChildJvm.start(List.of(), List.of("-XX:NativeMemoryTracking=summary"),
                EchoServerMain.class, "--port", "0")) {
            String port = server.awaitLine("listening on 127.0.0.1:(\\d+)", STARTUP).group(1);
            if (connections == 0) {
                return read(server.pid(), connections, run);
            }
            try (ChildJvm holder = ChildJvm.start(List.of(), List.of("-Xss256k"), IdleConnectionHolder.class,
                    "--port", port, "--connections", Integer.toString(connections))) {
                holder.awaitLine("holding \\d+ connections", Duration.ofMinutes(5));
                return read(server.pid(), connections, run);
            }
        }
    }

    private static Sample read(long pid, int connections, int run) throws IOException, InterruptedException {
        Map<String, Long> status = procStatus(pid);
        long[] stacks = threadStacks(pid);
        return new Sample(connections, run, status.get("Threads"), status.get("VmRSS"), stacks[0], stacks[1]);
    }

    /** Numeric fields of /proc/PID/status; sizes are in KiB. */
    private static Map<String, Long> procStatus(long pid) throws IOException {
        Map<String, Long> fields = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            String[] parts = line.split(":\\s+");
            if (parts.length == 2 && parts[1].matches("\\d+( kB)?")) {
                fields.put(parts[0], Long.parseLong(parts[1].replace(" kB", "")));
            }
        }
        return fields;
    }

    /** Reserved and committed thread-stack KiB, from {@code jcmd PID VM.native_memory summary}. */
    private static long[] threadStacks(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        Matcher matcher = STACK.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no thread stack line in NMT output:\n" + output);
        }
        return new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))};
    }

    private static void printTable(List<Sample> samples) {
        Map<Integer, List<Sample>> byCount = new TreeMap<>();
        samples.forEach(s -> byCount.computeIfAbsent(s.connections(), k -> new ArrayList<>()).add(s));
        Sample baseline = medianOf(byCount.get(0));
        System.out.println();
        System.out.println("| connections | server threads | server RSS (MiB) | RSS per connection (KiB) "
                + "| stack committed per thread (KiB) | stack reserved per thread (KiB) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        byCount.forEach((count, list) -> {
            Sample m = medianOf(list);
            String perConnection = count == 0 ? "-"
                    : String.format("%.1f", (m.rssKiB() - baseline.rssKiB()) / (double) count);
            System.out.printf("| %,d | %,d | %.1f | %s | %.1f | %.0f |%n", count, m.threads(), m.rssKiB() / 1024.0,
                    perConnection, m.stackCommittedKiB() / (double) m.threads(),
                    m.stackReservedKiB() / (double) m.threads());
        });
    }

    /** Field-wise medians of several runs of one configuration. */
    private static Sample medianOf(List<Sample> runs) {
        return new Sample(runs.getFirst().connections(), 0,
                median(runs, Sample::threads), median(runs, Sample::rssKiB),
                median(runs, Sample::stackReservedKiB), median(runs, Sample::stackCommittedKiB));
    }

    private static long median(List<Sample> runs, java.util.function.ToLongFunction<Sample> field) {
        long[] values = runs.stream().mapToLong(field).sorted().toArray();
        return values[values.length / 2];
    }

    private static void writeCsv(Path file, List<Sample> samples) {
        StringBuilder csv = new StringBuilder("connections,run,threads,rss_kib,stack_reserved_kib,stack_committed_kib\n");
        for (Sample s : samples) {
            csv.append(s.connections()).append(',').append(s.run()).append(',').append(s.threads()).append(',')
                    .append(s.rssKiB()).append(',').append(s.stackReservedKiB()).append(',')
                    .append(s.stackCommittedKiB()).append('\n');
        }
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
