package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.EchoServerMain;
import dev.c1m.echo.demo.Options;
import dev.c1m.tuning.ErrorKind;
import dev.c1m.tuning.ExitWithParent;
import dev.c1m.tuning.LoadEngine;
import dev.c1m.tuning.LoadPlan;
import dev.c1m.tuning.LoadReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The accept backlog side by side: the same burst of connects (the load generator's {@code hold}
 * mode with {@code --connect-rate 0}) against chapter 1's echo server bound with a backlog of 50
 * (the JDK's default), of 4,096, and of 50 with {@code net.ipv4.tcp_abort_on_overflow = 1} (the
 * kernel answers an overflowing handshake with RST instead of dropping it and letting the client
 * retry).
 *
 * <p>Each run starts {@link EchoServerMain} in a child JVM ({@code -Xss256k}, one platform
 * thread per connection, under {@link ExitWithParent} so that it ends with this one) and runs
 * {@link LoadEngine} in this JVM. Configurations alternate within each run so that the machine's
 * changing load touches all of them alike. Beside the load generator's error counts it reads the
 * kernel's counters before and after ({@link TcpExtCounters}: {@code ListenOverflows},
 * {@code ListenDrops}, SYN cookies sent), which are machine-wide. The sysctl is written only around
 * the runs that need it and restored at once (and by a shutdown hook); that configuration is
 * skipped when the file is not writable.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.BacklogBurst [--connections 3000] [--hold 20s] [--runs 3] [--out chapter08-tuning/results]
 * </pre>
 * Prints one line per run and a table of medians; writes {@code backlog-burst.csv} (every run).
 * Each run also reports the longest pause of the load generator's own loop ({@link StallWatch});
 * a run where it reaches the connect timeout is marked SUSPECT and left out of the medians: a
 * starved generator counts connects the kernel had completed as {@code CONNECT_TIMEOUT}.
 * Each burst comes from a loopback source address of its own (127.0.9.10, .11, ...), so that no
 * run inherits the TIME_WAIT ports of the one before. The load engine runs on the main thread;
 * the server is a separate process.
 */
public final class BacklogBurst {

    private static final Path ABORT_ON_OVERFLOW = Path.of("/proc/sys/net/ipv4/tcp_abort_on_overflow");
    private static final long CONNECT_TIMEOUT_NANOS = 10_000_000_000L; // the load generator's default --connect-timeout

    private record Config(String name, int backlog, boolean abortOnOverflow) {
    }

    private record Run(Config config, int run, LoadReport report, long overflows, long drops, long cookiesSent,
                       long longestPauseNanos) {
        long errors(ErrorKind kind) {
            return report.errors().getOrDefault(kind, 0L);
        }

        /** The load generator itself stalled long enough to count completed connects as timeouts. */
        boolean suspect() {
            return longestPauseNanos >= CONNECT_TIMEOUT_NANOS;
        }
    }

