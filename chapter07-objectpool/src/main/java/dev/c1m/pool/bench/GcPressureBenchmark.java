package dev.c1m.pool.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;

/**
 * What does the per-message path cost the garbage collector, pooled against unpooled, under two
 * collectors? For each collector and path it starts {@link GcPressureEchoServer} in a JVM of its
 * own (the collector under test, a fixed heap), sends a warm-up, then echoes {@code --messages}
 * messages over a few pipelined connections from this JVM ({@link PipelinedEchoLoad}), and
 * reports the server's allocation per message and per second, its collections and total pause
 * (from its {@code GarbageCollectorMXBean}s, which count whole milliseconds, and from its
 * {@code -Xlog:gc,gc+phases} log, which resolves ZGC's sub-millisecond pauses), and the
 * throughput and latency the client saw.
 *
 * <pre>
 * java -cp chapter07-objectpool/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.pool.bench.GcPressureBenchmark [--messages 10000000] [--warmup 1000000] [--runs 1] \
 *      [--connections 4] [--window 32] [--heap 256m] [--gcs G1,ZGC] \
 *      [--csv chapter07-objectpool/results/gc-pressure.csv] [--svg chapter07-objectpool/results/gc-pressure.svg]
 * </pre>
 * Configurations run interleaved (run 1 of every configuration, then run 2, ...) so that a
 * change in the machine's load hits all of them; the table shows medians over runs.
 */
public final class GcPressureBenchmark {

    private static final String USAGE = """
            usage: GcPressureBenchmark [--messages N] [--warmup N] [--runs N] [--connections N] [--window N]
                                       [--heap SIZE] [--gcs LIST] [--csv FILE] [--svg FILE]
              --messages     messages echoed per measured run (default 10000000)
              --warmup       messages echoed before measuring, in the same server JVM (default 1000000, at least 1:
                             the server's counters at its end are the measurement's start)
              --runs         runs per configuration; the table shows medians (default 1)
              --connections  client connections (default 4)
              --window       requests in flight per connection (default 32)
              --heap         server -Xms and -Xmx (default 256m)
              --gcs          collectors: G1, ZGC, Parallel, Serial (default G1,ZGC)
              --csv, --svg   where to write every run's numbers and the chart (default: none)""";

    private static final Map<String, String> GC_FLAGS = Map.of(
            "G1", "-XX:+UseG1GC", "ZGC", "-XX:+UseZGC", "Parallel", "-XX:+UseParallelGC", "Serial", "-XX:+UseSerialGC");
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration PHASE_END = Duration.ofSeconds(60);

    /** One measured run of one configuration. */
    record Run(String gc, String path, int run, long messages, double messagesPerSecond, double p50Micros,
               double p99Micros, double p999Micros, double maxMicros, double handlerBytesPerMessage,
               double jvmBytesPerMessage, double allocationMegabytesPerSecond, long collections, long pauseMillis,
               double loggedPauseMillis, double longestPauseMillis) {

        String config() {
            return gc + " " + path;
        }
    }

