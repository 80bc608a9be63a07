package dev.c1m.heartbeat.demo;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.heartbeat.HeartbeatServer;
import dev.c1m.heartbeat.SelfProtection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Runs the heartbeat echo server until Ctrl-C or SIGTERM: echoes lines, answers
 * {@code PING <seq> <nanos>} with {@code PONG <seq> <nanos>}, closes connections idle for longer
 * than {@code --idle-ms}.
 *
 * <pre>
 * java -cp chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.heartbeat.demo.HeartbeatServerMain [--port 9000] [--idle-ms 10000] [--tick-ms 100]
 *      [--protect-share-percent 0]
 * </pre>
 */
public final class HeartbeatServerMain {

    private static final String USAGE = """
            usage: HeartbeatServerMain [--host ADDR] [--port N] [--idle-ms N] [--tick-ms N] [--wheel-size N]
                                       [--protect-share-percent P] [--protect-min N] [--protect-window-ms N]
                                       [--protect-for-s N]
              --host                   address to bind (default 127.0.0.1)
              --port                   port, 0 for any free port (default 9000)
              --idle-ms                close a connection silent this long (default 10000)
              --tick-ms                timing wheel tick (default 100)
              --wheel-size             timing wheel buckets, a power of two (default 512)
              --protect-share-percent  self-protection: stop evicting when more than P% of connections
                                       time out in one window; 0 turns it off (default 0)
              --protect-min            ... and at least this many (default 10)
              --protect-window-ms      the window (default 1000)
              --protect-for-s          how long to stop evicting (default 60)""";

    private HeartbeatServerMain() {
    }

    public static void main(String[] args) throws IOException {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("host", "port", "idle-ms", "tick-ms", "wheel-size",
                "protect-share-percent", "protect-min", "protect-window-ms", "protect-for-s"), List.of());
        String host = options.string("host", "127.0.0.1");
        int port = options.integer("port", 9000, 0, 65535);
        Duration idle = Duration.ofMillis(options.integer("idle-ms", 10_000, 1, Integer.MAX_VALUE));
        Duration tick = Duration.ofMillis(options.integer("tick-ms", 100, 1, 60_000));
        int wheelSize = options.integer("wheel-size", 512, 2, 1 << 24);
        if (Integer.bitCount(wheelSize) != 1) {
            System.err.println("error: option --wheel-size must be a power of two, got " + wheelSize);
            System.err.println(USAGE);
            System.exit(2);
        }
        int sharePercent = options.integer("protect-share-percent", 0, 0, 100);
        SelfProtection protection = sharePercent == 0 ? null : new SelfProtection(sharePercent / 100.0,
                options.integer("protect-min", 10, 1, Integer.MAX_VALUE),
                Duration.ofSeconds(options.integer("protect-for-s", 60, 1, Integer.MAX_VALUE)));
        Duration window = Duration.ofMillis(options.integer("protect-window-ms", 1000, 1, Integer.MAX_VALUE));

        HeartbeatServer server = HeartbeatServer.start("heartbeat", new InetSocketAddress(host, port),
                new HeartbeatServer.Settings(idle, tick, wheelSize, protection, window,
                        EchoProtocol.DEFAULT_MAX_LINE_BYTES));
        InetSocketAddress bound = server.localAddress();
        System.out.println("listening on " + bound.getAddress().getHostAddress() + ":" + bound.getPort()
                + " (idle timeout " + idle.toMillis() + " ms, tick " + tick.toMillis() + " ms, wheel " + wheelSize
                + ", self-protection " + (protection == null ? "off" : "above " + sharePercent + "%") + ")");
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.close();
            System.out.println("closed; " + server.idleClosed() + " connections closed for idleness");
        }));
    }
}
