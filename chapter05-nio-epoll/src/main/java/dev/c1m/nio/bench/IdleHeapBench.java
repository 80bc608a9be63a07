package dev.c1m.nio.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.bench.ProcessMeter;
import dev.c1m.echo.demo.Options;
import dev.c1m.nio.demo.ReactorEchoServerMain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures what an idle connection costs a server: live heap after a full GC, and resident
 * memory (RSS), per connection, for the reactor and for the virtual-thread-per-connection server.
 *
 * <p>For each server and connection count: the server starts in a JVM of its own; a class
 * histogram ({@code jcmd <pid> GC.class_histogram}, which runs a full GC first and counts only
 * live objects) and VmRSS are taken; {@link IdleConnectionHolder} JVMs (at most 9,000 connections
 * each, to stay under the descriptor limit) open the connections, confirm each with one echo,
 * and hold them idle; then the histogram and RSS are taken again. The difference divided by the
 * count is the cost per connection, and the per-class differences show where it goes.
 *
 * <pre>
 * java -cp chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.nio.bench.IdleHeapBench [--counts 10000,18000] [--servers reactor,virtual] [--out chapter05-nio-epoll/results]
 * </pre>
 */
public final class IdleHeapBench {

    private static final String USAGE = """
            usage: IdleHeapBench [--counts N,N] [--servers reactor,virtual] [--out DIR]
              --counts   connection counts to measure (default 10000,18000; at most about 19000:
                         the server holds one descriptor per connection under a limit of 20000)
              --servers  which servers to measure (default reactor,virtual)
              --out      directory for idle-heap.csv, idle-heap-classes.csv, idle-heap.svg""";
    private static final int PER_HOLDER = 9_000;
    private static final List<String> SERVER_JVM_OPTIONS = List.of("-Xms64m", "-Xmx2g");
    private static final Pattern HISTOGRAM_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** Live instances and bytes of one class. */
    private record ClassUsage(long instances, long bytes) {
    }

    private record Snapshot(Map<String, ClassUsage> classes, long liveBytes, long rssBytes) {
    }

    private IdleHeapBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parseOrExit(args, USAGE, List.of("counts", "servers", "out"), List.of());
        List<Integer> counts = List.of(options.string("counts", "10000,18000").split(",")).stream()
                .map(String::trim).map(Integer::parseInt).toList();
        List<String> servers = List.of(options.string("servers", "reactor,virtual").split(","));
        Path out = Path.of(options.string("out", "chapter05-nio-epoll/results"));
        System.out.printf("IdleHeapBench: servers %s, counts %s, server JVM %s, %s%n", servers, counts, SERVER_JVM_OPTIONS,
                Runtime.version());

        StringBuilder csv = new StringBuilder("server,connections,heap_bytes_per_connection,rss_bytes_per_connection,live_heap_before,live_heap_after,rss_before,rss_after\n");
        StringBuilder classesCsv = new StringBuilder("server,connections,class,instances_per_connection,bytes_per_connection\n");
        Map<String, List<Double>> heapSeries = new HashMap<>();
        Map<String, List<Double>> rssSeries = new HashMap<>();
        System.out.printf("%-10s %12s %16s %16s%n", "server", "connections", "heap B/conn", "RSS B/conn");
        for (String server : servers) {
            for (int count : counts) {
                Snapshot[] snapshots = measure(server, count);
                Snapshot before = snapshots[0];
                Snapshot after = snapshots[1];
                double heapPer = (after.liveBytes() - before.liveBytes()) / (double) count;
                double rssPer = (after.rssBytes() - before.rssBytes()) / (double) count;
                System.out.printf(Locale.ROOT, "%-10s %12d %16.0f %16.0f%n", server, count, heapPer, rssPer);
                csv.append(String.format(Locale.ROOT, "%s,%d,%.0f,%.0f,%d,%d,%d,%d%n", server, count, heapPer, rssPer,
                        before.liveBytes(), after.liveBytes(), before.rssBytes(), after.rssBytes()));
                heapSeries.computeIfAbsent(server, s -> new ArrayList<>()).add(heapPer);
                rssSeries.computeIfAbsent(server, s -> new ArrayList<>()).add(rssPer);
                for (String row : breakdown(before, after, count)) {
                    classesCsv.append(server).append(',').append(count).append(',').append(row).append('\n');
                    if (count == counts.getFirst()) {
                        System.err.println("    " + server + " " + row);
                    }
                }
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("idle-heap.csv"), csv);
        Files.writeString(out.resolve("idle-heap-classes.csv"), classesCsv);
        List<BarChart.Series> series = new ArrayList<>();
        for (String server : servers) {
            series.add(new BarChart.Series(server + " heap", heapSeries.get(server)));
            series.add(new BarChart.Series(server + " RSS", rssSeries.get(server)));
        }
        BarChart.write(out.resolve("idle-heap.svg"), "Memory per idle connection (after full GC)", "bytes per connection",
                counts.stream().map(c -> String.format(Locale.ROOT, "%,d connections", c)).toList(), series);
        System.out.println("wrote " + out.resolve("idle-heap.csv") + ", idle-heap-classes.csv and idle-heap.svg");
    }

