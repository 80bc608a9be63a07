package dev.c1m.lifecycle.demo;

import dev.c1m.echo.TcpServer;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.lifecycle.LifecycleServer;
import dev.c1m.lifecycle.LimitsReloader;
import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.lifecycle.ShutdownReport;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * Runs the {@link LifecycleServer} until SIGTERM (or Ctrl-C), then drains and exits 0.
 *
 * <pre>
 * java -cp chapter02-lifecycle/target/classes:chapter01-echo/target/classes \
 *     dev.c1m.lifecycle.demo.LifecycleServerMain --port 9000 --config limits.properties
 * </pre>
 *
 * <p>SIGTERM makes the JVM run its shutdown hooks and then exit with status 143 (128 + 15). The
 * hook here runs {@link LifecycleServer#shutdown} with the configured grace, prints the result,
 * and ends the process with {@link Runtime#halt(int) halt(0)}: a drained shutdown is a success,
 * and {@code System.exit} cannot be called from a hook (it would wait for the hook forever).
 * Halting skips the hooks that have not run yet, so the server's hook must be the last one that
 * matters; here it is the only one.
 */
public final class LifecycleServerMain {

    private static final String USAGE = """
            usage: LifecycleServerMain [--port N] [--config FILE] [--tick-ms N]
              --port     port to listen on at 127.0.0.1 (default 9000; 0 picks a free one)
              --config   properties file with the limits, reloaded when it changes (default: built-in limits)
              --tick-ms  how often idle connections wake to check timeouts and shutdown (default 100)""";

    private LifecycleServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("port", "config", "tick-ms"), List.of());
        int port = options.integer("port", 9000, 0, 65535);
        int tickMillis = options.integer("tick-ms", Math.toIntExact(LifecycleServer.DEFAULT_TICK.toMillis()), 1, 10_000);
        String config = options.string("config", null);

        Supplier<ServerLimits> limits;
        if (config == null) {
            ServerLimits fixed = ServerLimits.defaults();
            limits = () -> fixed;
        } else {
            LimitsReloader reloader = LimitsReloader.load(Path.of(config));
            reloader.startWatching(LimitsReloader.Mode.WATCH_SERVICE_AND_POLLING, Duration.ofSeconds(2));
            limits = reloader;
        }
        LifecycleServer server = LifecycleServer.start("lifecycle",
                TcpServer.bind(new InetSocketAddress("127.0.0.1", port), 0), limits, InstantSource.system(),
                Duration.ofMillis(tickMillis));

        CountDownLatch never = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("drain-on-sigterm").unstarted(() -> {
            System.out.println("signal received: draining");
            ShutdownReport report = server.shutdown(limits.get().shutdownGrace());
            System.out.printf("drained: %d connection(s) open at start, %d force-closed, in %d ms%n",
                    report.openAtStart(), report.forceClosed(), report.took().toMillis());
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }));
        System.out.println("listening on " + server.localAddress().getHostString() + ":" + server.localAddress().getPort()
                + " (pid " + ProcessHandle.current().pid() + "); send SIGTERM or press Ctrl-C to drain and stop");
        never.await();
    }
}
