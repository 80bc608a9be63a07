package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;

/**
 * Measures what one idle connection costs a NIO server's heap under each collector, with and
 * without compact object headers: for each configuration it starts {@link IdleNioServer} in a
 * child JVM, opens N connections to it from this JVM, and reads the child's measurements.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.HeapPerConnection [--connections 5000] [--runs 3] [--out chapter08-tuning/results]
 * </pre>
 * Prints a table (medians over the runs), writes {@code heap-per-connection.csv} (every run) and
 * {@code heap-per-connection.svg}. Baseline: Serial GC without compact headers, the smallest
 * classic configuration. Live bytes per connection do not depend on the collector (the same
 * objects are reachable); what differs is the heap the collector keeps around them (used) and
 * the process's resident memory.
 */
public final class HeapPerConnection {

    private static final List<List<String>> CONFIGS = List.of(
            List.of("-XX:+UseSerialGC"),
            List.of("-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders"),
            List.of("-XX:+UseParallelGC"),
            List.of("-XX:+UseParallelGC", "-XX:+UseCompactObjectHeaders"),
            List.of("-XX:+UseG1GC"),
            List.of("-XX:+UseG1GC", "-XX:+UseCompactObjectHeaders"),
            List.of("-XX:+UseZGC"),
            List.of("-XX:+UseZGC", "-XX:+UseCompactObjectHeaders"));

    private record Sample(String config, int run, long live, long used, long rss, long baselineRss) {
    }

    private HeapPerConnection() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, """
                usage: HeapPerConnection [--connections N] [--runs N] [--out DIR]""", List.of("connections", "runs", "out"), List.of());
        int connections = o.integer("connections", 5000, 1, 18_000);
        int runs = o.integer("runs", 3, 1, 20);
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        System.out.printf("heap per idle NIO connection: %d connections, %d runs, -Xmx256m, JDK %s%n", connections,
                runs, Runtime.version());
        List<Sample> samples = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (List<String> config : CONFIGS) {
                samples.add(measure(config, run, connections));
                System.err.printf("  run %d/%d %s done%n", run, runs, String.join(" ", config));
            }
        }
        List<String> csv = new ArrayList<>(List.of("config,run,connections,live_bytes_per_conn,used_bytes_per_conn,rss_bytes_per_conn,baseline_rss_bytes"));
        for (Sample s : samples) {
            csv.add(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d", s.config, s.run, connections, s.live / connections,
                    s.used / connections, s.rss / connections, s.baselineRss));
        }
        Files.createDirectories(out);
        Files.write(out.resolve("heap-per-connection.csv"), csv);
        System.out.printf("%n%-52s %10s %10s %10s %12s%n", "collector and flags", "live B/conn", "used B/conn", "RSS B/conn",
                "JVM RSS MiB");
        List<String> labels = new ArrayList<>();
        List<Long> lives = new ArrayList<>();
        for (List<String> config : CONFIGS) {
            String name = String.join(" ", config);
            List<Sample> mine = samples.stream().filter(s -> s.config.equals(name)).toList();
            long live = SampleStats.of(mine.stream().mapToLong(s -> s.live / connections).toArray()).median();
            long used = SampleStats.of(mine.stream().mapToLong(s -> s.used / connections).toArray()).median();
            long rss = SampleStats.of(mine.stream().mapToLong(s -> s.rss / connections).toArray()).median();
            long base = SampleStats.of(mine.stream().mapToLong(Sample::baselineRss).toArray()).median();
            System.out.printf("%-52s %10d %10d %10d %12d%n", name, live, used, rss, base >> 20);
            labels.add(name.replace("-XX:+Use", "").replace("CompactObjectHeaders", "COH"));
            lives.add(live);
        }
        Files.writeString(out.resolve("heap-per-connection.svg"), BarChart.svg(
                "Live heap per idle NIO connection (bytes, median of " + runs + " runs)", labels, lives));
        System.out.println("\nwrote " + out.resolve("heap-per-connection.csv") + " and heap-per-connection.svg");
    }

    private static Sample measure(List<String> config, int run, int connections) throws Exception {
        List<String> jvm = new ArrayList<>(config);
        jvm.addAll(List.of("-Xmx256m", "-Xms256m"));
        List<SocketChannel> clients = new ArrayList<>();
        try (ChildJvm server = ChildJvm.start(List.of(), jvm, IdleNioServer.class, "" + connections)) {
            int port = Integer.parseInt(server.awaitLine("listening on (\\d+)", Duration.ofSeconds(30)).group(1));
            Matcher base = server.awaitLine("BASELINE live=(\\d+) used=(\\d+) rss=(\\d+)", Duration.ofSeconds(30));
            for (int i = 0; i < connections; i++) {
                clients.add(SocketChannel.open(new InetSocketAddress("127.0.0.1", port)));
            }
            Matcher held = server.awaitLine("HOLDING live=(\\d+) used=(\\d+) rss=(\\d+)", Duration.ofSeconds(60));
            return new Sample(String.join(" ", config), run,
                    Long.parseLong(held.group(1)) - Long.parseLong(base.group(1)),
                    Long.parseLong(held.group(2)) - Long.parseLong(base.group(2)),
                    Long.parseLong(held.group(3)) - Long.parseLong(base.group(3)), Long.parseLong(base.group(3)));
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }

}
