package dev.c1m.nio.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.Options;
import dev.c1m.nio.demo.ReactorEchoServerMain;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Echo throughput and latency of three servers speaking the same line protocol, measured by the
 * same independent load generator ({@code loadgen} from {@code ../shared/tools}, in C) in one run:
 * <ul>
 *   <li>{@code c-epoll}: the C reference server ({@code epoll_echo -l -t 1}), the machine's
 *       practical limit;</li>
 *   <li>{@code reactor}: this chapter's single-reactor server;</li>
 *   <li>{@code virtual}: chapter 1's blocking server on one virtual thread per connection;</li>
 *   <li>{@code reactor-baseline} (only if asked for): the single-reactor server from another build's
 *       classes ({@code --baseline-classpath}), to compare a change with the code before it in one
 *       run.</li>
 * </ul>
 * Each server is pinned to core 0 and the load generator to core 1, so every server gets the same
 * single core. Each measurement starts a fresh server; servers alternate within a round; the
 * table shows the median over rounds of requests per second and of p50, p99 and p99.9 latency,
 * each Java server's throughput as a ratio of the C server's, and the server's CPU time per
 * request (from {@code loadgen -S}), which stays comparable when a server was not saturated.
 *
 * <pre>
 * gcc -O2 -o /tmp/epoll_echo ../shared/tools/epoll_echo.c -lpthread
 * gcc -O2 -o /tmp/loadgen ../shared/tools/loadgen.c -lm
 * java -cp chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes dev.c1m.nio.bench.EchoBench \
 *      [--loadgen /tmp/loadgen] [--c-server /tmp/epoll_echo] [--conns 100,1000] [--duration 10] [--rounds 5]
 *      [--servers c-epoll,reactor,virtual,reactor-baseline --baseline-classpath OLD_CLASSES:chapter04-heartbeat/target/classes:chapter01-echo/target/classes]
 * </pre>
 */
public final class EchoBench {

    private static final String USAGE = """
            usage: EchoBench [--loadgen PATH] [--c-server PATH] [--conns N,N] [--duration S] [--warmup S]
                             [--rounds N] [--servers c-epoll,reactor,virtual] [--baseline-classpath CP] [--out DIR]
              --loadgen   the C load generator (default /tmp/loadgen)
              --c-server  the C reference server (default /tmp/epoll_echo)
              --conns     busy connections per measurement (default 100,1000)
              --duration  measured seconds per measurement (default 10), after --warmup seconds (default 2)
              --rounds    rounds; servers alternate within each (default 5)
              --servers   which servers, in this order within a round (default c-epoll,reactor,virtual);
                          reactor-baseline is the reactor server from --baseline-classpath
              --baseline-classpath  the classpath of another build of this chapter and chapter 1, for reactor-baseline
              --out       directory for echo.csv and echo.svg (default chapter05-nio-epoll/results)""";
    private static final List<String> METRICS =
            List.of("rps", "p50_us", "p99_us", "p999_us", "srv_cpu_pct", "srv_cpu_us_per_request", "errors");

    private EchoBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parseOrExit(args, USAGE,
                List.of("loadgen", "c-server", "conns", "duration", "warmup", "rounds", "servers", "baseline-classpath", "out"), List.of());
        String loadgen = options.string("loadgen", "/tmp/loadgen");
        String cServer = options.string("c-server", "/tmp/epoll_echo");
        List<Integer> conns = Arrays.stream(options.string("conns", "100,1000").split(",")).map(Integer::parseInt).toList();
        int duration = options.integer("duration", 10, 1, 3600);
        int warmup = options.integer("warmup", 2, 0, 600);
        int rounds = options.integer("rounds", 5, 1, 100);
        List<String> servers = List.of(options.string("servers", "c-epoll,reactor,virtual").split(","));
        String baselineClasspath = options.string("baseline-classpath", "");
        if (servers.contains("reactor-baseline") && baselineClasspath.isEmpty()) {
            System.err.println("error: reactor-baseline needs --baseline-classpath\n" + USAGE);
            System.exit(2);
        }
        Path out = Path.of(options.string("out", "chapter05-nio-epoll/results"));
        System.out.printf("EchoBench: servers %s, conns %s, 64-byte lines, %d s (+%d s warm-up), %d rounds, "
                + "server on core 0, loadgen on core 1, %s%n", servers, conns, duration, warmup, rounds, Runtime.version());

