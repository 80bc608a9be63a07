package dev.c1m.heartbeat.demo;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.heartbeat.ClientState;
import dev.c1m.heartbeat.HeartbeatClient;
import dev.c1m.heartbeat.HeartbeatListener;
import dev.c1m.heartbeat.HeartbeatSettings;
import dev.c1m.heartbeat.PeerState;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Random;

/**
 * A heartbeat client that prints every state change: connect, PINGs answered or late, the
 * server declared DEAD, reconnects with backoff. Stop the server (or freeze it with
 * {@code kill -STOP <pid>}) while it runs to watch the state machines move.
 *
 * <pre>
 * java -cp chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.heartbeat.demo.HeartbeatClientMain [--port 9000] [--interval-ms 3000]
 * </pre>
 */
public final class HeartbeatClientMain {

    private static final String USAGE = """
            usage: HeartbeatClientMain [--host ADDR] [--port N] [--interval-ms N] [--missed N] [--dead-ms N]
              --host         server address (default 127.0.0.1)
              --port         server port (default 9000)
              --interval-ms  time between PINGs (default 3000)
              --missed       missed beats that make the server DEAD (default 3)
              --dead-ms      no PONG for this long makes it DEAD (default 10000)""";

    private HeartbeatClientMain() {
    }

    public static void main(String[] args) {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("host", "port", "interval-ms", "missed", "dead-ms"),
                List.of());
        InetSocketAddress server = new InetSocketAddress(options.string("host", "127.0.0.1"),
                options.integer("port", 9000, 1, 65535));
        HeartbeatSettings defaults = HeartbeatSettings.defaults();
        Duration interval = Duration.ofMillis(options.integer("interval-ms", 3000, 1, Integer.MAX_VALUE));
        HeartbeatSettings settings = new HeartbeatSettings(interval, options.integer("missed", 3, 1, 1000),
                Duration.ofMillis(options.integer("dead-ms", 10_000, 1, Integer.MAX_VALUE)),
                defaults.initialTimeout(), defaults.timeoutFloor(), interval, defaults.connectTimeout(),
                defaults.backoffBase(), defaults.backoffCap(), defaults.maxAttempts());

        HeartbeatClient[] client = new HeartbeatClient[1];
        HeartbeatListener printer = new HeartbeatListener() {
            @Override
            public void onStateChange(ClientState from, ClientState to, String reason) {
                print("connection " + from + " -> " + to + " (" + reason + ")");
            }

            @Override
            public void onTransition(PeerState from, PeerState to, String reason) {
                long srttMicros = client[0] == null ? 0 : client[0].smoothedRttNanos() / 1_000;
                print("server " + from + " -> " + to + " (" + reason + "; srtt " + srttMicros + " us)");
            }
        };
        client[0] = HeartbeatClient.start("heartbeat-client", server, settings, printer, new Random());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(client[0]::close));
    }

    private static void print(String message) {
        System.out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + message);
    }
}
