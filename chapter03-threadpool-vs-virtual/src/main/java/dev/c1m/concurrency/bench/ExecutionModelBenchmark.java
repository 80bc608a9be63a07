package dev.c1m.concurrency.bench;

import dev.c1m.concurrency.ExecutionModel;
import dev.c1m.concurrency.demo.ConcurrencyServerMain;
import dev.c1m.concurrency.load.ClosedLoopReport;
import dev.c1m.concurrency.load.EchoLoadClient;
import dev.c1m.concurrency.load.FirstEchoReport;
import dev.c1m.concurrency.load.LoadSettings;
import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.bench.ProcessMeter;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Compares the three {@link ExecutionModel}s on the same echo server: for each model and each
 * connection count it starts the server in a JVM of its own, opens the connections from this
 * JVM with the {@link EchoLoadClient}, and records the server's OS threads, resident memory and
 * live heap per connection, how many connections were served and how long until the last first
 * echo, and closed-loop throughput and latency with a few busy connections. Every configuration
 * runs {@code --repeats} times, interleaved; the table shows medians.
 *
 * <pre>
 * java -cp ... dev.c1m.concurrency.bench.ExecutionModelBenchmark [--quick] [--repeats 3]
 *      [--connections 1000,5000,10000] [--busy 100,1000] [--models thread,pool,virtual]
 *      [--duration 4] [--warmup 1] [--out chapter03-threadpool-vs-virtual/results]
 * </pre>
 * Writes {@code runs.csv} (every run), {@code summary.csv} and {@code summary.md} (medians) and
 * {@code memory-per-connection.svg} to the output folder.
 */
public final class ExecutionModelBenchmark {

    private static final String USAGE = """
            usage: ExecutionModelBenchmark [options]
              --quick               a smoke run: 300 and 600 connections, 50 busy, 1 repeat, 1 s windows
              --models              comma-separated models (default thread,pool,virtual)
              --connections         comma-separated connection counts (default 1000,5000,10000)
              --busy                comma-separated busy-connection counts (default 100,1000)
              --repeats             runs per configuration (default 3)
              --warmup              seconds of closed loop before measuring (default 1)
              --duration            seconds measured per closed loop (default 4)
              --line-bytes          bytes per request line (default 64)
              --sources             client source addresses 127.0.0.1..k (default 4)
              --pool-threads        threads of the fixed pool (default 200)
              --pool-queue          queue of the fixed pool (default 1000)
              --first-echo-timeout  seconds a connection waits for its first echo (default 10)
              --out                 output folder (default chapter03-threadpool-vs-virtual/results,
                                    or chapter03-threadpool-vs-virtual/target/bench-quick with --quick)""";

    /** JVM options of the server: a fixed heap ceiling so that runs are comparable. */
    static final List<String> SERVER_JVM_OPTIONS = List.of("-Xms64m", "-Xmx2g");

    /** One closed loop and the server CPU it cost: cores busy on average over warm-up and window. */
    private record Busy(int wanted, ClosedLoopReport report, double serverCores) {

        /** Echoes per second of server CPU: throughput independent of how much CPU the machine gave. */
        double echoesPerCpuSecond() {
            return serverCores == 0 ? 0 : report.requestsPerSecond() / serverCores;
        }
    }

    private record Run(String model, int connections, int repeat, FirstEchoReport first,
                       ServerProbe.Sample base, ServerProbe.Sample loaded, List<Busy> busy) {

        int heldByServer() {
            return first.echoed() + first.noReply() + first.wrongReply();
        }

        double rssKibPerConnection() {
            return heldByServer() == 0 ? 0 : (double) (loaded.rssKib() - base.rssKib()) / heldByServer();
        }

        double heapKibPerConnection() {
            return heldByServer() == 0 ? 0 : (double) (loaded.heapUsedKib() - base.heapUsedKib()) / heldByServer();
        }
    }

