package dev.c1m.tuning.demo;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.lifecycle.LimitsReloader;
import dev.c1m.lifecycle.ServerLimits;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.tuning.ExitWithParent;
import dev.c1m.tuning.HeapHistogram;
import dev.c1m.tuning.MetricsEndpoint;
import dev.c1m.tuning.MetricsRegistry;
import dev.c1m.tuning.server.NodeSettings;
import dev.c1m.tuning.server.ServerNode;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * One process of the million-connection server ({@link ServerNode}) with its metrics endpoint.
 * Run alone it is a complete server; {@code C1mServerMain} runs several of these on one port.
 *
 * <pre>
 * java -cp "$CP" dev.c1m.tuning.demo.ServerNodeMain --port 9000 --metrics-port 9100
 * nc 127.0.0.1 9000        (type: PING 1 42  -&gt;  PONG 1 42;  hello  -&gt;  echo: hello)
 * kill -TERM $PID          (drains: replies in flight are written, then every connection gets a FIN)
 * </pre>
 * It prints {@code listening on HOST:PORT (pid N)}, {@code metrics on URL}, and at the end
 * {@code drained: ...}. With {@code --limits FILE} (chapter 2's properties: {@code idle.timeout.ms},
 * {@code max.line.bytes}, {@code shutdown.grace.ms}) the file is watched and reloaded; new values
 * apply to connections accepted afterwards.
 */
public final class ServerNodeMain {

    /** Where the metrics endpoint also serves this worker's class histogram (a full GC each time). */
    public static final String HEAP_HISTOGRAM_PATH = "/heap-histogram";

    static final String USAGE = """
            usage: ServerNodeMain [options]
              --host               listen address (default 127.0.0.1)
              --port               listen port, shared with SO_REUSEPORT (default 9000, 0 = any)
              --reactors           reactor threads (default: the number of cores)
              --max-connections    connections this process admits (default 10000); keep it below
                                   the descriptor limit so that admission, not EMFILE, says no
              --max-per-address    connections per client address (default: --max-connections)
              --connect-rate       new connections admitted per second (default 0 = no limit)
              --idle-timeout-ms    close a connection silent this long (default 90000, three missed
                                   30 s heartbeats); ignored with --limits
              --limits             a properties file of chapter 2's ServerLimits, reloaded on change
              --buffer-pool-mb     ceiling of the direct buffer pool (default 64)
              --batch-window-ms    pause of a reactor after a turn with few ready keys, so that one
                                   wake-up serves many events (default 0 = none)
              --metrics-port       metrics port on 127.0.0.1 (default 0 = any, -1 = none)
              --exit-with-parent   drain and exit when the parent process ends, which the worker
                                   learns from its standard input ending (for supervised workers)""";

    private ServerNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, USAGE,
                List.of("host", "port", "reactors", "max-connections", "max-per-address", "connect-rate",
                        "idle-timeout-ms", "limits", "buffer-pool-mb", "batch-window-ms", "metrics-port"),
                List.of("exit-with-parent"));
        int maxConnections = o.integer("max-connections", 10_000, 1, Integer.MAX_VALUE);
        NodeSettings settings = NodeSettings.defaults()
                .withAddress(new InetSocketAddress(o.string("host", "127.0.0.1"), o.integer("port", 9000, 0, 65535)))
                .withReactors(o.integer("reactors", Runtime.getRuntime().availableProcessors(), 1, 1024))
                .withAdmission(maxConnections, o.integer("max-per-address", maxConnections, 1, Integer.MAX_VALUE),
                        o.integer("connect-rate", 0, 0, Integer.MAX_VALUE))
                .withBufferPoolBytes(o.integer("buffer-pool-mb", 64, 1, 1 << 20) * 1024L * 1024)
                .withBatchWindow(Duration.ofMillis(o.integer("batch-window-ms", 0, 0, 1000)));
        Supplier<ServerLimits> limits = limits(o.string("limits", null), o.integer("idle-timeout-ms", 90_000, 1, Integer.MAX_VALUE));

        int metricsPort = o.integer("metrics-port", 0, -1, 65535);
        ServerNode node = ServerNode.start("c1m", settings, limits);
        MetricsEndpoint metrics;
        try {
            metrics = startMetrics(node, metricsPort);
        } catch (Exception e) { // a metrics port in use: no server without its metrics, nor one left running
            node.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("drain-on-sigterm").unstarted(() -> {
            ShutdownReport report = node.shutdown(limits.get().shutdownGrace());
            System.out.printf("drained: %d connection(s) open at start, %d force-closed, in %d ms%n",
                    report.openAtStart(), report.forceClosed(), report.took().toMillis());
            System.out.flush();
            Runtime.getRuntime().halt(0); // a drained shutdown is a success, not "killed by SIGTERM"
        }));
        announce(node.localAddress(), metrics, o.flag("exit-with-parent"));
        new CountDownLatch(1).await(); // the reactors run until the shutdown hook halts the JVM
    }

    /**
     * The lines a supervisor waits for ({@code listening on HOST:PORT (pid N)}, {@code metrics on
     * URL}), and with {@code exitWithParent} an exit when the parent process ends. Any worker main
     * that {@code WorkerSupervisor} runs says these.
     */
    public static void announce(InetSocketAddress bound, MetricsEndpoint metrics, boolean exitWithParent) {
        System.out.println("listening on " + bound.getHostString() + ":" + bound.getPort()
                + " (pid " + ProcessHandle.current().pid() + ")");
        if (metrics != null) {
            System.out.println("metrics on " + metrics.uri());
        }
        if (exitWithParent) {
            ExitWithParent.whenStandardInputEnds(0); // exit 0 runs the drain hook
        }
    }

    private static Supplier<ServerLimits> limits(String file, int idleTimeoutMillis) throws Exception {
        if (file != null) {
            LimitsReloader reloader = LimitsReloader.load(Path.of(file));
            reloader.startWatching(LimitsReloader.Mode.WATCH_SERVICE_AND_POLLING, Duration.ofSeconds(2));
            return reloader;
        }
        ServerLimits base = ServerLimits.defaults();
        ServerLimits fixed = new ServerLimits(Duration.ofMillis(idleTimeoutMillis), base.writeTimeout(),
                base.maxLineBytes(), base.shutdownGrace());
        return () -> fixed;
    }

    private static MetricsEndpoint startMetrics(ServerNode node, int port) throws Exception {
        if (port < 0) {
            return null;
        }
        MetricsRegistry registry = new MetricsRegistry().withJvmGauges();
        node.registerMetrics(registry);
        MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", port), registry);
        endpoint.serve(HEAP_HISTOGRAM_PATH, HeapHistogram::ofThisJvm); // for the supervisor's heap census
        return endpoint;
    }
}
