package dev.c1m.heartbeat.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.Options;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * The timing wheel against {@link java.util.concurrent.ScheduledThreadPoolExecutor} with a million
 * pending timeouts: time to schedule, heap held, cost of re-arming on activity, time to cancel.
 * Each run of each implementation is a {@link TimerCostProbe} in a fresh JVM (same flags), so one
 * case's garbage and JIT state never blur another's. Prints each run as it finishes, then a table
 * of medians; writes the raw runs as CSV and the medians as an SVG chart.
 *
 * <pre>
 * ./mvnw -q -pl chapter04-heartbeat -am package -DskipTests
 * java -cp chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.heartbeat.bench.WheelVersusSchedulerBenchmark [--timeouts 1000000] [--runs 5] [--out chapter04-heartbeat/results]
 *      [--compact-headers]
 * </pre>
 * With {@code --compact-headers} the child JVMs run with {@code -XX:+UseCompactObjectHeaders}
 * (8-byte object headers, a product flag since JDK 25) and the files are named
 * {@code wheel-vs-scheduler-compact-headers.*}.
 */
public final class WheelVersusSchedulerBenchmark {

    private static final String USAGE = """
            usage: WheelVersusSchedulerBenchmark [--timeouts N] [--runs N] [--out DIR] [--compact-headers]
              --timeouts         pending timeouts per run (default 1000000)
              --runs             runs of each implementation (default 5)
              --out              directory for wheel-vs-scheduler.csv and .svg (default chapter04-heartbeat/results)
              --compact-headers  run the child JVMs with -XX:+UseCompactObjectHeaders""";

    private static final List<String> IMPLS = List.of("wheel-tracker", "wheel-runnable", "stpe");
    private static final List<String> METRICS = List.of("schedule_ns", "bytes", "rearm_ns", "cancel_ns");
    private static final List<String> JVM_OPTIONS = List.of("-Xms3g", "-Xmx3g", "-XX:+UseParallelGC");
    private static final String COMPACT_HEADERS = "-XX:+UseCompactObjectHeaders";

    private WheelVersusSchedulerBenchmark() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options = Options.parseOrExit(args, USAGE, List.of("timeouts", "runs", "out"),
                List.of("compact-headers"));
        int timeouts = options.integer("timeouts", 1_000_000, 1, 50_000_000);
        int runs = options.integer("runs", 5, 1, 100);
        Path out = Path.of(options.string("out", "chapter04-heartbeat/results"));
        boolean compact = options.flag("compact-headers");
        List<String> jvmOptions = new ArrayList<>(JVM_OPTIONS);
        if (compact) {
            jvmOptions.add(COMPACT_HEADERS);
        }
        String name = compact ? "wheel-vs-scheduler-compact-headers" : "wheel-vs-scheduler";
        System.out.printf("timeouts=%d runs=%d child JVM options=%s cores=%d%n", timeouts, runs, jvmOptions,
                Runtime.getRuntime().availableProcessors());

        Map<String, List<double[]>> results = new LinkedHashMap<>();
        List<String> csv = new ArrayList<>();
        csv.add("run,impl,timeouts," + String.join(",", METRICS));
        for (int run = 1; run <= runs; run++) {
            for (String impl : IMPLS) {
                double[] values = runProbe(impl, timeouts, jvmOptions);
                results.computeIfAbsent(impl, k -> new ArrayList<>()).add(values);
                String row = String.format(Locale.ROOT, "%d,%s,%d,%.1f,%.1f,%.1f,%.1f", run, impl, timeouts,
                        values[0], values[1], values[2], values[3]);
                csv.add(row);
                System.out.println("run " + run + "/" + runs + ": " + row);
            }
        }
        Map<String, double[]> medians = new LinkedHashMap<>();
        results.forEach((impl, list) -> medians.put(impl, medians(list)));
        printTable(medians, runs, timeouts);
        Files.createDirectories(out);
        Files.write(out.resolve(name + ".csv"), csv);
        Files.writeString(out.resolve(name + ".svg"), svg(medians, timeouts, runs, compact));
        System.out.println("wrote " + out.resolve(name + ".csv") + " and .svg");
    }

    private static double[] runProbe(String impl, int timeouts, List<String> jvmOptions)
            throws IOException, InterruptedException {
        try (ChildJvm child = ChildJvm.start(List.of(), jvmOptions, TimerCostProbe.class,
                "--impl", impl, "--timeouts", Integer.toString(timeouts))) {
            Matcher m = child.awaitLine(
                    "RESULT impl=\\S+ timeouts=\\d+ schedule_ns=(\\S+) bytes=(\\S+) rearm_ns=(\\S+) cancel_ns=(\\S+)",
                    Duration.ofMinutes(5));
            double[] values = new double[4];
            for (int i = 0; i < 4; i++) {
                values[i] = Double.parseDouble(m.group(i + 1));
            }
            child.awaitExit(Duration.ofSeconds(30));
            return values;
        }
    }

    private static double[] medians(List<double[]> runs) {
        double[] medians = new double[METRICS.size()];
        for (int metric = 0; metric < medians.length; metric++) {
            int index = metric;
            double[] sorted = runs.stream().mapToDouble(values -> values[index]).sorted().toArray();
            int mid = sorted.length / 2;
            medians[metric] = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
        return medians;
    }

    private static void printTable(Map<String, double[]> medians, int runs, int timeouts) {
        System.out.printf("%nmedians of %d runs, %,d pending timeouts%n", runs, timeouts);
        System.out.printf("%-16s %14s %14s %16s %14s%n", "impl", "schedule ns/op", "heap B/timeout",
                "re-arm ns/msg", "cancel ns/op");
        medians.forEach((impl, m) -> System.out.printf(Locale.ROOT, "%-16s %14.1f %14.1f %16.1f %14.1f%n",
                impl, m[0], m[1], m[2], m[3]));
    }

    /** Four panels, one per metric, each a horizontal bar per implementation. */
    private static String svg(Map<String, double[]> medians, int timeouts, int runs, boolean compact) {
        String[] titles = {"schedule (ns per timeout)", "heap (bytes per pending timeout)",
                "re-arm on activity (ns per message)", "cancel (ns per timeout)"};
        String[] colors = {"#2b7bba", "#6aaed6", "#d9534f"};
        int panelHeight = 110;
        int width = 800;
        int height = 50 + titles.length * panelHeight;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"12\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Timing wheel vs"
                        + " ScheduledThreadPoolExecutor, %,d pending timeouts (median of %d runs%s)</text>%n",
                timeouts, runs, compact ? ", compact headers" : ""));
        for (int metric = 0; metric < titles.length; metric++) {
            int top = 45 + metric * panelHeight;
            svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
                    top + 12, titles[metric]));
            double max = 0;
            for (double[] m : medians.values()) {
                max = Math.max(max, m[metric]);
            }
            int row = 0;
            for (Map.Entry<String, double[]> entry : medians.entrySet()) {
                double value = entry.getValue()[metric];
                int y = top + 22 + row * 26;
                double barWidth = max == 0 ? 0 : 450 * value / max;
                svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\">%s</text>%n", y + 14, entry.getKey()));
                svg.append(String.format(Locale.ROOT,
                        "<rect x=\"130\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>%n",
                        y, Math.max(1, barWidth), colors[row % colors.length]));
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.1f</text>%n",
                        136 + barWidth, y + 14, value));
                row++;
            }
        }
        svg.append("</svg>\n");
        return svg.toString();
    }
}