    private ExecutionModelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("models", "connections", "busy", "repeats",
                "warmup", "duration", "line-bytes", "sources", "pool-threads", "pool-queue", "first-echo-timeout",
                "out"), List.of("quick"));
        boolean quick = options.flag("quick");
        List<String> models = List.of(options.string("models", "thread,pool,virtual").split(","));
        models.forEach(ExecutionModel::fromOptionName);
        int[] connectionCounts = integers(options.string("connections", quick ? "300,600" : "1000,5000,10000"));
        int[] busyCounts = integers(options.string("busy", quick ? "50" : "100,1000"));
        int repeats = options.integer("repeats", quick ? 1 : 3, 1, 100);
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 1, 0, 600));
        Duration duration = Duration.ofSeconds(options.integer("duration", quick ? 1 : 4, 1, 600));
        int lineBytes = options.integer("line-bytes", 64, 1, 8000);
        int sources = options.integer("sources", 4, 1, 254);
        int poolThreads = options.integer("pool-threads", 200, 1, 100_000);
        int poolQueue = options.integer("pool-queue", 1000, 1, 10_000_000);
        Duration firstEchoTimeout = Duration.ofSeconds(options.integer("first-echo-timeout", quick ? 3 : 10, 1, 600));
        Path out = Path.of(options.string("out", quick ? "chapter03-threadpool-vs-virtual/target/bench-quick" : "chapter03-threadpool-vs-virtual/results"));

        System.out.printf("models %s, connections %s, busy %s, repeats %d, warm-up %d s, measured %d s,"
                        + " %d-byte lines, %d source addresses, pool %d threads + queue %d, first-echo timeout %d s%n",
                models, Arrays.toString(connectionCounts), Arrays.toString(busyCounts), repeats, warmup.toSeconds(),
                duration.toSeconds(), lineBytes, sources, poolThreads, poolQueue, firstEchoTimeout.toSeconds());
        System.out.printf("server JVM options %s; java %s; %d cores; load average at start: %s%n",
                SERVER_JVM_OPTIONS, Runtime.version(), Runtime.getRuntime().availableProcessors(), loadAverage());

        List<Run> runs = new ArrayList<>();
        int total = repeats * connectionCounts.length * models.size();
        for (int repeat = 1; repeat <= repeats; repeat++) {
            for (int connections : connectionCounts) {
                for (String model : models) {
                    System.out.printf("[%d/%d %s] %s, %d connections, repeat %d%n", runs.size() + 1, total,
                            Instant.now().toString().substring(11, 19), model, connections, repeat);
                    Run run = runOnce(model, connections, repeat, busyCounts, lineBytes, warmup, duration,
                            sources, poolThreads, poolQueue, firstEchoTimeout);
                    runs.add(run);
                    System.out.println("    " + describe(run));
                }
            }
        }
        System.out.println("load average at end: " + loadAverage());
        Files.createDirectories(out);
        Files.writeString(out.resolve("runs.csv"), runsCsv(runs, busyCounts));
        String summary = summaryTable(runs, models, connectionCounts, busyCounts);
        Files.writeString(out.resolve("summary.md"), summary);
        Files.writeString(out.resolve("summary.csv"), summaryCsv(runs, models, connectionCounts, busyCounts));
        Files.writeString(out.resolve("memory-per-connection.svg"), chart(runs, models, connectionCounts));
        System.out.println();
        System.out.print(summary);
        System.out.println("wrote runs.csv, summary.csv, summary.md and memory-per-connection.svg to " + out.toAbsolutePath());
    }

    private static Run runOnce(String model, int connections, int repeat, int[] busyCounts, int lineBytes,
                               Duration warmup, Duration duration, int sources, int poolThreads, int poolQueue,
                               Duration firstEchoTimeout) throws Exception {
        try (ChildJvm server = ChildJvm.start(List.of(), SERVER_JVM_OPTIONS, ConcurrencyServerMain.class,
                "--model", model, "--port", "0", "--backlog", "4096",
                "--pool-threads", Integer.toString(poolThreads), "--pool-queue", Integer.toString(poolQueue))) {
            Thread killOnExit = Thread.ofPlatform().unstarted(() -> {
                try {
                    server.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Runtime.getRuntime().addShutdownHook(killOnExit);
            try {
                return measure(server, model, connections, repeat, busyCounts, lineBytes, warmup, duration, sources,
                        firstEchoTimeout);
            } finally {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            }
        }
    }

    /** Connects the load to a started server, samples it, runs the closed loops, then stops it. */
    private static Run measure(ChildJvm server, String model, int connections, int repeat, int[] busyCounts,
                               int lineBytes, Duration warmup, Duration duration, int sources,
                               Duration firstEchoTimeout) throws Exception {
        int port = Integer.parseInt(server.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(60)).group(1));
        ServerProbe.Sample base = ServerProbe.sample(server.pid());
        LoadSettings settings = LoadSettings.defaults(new InetSocketAddress("127.0.0.1", port))
                .withSourceAddresses(sources).withFirstEchoTimeout(firstEchoTimeout);
        try (EchoLoadClient load = EchoLoadClient.open(settings, connections,
                (phase, done, all) -> System.out.printf("    %s %d/%d%n", phase, done, all))) {
            ServerProbe.Sample loaded = ServerProbe.sample(server.pid());
            List<Busy> busy = new ArrayList<>();
            for (int wanted : busyCounts) {
                System.out.printf("    closed loop, %d busy: %d s warm-up + %d s measured%n",
                        wanted, warmup.toSeconds(), duration.toSeconds());
                long cpuBefore = ProcessMeter.cpuNanos(server.pid());
                long wallBefore = System.nanoTime();
                ClosedLoopReport report = load.closedLoop(wanted, lineBytes, warmup, duration);
                double cores = (double) (ProcessMeter.cpuNanos(server.pid()) - cpuBefore)
                        / (System.nanoTime() - wallBefore);
                busy.add(new Busy(wanted, report, cores));
            }
            // The server closes first, so that TIME_WAIT lands on its side, not on our ports.
            server.terminate();
            server.awaitExit(Duration.ofSeconds(60));
            return new Run(model, connections, repeat, load.firstEchoes(), base, loaded, busy);
        }
    }

    private static String describe(Run run) {
        FirstEchoReport first = run.first();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "echoed %d, no reply %d, wrong reply %d, refused %d, connect failed %d, last first echo %d ms;"
                        + " threads %d; RSS %.1f KiB/conn, heap %.1f KiB/conn", first.echoed(), first.noReply(),
                first.wrongReply(), first.closedByServer(), first.connectFailed(), first.timeUntilLastEcho().toMillis(),
                run.loaded().threads(), run.rssKibPerConnection(), run.heapKibPerConnection()));
        for (Busy busy : run.busy()) {
            ClosedLoopReport r = busy.report();
            text.append(String.format(Locale.ROOT, "; %d busy (%d served): %.0f req/s p50 %d us p99 %d us,"
                            + " server %.2f cores, %.0f echoes/CPU-s", busy.wanted(), r.busyConnections(),
                    r.requestsPerSecond(), micros(r, 50), micros(r, 99), busy.serverCores(), busy.echoesPerCpuSecond()));
        }
        return text.toString();
    }

    private static String runsCsv(List<Run> runs, int[] busyCounts) {
        StringBuilder csv = new StringBuilder("model,connections,repeat,echoed,no_reply,wrong_reply,refused,connect_failed,"
                + "last_first_echo_ms,server_threads_before,server_threads,rss_kib_before,rss_kib,heap_kib_before,heap_kib,"
                + "rss_kib_per_conn,heap_kib_per_conn");
        for (int busy : busyCounts) {
            csv.append(String.format(",busy%1$d_served,busy%1$d_rps,busy%1$d_p50_us,busy%1$d_p99_us,busy%1$d_p999_us,"
                    + "busy%1$d_failures,busy%1$d_server_cores,busy%1$d_echoes_per_cpu_s", busy));
        }
        csv.append('\n');
        for (Run run : runs) {
            FirstEchoReport f = run.first();
            csv.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%.2f,%.2f", run.model(),
                    run.connections(), run.repeat(), f.echoed(), f.noReply(), f.wrongReply(), f.closedByServer(),
                    f.connectFailed(),
                    f.timeUntilLastEcho().toMillis(), run.base().threads(), run.loaded().threads(), run.base().rssKib(),
                    run.loaded().rssKib(), run.base().heapUsedKib(), run.loaded().heapUsedKib(),
                    run.rssKibPerConnection(), run.heapKibPerConnection()));
            for (Busy busy : run.busy()) {
                ClosedLoopReport r = busy.report();
                csv.append(String.format(Locale.ROOT, ",%d,%.0f,%d,%d,%d,%d,%.3f,%.0f", r.busyConnections(),
                        r.requestsPerSecond(), micros(r, 50), micros(r, 99), micros(r, 99.9), r.failures(),
                        busy.serverCores(), busy.echoesPerCpuSecond()));
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    private static String summaryTable(List<Run> runs, List<String> models, int[] connectionCounts, int[] busyCounts) {
        StringBuilder table = new StringBuilder("| model | connections | echoed / no reply / refused | last first echo (ms)"
                + " | server threads | RSS KiB/conn | heap KiB/conn |");
        StringBuilder rule = new StringBuilder("|---|---:|---|---:|---:|---:|---:|");
        for (int busy : busyCounts) {
            table.append(String.format(" %d busy: served | req/s | echoes/CPU-s | p50 µs | p99 µs |", busy));
            rule.append("---:|---:|---:|---:|---:|");
        }
        table.append('\n').append(rule).append('\n');
        for (int connections : connectionCounts) {
            for (String model : models) {
                Medians m = Medians.of(group(runs, model, connections), busyCounts.length);
                table.append(String.format(Locale.ROOT, "| %s | %d | %.0f / %.0f / %.0f | %.0f | %.0f | %.1f | %.1f |",
                        model, connections, m.echoed(), m.noReply(), m.refused(), m.lastFirstEchoMillis(),
                        m.serverThreads(), m.rssKibPerConnection(), m.heapKibPerConnection()));
                for (double[] busy : m.busy()) {
                    table.append(String.format(Locale.ROOT, " %.0f | %.0f | %.0f | %.0f | %.0f |", boxed(busy)));
                }
                table.append('\n');
            }
        }
        return table.toString();
    }

    private static String summaryCsv(List<Run> runs, List<String> models, int[] connectionCounts, int[] busyCounts) {
        StringBuilder csv = new StringBuilder("model,connections,runs,echoed,no_reply,refused,last_first_echo_ms,"
                + "server_threads,rss_kib_per_conn,heap_kib_per_conn");
        for (int busy : busyCounts) {
            csv.append(String.format(",busy%1$d_served,busy%1$d_rps,busy%1$d_echoes_per_cpu_s,busy%1$d_p50_us,"
                    + "busy%1$d_p99_us", busy));
        }
        csv.append('\n');
        for (int connections : connectionCounts) {
            for (String model : models) {
                List<Run> group = group(runs, model, connections);
                Medians m = Medians.of(group, busyCounts.length);
                csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.2f,%.2f", model, connections,
                        group.size(), m.echoed(), m.noReply(), m.refused(), m.lastFirstEchoMillis(), m.serverThreads(),
                        m.rssKibPerConnection(), m.heapKibPerConnection()));
                for (double[] busy : m.busy()) {
                    csv.append(String.format(Locale.ROOT, ",%.0f,%.0f,%.0f,%.0f,%.0f", boxed(busy)));
                }
                csv.append('\n');
            }
        }
        return csv.toString();
    }

    /**
     * The medians over the repeats of one model at one connection count, which the summary table and
     * the summary CSV both print; {@code busy} holds, per busy step, {served, req/s, echoes per CPU
     * second, p50 us, p99 us}.
     */
    private record Medians(double echoed, double noReply, double refused, double lastFirstEchoMillis,
            double serverThreads, double rssKibPerConnection, double heapKibPerConnection, List<double[]> busy) {

        static Medians of(List<Run> group, int busySteps) {
            List<double[]> busy = new ArrayList<>();
            for (int i = 0; i < busySteps; i++) {
                int at = i;
                busy.add(new double[] {
                    median(group, r -> r.busy().get(at).report().busyConnections()),
                    median(group, r -> r.busy().get(at).report().requestsPerSecond()),
                    median(group, r -> r.busy().get(at).echoesPerCpuSecond()),
                    median(group, r -> micros(r.busy().get(at).report(), 50)),
                    median(group, r -> micros(r.busy().get(at).report(), 99))
                });
            }
            return new Medians(median(group, r -> r.first().echoed()), median(group, r -> r.first().noReply()),
                    median(group, r -> r.first().closedByServer()),
                    median(group, r -> r.first().timeUntilLastEcho().toMillis()),
                    median(group, r -> r.loaded().threads()), median(group, Run::rssKibPerConnection),
                    median(group, Run::heapKibPerConnection), busy);
        }
    }

    private static Object[] boxed(double[] values) {
        return Arrays.stream(values).boxed().toArray();
    }

    private static String chart(List<Run> runs, List<String> models, int[] connectionCounts) {
        List<MemoryChart.Series> series = new ArrayList<>();
        for (String model : models) {
            List<double[]> points = new ArrayList<>();
            for (int connections : connectionCounts) {
                List<Run> group = group(runs, model, connections);
                points.add(new double[] {connections, median(group, Run::rssKibPerConnection),
                        median(group, Run::heapKibPerConnection)});
            }
            series.add(new MemoryChart.Series(model, MemoryChart.COLOURS.getOrDefault(model, "black"), points));
        }
        return MemoryChart.svg("Server memory per connection (median of runs)", series);
    }

    private static List<Run> group(List<Run> runs, String model, int connections) {
        return runs.stream().filter(r -> r.model().equals(model) && r.connections() == connections).toList();
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static long micros(ClosedLoopReport report, double percentile) {
        return report.latency().percentile(percentile).toNanos() / 1_000;
    }

    private static int[] integers(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        return Files.exists(loadavg) ? Files.readString(loadavg).trim() : "unknown";
    }
}