    /** Snapshots before and after {@code count} idle connections. */
    private static Snapshot[] measure(String server, int count) throws Exception {
        Class<?> mainClass = switch (server) {
            case "reactor" -> ReactorEchoServerMain.class;
            case "virtual" -> VirtualThreadEchoServerMain.class;
            default -> throw new IllegalArgumentException("unknown server " + server);
        };
        try (ChildJvm serverJvm = ChildJvm.start(List.of(), SERVER_JVM_OPTIONS, mainClass, "--port", "0")) {
            Matcher listening = serverJvm.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(30));
            String port = listening.group(1);
            Snapshot before = snapshot(serverJvm.pid());
            List<ChildJvm> holders = new ArrayList<>();
            try {
                for (int opened = 0, holder = 0; opened < count; opened += PER_HOLDER, holder++) {
                    int connections = Math.min(PER_HOLDER, count - opened);
                    holders.add(ChildJvm.start(List.of(), List.of("-Xmx512m"), IdleConnectionHolder.class,
                            "--port", port, "--connections", Integer.toString(connections),
                            "--sources", "4", "--first-source", Integer.toString(2 + 4 * holder)));
                }
                for (ChildJvm holder : holders) {
                    holder.awaitLine("holding \\d+ connections", Duration.ofMinutes(5));
                }
                System.err.printf("  %s: %,d connections held%n", server, count);
                return new Snapshot[] {before, snapshot(serverJvm.pid())};
            } finally {
                for (ChildJvm holder : holders) {
                    holder.close();
                }
            }
        }
    }

    private static Snapshot snapshot(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("jcmd failed: " + output);
        }
        Map<String, ClassUsage> classes = new HashMap<>();
        long total = 0;
        for (String line : output.split("\n")) {
            Matcher row = HISTOGRAM_ROW.matcher(line);
            if (row.find()) {
                ClassUsage usage = new ClassUsage(Long.parseLong(row.group(1)), Long.parseLong(row.group(2)));
                classes.merge(row.group(3), usage, (a, b) -> new ClassUsage(a.instances() + b.instances(), a.bytes() + b.bytes()));
                total += usage.bytes();
            }
        }
        return new Snapshot(classes, total, ProcessMeter.rssBytes(pid));
    }

    /** The classes whose live bytes grew the most, as CSV fragments: class, instances/conn, bytes/conn. */
    private static List<String> breakdown(Snapshot before, Snapshot after, int count) {
        return after.classes().entrySet().stream()
                .map(entry -> {
                    ClassUsage old = before.classes().getOrDefault(entry.getKey(), new ClassUsage(0, 0));
                    return Map.entry(entry.getKey(), new ClassUsage(entry.getValue().instances() - old.instances(),
                            entry.getValue().bytes() - old.bytes()));
                })
                .filter(entry -> entry.getValue().bytes() > count / 2)
                .sorted(Comparator.comparingLong((Map.Entry<String, ClassUsage> e) -> e.getValue().bytes()).reversed())
                .limit(25)
                .map(entry -> String.format(Locale.ROOT, "%s,%.2f,%.1f", entry.getKey(),
                        entry.getValue().instances() / (double) count, entry.getValue().bytes() / (double) count))
                .toList();
    }
}
