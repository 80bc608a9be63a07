package dev.c1m.limit.bench;

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
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The overload benchmark: offered load ramping from 0.5x to 3x a server's measured capacity,
 * against the same server without protection, with a fixed in-flight cap, and with an adaptive
 * (AIMD) cap. Measures, for each step, the admitted throughput (goodput), the p50 and p99
 * latency of admitted requests, the share refused, and the time it took to refuse (p50, p99).
 *
 * <p><b>Method.</b> The server ({@link OverloadServerMain}) runs in a child JVM, one per mode;
 * this JVM is the load ({@link OpenLoopClient}: open loop, latency from each request's scheduled
 * time). Capacity is measured first, in each run, as the goodput of the in-flight-capped server
 * under twice its nominal load ({@code workers / cost}); every step's rate is a multiple of it.
 * Each mode starts with two warm-up seconds at half the nominal load. A step lasts
 * {@code --step-seconds}; then the client waits for the replies still owed (an unprotected server
 * works through its whole queue), up to the step's length times its multiple plus 5 s; a reply
 * that never comes counts as lost. {@code --runs} runs; the table shows medians over runs, the
 * CSV every run.
 *
 * <pre>
 * java -cp chapter06-ratelimit/target/classes:chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.limit.bench.OverloadBench [--runs 3] [--step-seconds 5] [--workers 8] [--cost-micros 50000] \
 *      [--connections 50] [--out chapter06-ratelimit/results]
 * </pre>
 */
public final class OverloadBench {

    private static final String USAGE = """
            usage: OverloadBench [--runs N] [--step-seconds S] [--workers N] [--cost-micros US] [--connections N] [--out DIR]
              --runs          runs of the whole ramp, medians reported (default 3)
              --step-seconds  length of one load step (default 5)
              --workers       threads of the server's simulated downstream (default 8)
              --cost-micros   time each request holds one of them (default 50000; nominal capacity workers / cost)
              --connections   client connections the load is spread over (default 50)
              --out           directory for overload.csv and overload.svg (default chapter06-ratelimit/results)
            """;

    private static final double[] MULTIPLES = {0.5, 1.0, 1.5, 2.0, 2.5, 3.0};
    private static final List<String> MODES = List.of("none", "inflight", "aimd");
    private static final List<String> MODE_NAMES = List.of("no protection (unbounded queue)",
            "in-flight cap (2 x workers)", "adaptive cap (AIMD)");

    private record Row(int run, String mode, double multiple, double capacity, OpenLoopClient.Step step) {
    }