        StringBuilder csv = new StringBuilder("server,conns,round," + String.join(",", METRICS) + "\n");
        Map<String, List<Map<String, Double>>> byCell = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (int c : conns) {
                for (String server : servers) {
                    Map<String, Double> result = measure(server, cServer, baselineClasspath, loadgen, c, duration, warmup);
                    byCell.computeIfAbsent(server + "," + c, k -> new ArrayList<>()).add(result);
                    csv.append(server).append(',').append(c).append(',').append(round);
                    for (String metric : METRICS) {
                        csv.append(',').append(String.format(Locale.ROOT, "%.2f", result.getOrDefault(metric, Double.NaN)));
                    }
                    csv.append('\n');
                    System.err.printf(Locale.ROOT, "  round %d, %d conns, %-8s %s%n", round, c, server, result);
                }
            }
        }

        System.out.printf("%n%-16s %6s %10s %7s %9s %9s %10s %9s %12s %7s %7s%n", "server", "conns", "req/s", "vs C",
                "p50 us", "p99 us", "p99.9 us", "srv CPU%", "CPU us/req", "vs C", "errors");
        Map<String, List<Double>> rpsSeries = new LinkedHashMap<>();
        for (String server : servers) {
            for (int c : conns) {
                Map<String, Double> median = medians(byCell.get(server + "," + c));
                Map<String, Double> cMedian = byCell.containsKey("c-epoll," + c) ? medians(byCell.get("c-epoll," + c)) : null;
                String ratio = cMedian == null ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * median.get("rps") / cMedian.get("rps"));
                String cpuRatio = cMedian == null ? "-" : String.format(Locale.ROOT, "%.2f",
                        median.get("srv_cpu_us_per_request") / cMedian.get("srv_cpu_us_per_request"));
                System.out.printf(Locale.ROOT, "%-16s %6d %10.0f %7s %9.1f %9.1f %10.1f %9.1f %12.2f %7s %7.0f%n", server, c,
                        median.get("rps"), ratio, median.get("p50_us"), median.get("p99_us"), median.get("p999_us"),
                        median.get("srv_cpu_pct"), median.get("srv_cpu_us_per_request"), cpuRatio, median.get("errors"));
                rpsSeries.computeIfAbsent(server, k -> new ArrayList<>()).add(median.get("rps"));
            }
        }
        printPairedRatios(servers, conns, byCell);
        Files.createDirectories(out);
        Files.writeString(out.resolve("echo.csv"), csv);
        BarChart.write(out.resolve("echo.svg"), "Echo throughput, 64-byte lines, server on one core (median of " + rounds + ")",
                "requests / s", conns.stream().map(c -> c + " connections").toList(),
                rpsSeries.entrySet().stream().map(e -> new BarChart.Series(e.getKey(), e.getValue())).toList());
        System.out.println("wrote " + out.resolve("echo.csv") + " and " + out.resolve("echo.svg"));
    }

    private static Map<String, Double> measure(String server, String cServer, String baselineClasspath, String loadgen,
                                               int conns, int duration, int warmup) throws Exception {
        int port = freePort();
        List<String> pin = List.of("taskset", "-c", "0");
        return switch (server) {
            case "c-epoll" -> measureProcess(pin, List.of(cServer, "-l", "-t", "1", "-b", "127.0.0.1", Integer.toString(port)),
                    loadgen, port, conns, duration, warmup);
            case "reactor-baseline" -> measureProcess(pin, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xms256m", "-Xmx1g", "-cp", baselineClasspath, ReactorEchoServerMain.class.getName(),
                            "--port", Integer.toString(port)),
                    loadgen, port, conns, duration, warmup);
            case "reactor", "virtual" -> {
                Class<?> main = server.equals("reactor") ? ReactorEchoServerMain.class : VirtualThreadEchoServerMain.class;
                try (ChildJvm jvm = ChildJvm.start(pin, List.of("-Xms256m", "-Xmx1g"), main, "--port", Integer.toString(port))) {
                    jvm.awaitLine("listening on", Duration.ofSeconds(30));
                    yield runLoad(loadgen, port, jvm.pid(), conns, duration, warmup);
                }
            }
            default -> throw new IllegalArgumentException("unknown server " + server);
        };
    }

    /** Runs a server command (not a JVM of this classpath), waits until it listens, and measures it. */
    private static Map<String, Double> measureProcess(List<String> pin, List<String> server, String loadgen, int port,
                                                      int conns, int duration, int warmup) throws Exception {
        List<String> command = new ArrayList<>(pin);
        command.addAll(server);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitListening(loadgen, port);
            return runLoad(loadgen, port, process.pid(), conns, duration, warmup);
        } finally {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private static Map<String, Double> runLoad(String loadgen, int port, long serverPid, int conns, int duration, int warmup)
            throws IOException, InterruptedException {
        List<String> command = List.of("taskset", "-c", "1", loadgen, "echo", "-p", Integer.toString(port),
                "-c", Integer.toString(conns), "-m", "line", "-s", "64", "-w", Integer.toString(warmup),
                "-d", Integer.toString(duration), "-S", Long.toString(serverPid));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(duration + warmup + 180, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("loadgen failed: " + output);
        }
        String result = output.lines().filter(line -> line.startsWith("RESULT ")).reduce((a, b) -> b)
                .orElseThrow(() -> new IOException("no RESULT line from loadgen: " + output));
        Map<String, Double> values = new HashMap<>();
        for (String pair : result.substring("RESULT ".length()).split(" ")) {
            String[] keyValue = pair.split("=", 2);
            if (METRICS.contains(keyValue[0])) {
                values.put(keyValue[0], Double.parseDouble(keyValue[1]));
            }
        }
        // CPU the server spent per request: comparable even when the server was not saturated
        values.put("srv_cpu_us_per_request", values.get("srv_cpu_pct") / 100 / values.get("rps") * 1e6);
        return values;
    }

    private static void awaitListening(String loadgen, int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a JVM starts slowly on a busy machine
        while (System.nanoTime() < deadline) {
            Process probe = new ProcessBuilder(loadgen, "probe", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (probe.waitFor() == 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IOException("server did not start listening on port " + port + " within 30 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /**
     * Each round's ratio to the C server measured in the same round, as median and range over the
     * rounds: steadier than the ratio of medians when the machine's load changes between rounds.
     */
    private static void printPairedRatios(List<String> servers, List<Integer> conns,
                                          Map<String, List<Map<String, Double>>> byCell) {
        if (!servers.contains("c-epoll")) {
            return;
        }
        System.out.printf("%nPaired with the C server of the same round (median, min..max over rounds):%n");
        System.out.printf("%-16s %6s %22s %26s%n", "server", "conns", "req/s vs C", "capacity vs C (CPU/req)");
        for (String server : servers) {
            if (server.equals("c-epoll")) {
                continue;
            }
            for (int c : conns) {
                List<Map<String, Double>> own = byCell.get(server + "," + c);
                List<Map<String, Double>> reference = byCell.get("c-epoll," + c);
                double[] rps = new double[own.size()];
                double[] capacity = new double[own.size()];
                for (int round = 0; round < own.size(); round++) {
                    rps[round] = own.get(round).get("rps") / reference.get(round).get("rps");
                    capacity[round] = reference.get(round).get("srv_cpu_us_per_request") / own.get(round).get("srv_cpu_us_per_request");
                }
                System.out.printf(Locale.ROOT, "%-16s %6d %22s %26s%n", server, c, percentRange(rps), percentRange(capacity));
            }
        }
    }

    private static String percentRange(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.0f%% (%.0f..%.0f)", 100 * sorted[sorted.length / 2], 100 * sorted[0],
                100 * sorted[sorted.length - 1]);
    }

    private static Map<String, Double> medians(List<Map<String, Double>> results) {
        Map<String, Double> medians = new HashMap<>();
        for (String metric : METRICS) {
            double[] values = results.stream().mapToDouble(r -> r.getOrDefault(metric, Double.NaN)).sorted().toArray();
            medians.put(metric, values[values.length / 2]);
        }
        return medians;
    }
}
