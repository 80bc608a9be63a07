package dev.c1m.concurrency.bench;

import dev.c1m.concurrency.load.ClosedLoopReport;
import dev.c1m.concurrency.load.EchoLoadClient;
import dev.c1m.concurrency.load.FirstEchoReport;
import dev.c1m.concurrency.load.LoadSettings;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Command-line front of {@link EchoLoadClient}: opens connections to any echo server of the
 * course, reports how many were served, then runs a closed loop on some of them.
 *
 * <pre>
 * java -cp ... dev.c1m.concurrency.bench.EchoLoadMain --port 9000 [--connections 1000] [--busy 100]
 *      [--sources 1] [--line-bytes 64] [--warmup 1] [--duration 5] [--first-echo-timeout 10]
 *      [--reply-timeout 10] [--connect-concurrency 128]
 * </pre>
 */
public final class EchoLoadMain {

    private static final String USAGE = """
            usage: EchoLoadMain --port N [options]
              --host                server address (default 127.0.0.1)
              --port                server port (required)
              --connections         connections to open and hold (default 1000)
              --busy                of those, connections in the closed loop (default 100)
              --sources             spread over source addresses 127.0.0.1..127.0.0.k (default 1)
              --line-bytes          bytes per request line (default 64)
              --warmup              seconds of load before measuring (default 1)
              --duration            seconds measured (default 5)
              --first-echo-timeout  seconds a new connection waits for its first echo (default 10)
              --reply-timeout       seconds a busy connection waits for one reply before it fails (default 10)
              --connect-concurrency connects in flight at once; fewer spare a small accept backlog (default 128)""";

    private EchoLoadMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("host", "port", "connections", "busy", "sources",
                "line-bytes", "warmup", "duration", "first-echo-timeout", "reply-timeout", "connect-concurrency"), List.of());
        int port = options.integer("port", 0, 1, 65535);
        if (port == 0) {
            System.err.println("error: --port is required\n" + USAGE);
            System.exit(2);
        }
        InetSocketAddress server = new InetSocketAddress(options.string("host", "127.0.0.1"), port);
        int connections = options.integer("connections", 1000, 1, 1_000_000);
        int busy = options.integer("busy", 100, 0, 1_000_000);
        LoadSettings settings = LoadSettings.defaults(server)
                .withSourceAddresses(options.integer("sources", 1, 1, 254))
                .withFirstEchoTimeout(Duration.ofSeconds(options.integer("first-echo-timeout", 10, 1, 3600)))
                .withReplyTimeout(Duration.ofSeconds(options.integer("reply-timeout", 10, 1, 3600)))
                .withConnectConcurrency(options.integer("connect-concurrency", 128, 1, 100_000));
        int lineBytes = options.integer("line-bytes", 64, 1, 8000);
        Duration warmup = Duration.ofSeconds(options.integer("warmup", 1, 0, 3600));
        Duration duration = Duration.ofSeconds(options.integer("duration", 5, 1, 3600));
        System.out.printf("load: %d connections to %s from %d source address(es), %d busy, %d-byte lines%n",
                connections, server, settings.sourceAddresses(), busy, lineBytes);

        try (EchoLoadClient load = EchoLoadClient.open(settings, connections,
                (phase, done, total) -> System.out.printf("  %s: %d/%d%n", phase, done, total))) {
            FirstEchoReport first = load.firstEchoes();
            System.out.printf("first echo: %d echoed, %d no reply, %d wrong reply, %d closed by server,"
                            + " %d connect failed; last first echo after %d ms%n", first.echoed(), first.noReply(),
                    first.wrongReply(), first.closedByServer(), first.connectFailed(),
                    first.timeUntilLastEcho().toMillis());
            if (busy > 0) {
                ClosedLoopReport run = load.closedLoop(busy, lineBytes, warmup, duration);
                System.out.printf("closed loop: %d busy, %.0f requests/s, p50 %d us, p99 %d us, p99.9 %d us,"
                                + " max %d us, %d failed%n", run.busyConnections(), run.requestsPerSecond(),
                        micros(run.latency().percentile(50)), micros(run.latency().percentile(99)),
                        micros(run.latency().percentile(99.9)), micros(run.latency().max()), run.failures());
            }
        }
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1_000;
    }
}