    private OverloadBench() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE,
                List.of("runs", "step-seconds", "workers", "cost-micros", "connections", "out"), List.of());
        int runs = options.integer("runs", 3, 1, 25);
        Duration step = Duration.ofSeconds(options.integer("step-seconds", 5, 1, 600));
        int workers = options.integer("workers", 8, 1, 256);
        int costMicros = options.integer("cost-micros", 50_000, 10, 1_000_000);
        int connections = options.integer("connections", 50, 1, 5_000);
        Path out = Path.of(options.string("out", "chapter06-ratelimit/results"));
        double nominal = workers * 1e6 / costMicros;
        System.out.printf(Locale.ROOT, "runs=%d step=%ds workers=%d cost=%dus nominal capacity=%.0f/s connections=%d load=%s%n",
                runs, step.toSeconds(), workers, costMicros, nominal, connections, loadAverage());

        List<Row> rows = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            double capacity = Double.NaN;
            for (String mode : List.of("inflight", "none", "aimd")) { // capacity is measured on the first
                try (ChildJvm server = ChildJvm.start(List.of(), List.of("-Xmx512m"), OverloadServerMain.class,
                        "--protection", mode, "--workers", String.valueOf(workers), "--cost-micros", String.valueOf(costMicros))) {
                    int port = Integer.parseInt(server.awaitLine("listening on 127.0.0.1:(\\d+)", Duration.ofSeconds(30)).group(1));
                    try (OpenLoopClient client = new OpenLoopClient(new InetSocketAddress("127.0.0.1", port), connections)) {
                        client.run(nominal / 2, Duration.ofSeconds(2), Duration.ofSeconds(5)); // warm-up
                        if (Double.isNaN(capacity)) {
                            capacity = client.run(2 * nominal, step, Duration.ofSeconds(5)).goodputPerSecond();
                            System.out.printf(Locale.ROOT, "run %d: measured capacity %.0f/s (%s)%n", run, capacity, loadAverage());
                        }
                        for (double multiple : MULTIPLES) {
                            Duration drain = step.multipliedBy((long) Math.ceil(multiple)).plusSeconds(5);
                            OpenLoopClient.Step result = client.run(multiple * capacity, step, drain);
                            rows.add(new Row(run, mode, multiple, capacity, result));
                            System.out.printf(Locale.ROOT, "run %d %-8s %.1fx  %s%n", run, mode, multiple, summary(result));
                        }
                    }
                    server.terminate();
                    server.awaitExit(Duration.ofSeconds(10));
                }
            }
        }
        System.out.println();
        System.out.println(table(rows));
        System.out.println("load at the end: " + loadAverage());
        Files.createDirectories(out);
        Files.writeString(out.resolve("overload.csv"), csv(rows));
        Files.writeString(out.resolve("overload.svg"), chart(rows));
        System.out.println("wrote " + out.resolve("overload.csv") + " and " + out.resolve("overload.svg"));
    }

    private static String summary(OpenLoopClient.Step s) {
        return String.format(Locale.ROOT,
                "offered %6.0f/s  goodput %6.0f/s  ok p50 %8.2f ms  p99 %8.2f ms  refused %5.1f%%  refuse p99 %6.2f ms  lost %d  max send lag %.1f ms",
                s.offeredPerSecond(), s.goodputPerSecond(), OpenLoopClient.Step.percentileMillis(s.okLatencies(), 50),
                OpenLoopClient.Step.percentileMillis(s.okLatencies(), 99), 100 * s.refusedShare(),
                OpenLoopClient.Step.percentileMillis(s.refusedLatencies(), 99), s.lost(), s.maxSendLagNanos() / 1e6);
    }

    private static double median(List<Row> rows, String mode, double multiple, ToDoubleFunction<OpenLoopClient.Step> metric) {
        double[] values = rows.stream().filter(r -> r.mode().equals(mode) && r.multiple() == multiple)
                .mapToDouble(r -> metric.applyAsDouble(r.step())).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    private static String table(List<Row> rows) {
        StringBuilder table = new StringBuilder();
        table.append("| protection | offered (x capacity) | offered/s | goodput/s | admitted p50 ms | admitted p99 ms | refused | time to refuse p50 ms | p99 ms | lost |\n");
        table.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (int m = 0; m < MODES.size(); m++) {
            String mode = MODES.get(m);
            for (double multiple : MULTIPLES) {
                table.append(String.format(Locale.ROOT, "| %s | %.1fx | %.0f | %.0f | %.2f | %.2f | %.1f %% | %s | %s | %.0f |%n",
                        MODE_NAMES.get(m), multiple,
                        median(rows, mode, multiple, OpenLoopClient.Step::offeredPerSecond),
                        median(rows, mode, multiple, OpenLoopClient.Step::goodputPerSecond),
                        median(rows, mode, multiple, s -> OpenLoopClient.Step.percentileMillis(s.okLatencies(), 50)),
                        median(rows, mode, multiple, s -> OpenLoopClient.Step.percentileMillis(s.okLatencies(), 99)),
                        100 * median(rows, mode, multiple, OpenLoopClient.Step::refusedShare),
                        orDash(median(rows, mode, multiple, s -> OpenLoopClient.Step.percentileMillis(s.refusedLatencies(), 50))),
                        orDash(median(rows, mode, multiple, s -> OpenLoopClient.Step.percentileMillis(s.refusedLatencies(), 99))),
                        median(rows, mode, multiple, s -> s.lost())));
            }
        }
        return table.toString();
    }

    private static String orDash(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String csv(List<Row> rows) {
        StringBuilder csv = new StringBuilder(
                "run,protection,multiple,capacity_per_s,offered_per_s,requests,ok,refused,lost,goodput_per_s,"
                        + "ok_p50_ms,ok_p99_ms,ok_p999_ms,refuse_p50_ms,refuse_p99_ms,max_send_lag_ms\n");
        for (Row r : rows) {
            OpenLoopClient.Step s = r.step();
            csv.append(String.format(Locale.ROOT, "%d,%s,%.1f,%.0f,%.0f,%d,%d,%d,%d,%.0f,%.3f,%.3f,%.3f,%.3f,%.3f,%.1f%n",
                    r.run(), r.mode(), r.multiple(), r.capacity(), s.offeredPerSecond(), s.requests(), s.okLatencies().length,
                    s.refusedLatencies().length, s.lost(), s.goodputPerSecond(),
                    OpenLoopClient.Step.percentileMillis(s.okLatencies(), 50), OpenLoopClient.Step.percentileMillis(s.okLatencies(), 99),
                    OpenLoopClient.Step.percentileMillis(s.okLatencies(), 99.9),
                    OpenLoopClient.Step.percentileMillis(s.refusedLatencies(), 50),
                    OpenLoopClient.Step.percentileMillis(s.refusedLatencies(), 99), s.maxSendLagNanos() / 1e6));
        }
        return csv.toString();
    }

    private static String chart(List<Row> rows) {
        List<double[]> p99 = new ArrayList<>();
        List<double[]> goodput = new ArrayList<>();
        List<double[]> refused = new ArrayList<>();
        for (String mode : MODES) {
            p99.add(Arrays.stream(MULTIPLES).map(m -> median(rows, mode, m,
                    s -> OpenLoopClient.Step.percentileMillis(s.okLatencies(), 99))).toArray());
            goodput.add(Arrays.stream(MULTIPLES).map(m -> median(rows, mode, m, OpenLoopClient.Step::goodputPerSecond)).toArray());
            refused.add(Arrays.stream(MULTIPLES).map(m -> 100 * median(rows, mode, m, OpenLoopClient.Step::refusedShare)).toArray());
        }
        return OverloadChart.svg("Offered load from 0.5x to 3x capacity (medians of " + rows.stream().mapToInt(Row::run).max().orElse(0) + " runs)",
                MULTIPLES, MODE_NAMES, List.of(
                        new OverloadChart.Panel("p99 latency of admitted requests", "ms (log scale)", true, p99),
                        new OverloadChart.Panel("admitted throughput", "requests per second", false, goodput),
                        new OverloadChart.Panel("refused", "% of offered requests", false, refused)));
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "load average unknown";
        }
    }
}
