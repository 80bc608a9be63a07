package dev.c1m.tuning.demo;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.lifecycle.ShutdownReport;
import dev.c1m.tuning.MetricsEndpoint;
import dev.c1m.tuning.ReadinessTarget;
import dev.c1m.tuning.ReusePortSizing;
import dev.c1m.tuning.SystemView;
import dev.c1m.tuning.server.WorkerSupervisor;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The million-connection server as one command: a {@link WorkerSupervisor} with as many worker
 * processes ({@link ServerNodeMain}) as this machine's descriptor limit requires for
 * {@code --connections}, all on one port, their metrics summed on one endpoint. SIGTERM (or
 * Ctrl-C) drains every worker and prints the summed drain report.
 *
 * <pre>
 * java -cp "$CP" dev.c1m.tuning.demo.C1mServerMain --connections 100000 --port 9000 --metrics-port 9100
 * curl -s http://127.0.0.1:9100/metrics | grep c1m_
 * </pre>
 */
public final class C1mServerMain {

    static final String USAGE = """
            usage: C1mServerMain [options]
              --connections N     connections to be ready for (default 100000): decides the worker count
              --workers K         worker processes (default: enough for --connections under the
                                  descriptor limit, with room for SO_REUSEPORT's random spread)
              --port N            the shared port on 127.0.0.1 (default 9000)
              --metrics-port N    the summed metrics on 127.0.0.1 (default 9100, 0 = any)
              --idle-timeout-ms   passed to every worker (default 90000)
              --worker-heap       -Xmx of each worker (default 64m)
              --batch-window-ms   each worker reactor's pause after a light turn (default 10 with
                                  several workers, whose reactors each hear few events at a time; 0 with one)""";

    /**
     * A worker's reactor pause after a light turn. With many workers each hears a few events at a
     * time (1M connections' 30 s heartbeats over 53 workers: 629 a second each), and one wake-up
     * per event cost a quarter of the server's CPU per heartbeat (chapter 8 Results, part 2);
     * 10 ms is a tenth of the heartbeat RTT budget.
     */
    public static final Duration WORKER_BATCH_WINDOW = Duration.ofMillis(10);

    private C1mServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, USAGE, List.of("connections", "workers", "port", "metrics-port",
                "idle-timeout-ms", "worker-heap", "batch-window-ms"), List.of());
        long hardLimit = SystemView.live().openFiles().hard();
        int perWorker = perWorker(hardLimit);
        int workers = o.integer("workers", workersFor(o.integer("connections", 100_000, 1, Integer.MAX_VALUE), hardLimit),
                1, 1000);
        List<String> jvm = WorkerSupervisor.workerJvmOptions(o.string("worker-heap", "64m"));
        WorkerSupervisor supervisor = WorkerSupervisor.start(workers, "127.0.0.1", o.integer("port", 9000, 0, 65535), jvm,
                List.of("--reactors", workers == 1 ? Integer.toString(Runtime.getRuntime().availableProcessors()) : "1",
                        "--max-connections", Integer.toString(perWorker),
                        "--idle-timeout-ms", Integer.toString(o.integer("idle-timeout-ms", 90_000, 1, Integer.MAX_VALUE)),
                        "--batch-window-ms", Integer.toString(o.integer("batch-window-ms",
                                workers == 1 ? 0 : (int) WORKER_BATCH_WINDOW.toMillis(), 0, 1000))));
        MetricsEndpoint metrics = MetricsEndpoint.serving(
                new InetSocketAddress("127.0.0.1", o.integer("metrics-port", 9100, 0, 65535)), supervisor::scrapeSum);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("drain-on-sigterm").unstarted(() -> {
            try {
                ShutdownReport report = supervisor.stop(Duration.ofSeconds(30));
                System.out.printf("drained: %d connection(s) open at start, %d force-closed, in %d ms%n",
                        report.openAtStart(), report.forceClosed(), report.took().toMillis());
                metrics.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }));
        System.out.printf("listening on 127.0.0.1:%d with %d worker(s) %s, up to %,d connections each; metrics on %s%n",
                supervisor.port(), workers, supervisor.workerPids(), perWorker, metrics.uri());
        new CountDownLatch(1).await(); // until SIGTERM
    }

    /** Connections one worker admits: its descriptor limit, less what the JVM itself keeps open. */
    public static int perWorker(long descriptorLimit) {
        return (int) Math.max(1_000, Math.min(Integer.MAX_VALUE, descriptorLimit - ReadinessTarget.RESERVED_DESCRIPTORS));
    }

    /**
     * Workers for {@code connections}: one where the limit allows, else enough that the fullest,
     * in {@code SO_REUSEPORT}'s random spread, stays within what a worker admits ({@link ReusePortSizing}).
     */
    public static int workersFor(long connections, long descriptorLimit) {
        return ReusePortSizing.processesFor(connections, perWorker(descriptorLimit));
    }
}