    private GcPressureBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE,
                List.of("messages", "warmup", "runs", "connections", "window", "heap", "gcs", "csv", "svg"), List.of());
        int messages = options.integer("messages", 10_000_000, 1_000, Integer.MAX_VALUE);
        int warmup = options.integer("warmup", 1_000_000, 1, Integer.MAX_VALUE); // its end is where measuring starts
        int runs = options.integer("runs", 1, 1, 20);
        int connections = options.integer("connections", 4, 1, 64);
        int window = options.integer("window", 32, 1, 4096);
        String heap = options.string("heap", "256m");
        List<String> gcs = Arrays.stream(options.string("gcs", "G1,ZGC").split(",")).map(String::trim).toList();
        for (String gc : gcs) {
            if (!GC_FLAGS.containsKey(gc)) {
                System.err.println("error: unknown collector '" + gc + "'; use " + GC_FLAGS.keySet());
                System.exit(2);
            }
        }
        System.out.printf("GcPressureBenchmark: messages=%,d warmup=%,d runs=%d connections=%d window=%d heap=%s gcs=%s%n",
                messages, warmup, runs, connections, window, heap, gcs);
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load "
                + loadAverage() + ", JDK " + Runtime.version());

        List<Run> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (String gc : gcs) {
                for (String path : List.of("pooled", "unpooled")) {
                    Run result = measure(gc, path, run, heap, messages, warmup, connections, window);
                    results.add(result);
                    System.out.printf(Locale.ROOT, "%s run %d: %,.0f msg/s, %.1f B/msg on the message path, "
                                    + "%d collections, %d ms paused, load %s%n", result.config(), run,
                            result.messagesPerSecond(), result.handlerBytesPerMessage(), result.collections(),
                            result.pauseMillis(), loadAverage());
                }
            }
        }
        List<String> configs = results.stream().map(Run::config).distinct().toList();
        printTable(configs, results);
        String csv = options.string("csv", "");
        if (!csv.isEmpty()) {
            writeCsv(Path.of(csv), results);
        }
        String svg = options.string("svg", "");
        if (!svg.isEmpty()) {
            writeSvg(Path.of(svg), configs, results, messages, heap);
        }
    }

    @SuppressWarnings("try") // ChildJvm.close() may throw InterruptedException, which this method declares
    private static Run measure(String gc, String path, int run, String heap, int messages, int warmup,
                               int connections, int window) throws Exception {
        Path gcLog = Files.createTempFile("gc-pressure-" + gc + "-" + path + "-", ".log");
        List<String> jvm = List.of(GC_FLAGS.get(gc), "-Xms" + heap, "-Xmx" + heap,
                "-Xlog:gc,gc+phases:file=" + gcLog);
        try (ChildJvm server = ChildJvm.start(List.of(), jvm, GcPressureEchoServer.class, "--path", path)) {
            int port = Integer.parseInt(server.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)", STARTUP).group(1));
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            String label = gc + " " + path + " run " + run;
            PipelinedEchoLoad.run(address, connections, window, warmup, label + " warm-up");
            long[] before = stats(server.awaitLine(statsLine(1), PHASE_END));
            PipelinedEchoLoad.Result load = PipelinedEchoLoad.run(address, connections, window, messages, label);
            long[] after = stats(server.awaitLine(statsLine(2), PHASE_END));
            server.terminate();
            server.awaitExit(Duration.ofSeconds(20));
            double seconds = load.elapsedNanos() / 1e9;
            long handlerBytes = after[0] - before[0];
            long jvmBytes = after[1] - before[1];
            double[] logged = GcLogPauses.between(gcLog, before[4], after[4]);
            Files.delete(gcLog);
            return new Run(gc, path, run, messages, load.messagesPerSecond(), load.latencyMicros(50),
                    load.latencyMicros(99), load.latencyMicros(99.9), load.latencyMicros(100),
                    (double) handlerBytes / messages, (double) jvmBytes / messages, jvmBytes / 1e6 / seconds,
                    after[2] - before[2], after[3] - before[3], logged[0], logged[1]);
        }
    }

    private static String statsLine(int phase) {
        return "STATS phase=" + phase + " handlerBytes=(\\d+) allocatedBytes=(\\d+) collections=(\\d+) pauseMillis=(\\d+)"
                + " uptimeMillis=(\\d+)";
    }

    private static long[] stats(Matcher m) {
        return new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                Long.parseLong(m.group(4)), Long.parseLong(m.group(5))};
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> metric) {
        double[] values = runs.stream().mapToDouble(metric).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static Map<String, List<Run>> byConfig(List<String> configs, List<Run> results) {
        Map<String, List<Run>> map = new LinkedHashMap<>();
        for (String config : configs) {
            map.put(config, results.stream().filter(r -> r.config().equals(config)).toList());
        }
        return map;
    }

    private static void printTable(List<String> configs, List<Run> results) {
        System.out.println();
        System.out.println("| collector, path | msg/s | p50 µs | p99 µs | p99.9 µs | path B/msg | JVM B/msg | alloc MB/s"
                + " | GCs | pause ms (MXBean) | pause ms (log) | longest pause ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        byConfig(configs, results).forEach((config, runs) -> System.out.printf(Locale.ROOT,
                "| %s | %,.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.0f | %.0f | %.2f | %.2f |%n", config,
                median(runs, Run::messagesPerSecond), median(runs, Run::p50Micros), median(runs, Run::p99Micros),
                median(runs, Run::p999Micros), median(runs, Run::handlerBytesPerMessage),
                median(runs, Run::jvmBytesPerMessage), median(runs, Run::allocationMegabytesPerSecond),
                median(runs, r -> r.collections()), median(runs, r -> r.pauseMillis()),
                median(runs, Run::loggedPauseMillis), median(runs, Run::longestPauseMillis)));
    }

    private static void writeCsv(Path file, List<Run> results) throws IOException {
        StringBuilder csv = new StringBuilder("gc,path,run,messages,messages_per_s,p50_us,p99_us,p999_us,max_us,"
                + "path_bytes_per_msg,jvm_bytes_per_msg,alloc_mb_per_s,collections,pause_ms_mxbean,pause_ms_log,longest_pause_ms\n");
        for (Run r : results) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.0f,%.1f,%.1f,%.1f,%.1f,%.2f,%.2f,%.2f,%d,%d,%.3f,%.3f%n",
                    r.gc(), r.path(), r.run(), r.messages(), r.messagesPerSecond(), r.p50Micros(), r.p99Micros(),
                    r.p999Micros(), r.maxMicros(), r.handlerBytesPerMessage(), r.jvmBytesPerMessage(),
                    r.allocationMegabytesPerSecond(), r.collections(), r.pauseMillis(), r.loggedPauseMillis(),
                    r.longestPauseMillis()));
        }
        Files.writeString(file, csv);
        System.out.println("wrote " + file);
    }

    private static void writeSvg(Path file, List<String> configs, List<Run> results, int messages, String heap)
            throws IOException {
        Map<String, List<Run>> groups = byConfig(configs, results);
        List<SvgBarChart.Panel> panels = List.of(
                panel("message path, bytes/msg", groups, Run::handlerBytesPerMessage),
                panel("GC pauses, total ms (GC log)", groups, Run::loggedPauseMillis),
                panel("throughput, k msg/s", groups, r -> r.messagesPerSecond() / 1000),
                panel("p99 latency, µs", groups, Run::p99Micros));
        String subtitle = String.format(Locale.ROOT, "%,d echoed messages per run, server heap %s, medians of %d run(s)",
                messages, heap, groups.values().iterator().next().size());
        Files.writeString(file, SvgBarChart.render("Pooled vs unpooled echo path: what the collector sees",
                subtitle, configs, panels));
        System.out.println("wrote " + file);
    }

    private static SvgBarChart.Panel panel(String title, Map<String, List<Run>> groups, ToDoubleFunction<Run> metric) {
        return new SvgBarChart.Panel(title, groups.values().stream().map(runs -> median(runs, metric)).toList());
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