    private BacklogBurst() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, "usage: BacklogBurst [--connections N] [--hold T] [--runs N] [--out DIR]",
                List.of("connections", "hold", "runs", "out"), List.of());
        int connections = o.integer("connections", 3000, 100, 14_000);
        String hold = o.string("hold", "20s");
        int runs = o.integer("runs", 3, 1, 10);
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        boolean canAbort = Files.isWritable(ABORT_ON_OVERFLOW);
        List<Config> configs = new ArrayList<>(List.of(new Config("backlog 50", 50, false), new Config("backlog 4096", 4096, false)));
        if (canAbort) {
            configs.add(new Config("backlog 50, tcp_abort_on_overflow=1", 50, true));
        }
        String abortBefore = canAbort ? readSysctl() : null;
        System.out.printf("backlog burst: %d connects at once, heartbeat 1s, hold %s, %d runs; somaxconn %s, "
                        + "tcp_max_syn_backlog %s, syncookies %s, tcp_abort_on_overflow %s%s; JDK %s%n", connections, hold, runs,
                sysctl("net/core/somaxconn"), sysctl("net/ipv4/tcp_max_syn_backlog"), sysctl("net/ipv4/tcp_syncookies"),
                canAbort ? abortBefore : "?", canAbort ? "" : " (not writable: that configuration is skipped)", Runtime.version());

        List<Run> results = new ArrayList<>();
        int sourceIndex = 0;
        for (int run = 1; run <= runs; run++) {
            for (Config config : configs) {
                String source = "127.0.9." + (10 + sourceIndex++);
                Run r = runOnce(config, run, connections, hold, source, abortBefore);
                results.add(r);
                System.out.printf(Locale.ROOT, "  run %d %-36s connected %5d  at %6.0f/s  CONNECT_TIMEOUT %4d  RESET %4d  REFUSED %4d  "
                                + "REPLY_TIMEOUT %5d  ListenOverflows %5d  ListenDrops %5d  cookies %5d  longest engine pause %5.1f s%s%n",
                        run, config.name,
                        r.report.connected(), r.report.connectsPerSecond(), r.errors(ErrorKind.CONNECT_TIMEOUT),
                        r.errors(ErrorKind.RESET), r.errors(ErrorKind.CONNECT_REFUSED), r.errors(ErrorKind.REPLY_TIMEOUT),
                        r.overflows, r.drops, r.cookiesSent, r.longestPauseNanos / 1e9,
                        r.suspect() ? "  SUSPECT: the load generator stalled past the connect timeout" : "");
            }
        }
        printMedians(configs, results);
        writeCsv(out, results);
    }

    /**
     * One burst from {@code source}, a loopback address no earlier run used: the previous runs'
     * client ports sit in TIME_WAIT for a minute, and a source address whose ports fill up makes
     * every {@code bind()} search longer (see the pitfalls in the README).
     */
    private static Run runOnce(Config config, int run, int connections, String hold, String source, String abortBefore)
            throws Exception {
        try (ChildJvm server = ChildJvm.start(List.of(), List.of("-Xss256k"), ExitWithParent.class, // no orphan if killed
                EchoServerMain.class.getName(), "--port", "0", "--backlog", Integer.toString(config.backlog))) {
            String port = server.awaitLine("listening on 127\\.0\\.0\\.1:(\\d+)", Duration.ofSeconds(60)).group(1);
            LoadPlan plan = LoadPlan.parse("hold", "--port", port, "--connections", Integer.toString(connections),
                    "--connect-rate", "0", "--heartbeat", "1s", "--hold", hold, "--sources", source, "--quiet");
            Thread restore = Thread.ofPlatform().unstarted(() -> writeSysctlQuietly(abortBefore));
            if (config.abortOnOverflow) {
                Runtime.getRuntime().addShutdownHook(restore);
                Files.writeString(ABORT_ON_OVERFLOW, "1");
            }
            TcpExtCounters before = TcpExtCounters.read();
            StallWatch clock = new StallWatch(System::nanoTime);
            LoadReport report;
            try {
                report = new LoadEngine(plan, clock, p -> { }, 1_000_000_000L).run();
            } finally {
                if (config.abortOnOverflow) {
                    writeSysctlQuietly(abortBefore);
                    Runtime.getRuntime().removeShutdownHook(restore);
                }
            }
            TcpExtCounters after = TcpExtCounters.read();
            server.terminate();
            server.awaitExit(Duration.ofSeconds(30));
            return new Run(config, run, report, after.since(before, "TcpExtListenOverflows"),
                    after.since(before, "TcpExtListenDrops"), after.since(before, "TcpExtSyncookiesSent"), clock.longestGapNanos());
        }
    }

    private static void printMedians(List<Config> configs, List<Run> results) {
        System.out.printf("%n%-36s %10s %10s %16s %8s %9s %14s %16s %12s%n", "medians (SUSPECT runs left out)", "connected", "connect/s",
                "CONNECT_TIMEOUT", "RESET", "REFUSED", "REPLY_TIMEOUT", "ListenOverflows", "SYN cookies");
        for (Config config : configs) {
            List<Run> mine = results.stream().filter(r -> r.config.equals(config) && !r.suspect()).toList();
            if (mine.isEmpty()) {
                System.out.printf("%-36s every run was SUSPECT%n", config.name);
                continue;
            }
            System.out.printf("%-36s %10d %10d %16d %8d %9d %14d %16d %12d%n", config.name,
                    median(mine, r -> r.report.connected()), median(mine, r -> (long) r.report.connectsPerSecond()),
                    median(mine, r -> r.errors(ErrorKind.CONNECT_TIMEOUT)), median(mine, r -> r.errors(ErrorKind.RESET)),
                    median(mine, r -> r.errors(ErrorKind.CONNECT_REFUSED)), median(mine, r -> r.errors(ErrorKind.REPLY_TIMEOUT)),
                    median(mine, Run::overflows), median(mine, Run::cookiesSent));
        }
    }

    private static long median(List<Run> runs, ToLongFunction<Run> value) {
        return SampleStats.of(runs.stream().mapToLong(value).toArray()).median();
    }

    private static void writeCsv(Path out, List<Run> results) throws IOException {
        List<String> csv = new ArrayList<>(List.of("configuration,run,connections,connected,connects_per_s,connect_timeout,reset,"
                + "connect_refused,reply_timeout,other_errors,listen_overflows,listen_drops,syncookies_sent,longest_engine_pause_s,suspect"));
        for (Run r : results) {
            long known = r.errors(ErrorKind.CONNECT_TIMEOUT) + r.errors(ErrorKind.RESET) + r.errors(ErrorKind.CONNECT_REFUSED)
                    + r.errors(ErrorKind.REPLY_TIMEOUT);
            csv.add(String.format(Locale.ROOT, "%s,%d,%d,%d,%.0f,%d,%d,%d,%d,%d,%d,%d,%d,%.1f,%b", r.config.name.replace(",", ";"), r.run,
                    r.report.target(), r.report.connected(), r.report.connectsPerSecond(), r.errors(ErrorKind.CONNECT_TIMEOUT),
                    r.errors(ErrorKind.RESET), r.errors(ErrorKind.CONNECT_REFUSED), r.errors(ErrorKind.REPLY_TIMEOUT),
                    r.report.totalErrors() - known, r.overflows, r.drops, r.cookiesSent, r.longestPauseNanos / 1e9, r.suspect()));
        }
        Files.createDirectories(out);
        Files.write(out.resolve("backlog-burst.csv"), csv);
        System.out.println("\nwrote " + out.resolve("backlog-burst.csv"));
    }

    private static String readSysctl() throws IOException {
        return Files.readAllLines(ABORT_ON_OVERFLOW).getFirst().trim();
    }

    private static String sysctl(String path) throws IOException {
        return Files.readAllLines(Path.of("/proc/sys", path)).getFirst().trim();
    }

    private static void writeSysctlQuietly(String value) {
        if (value == null) {
            return;
        }
        try {
            Files.writeString(ABORT_ON_OVERFLOW, value);
        } catch (IOException e) {
            System.err.println("could not restore net.ipv4.tcp_abort_on_overflow = " + value + ": " + e.getMessage());
        }
    }
}
