package dev.c1m.tuning.demo;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.LineEchoHandler;
import dev.c1m.echo.TcpServer;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.tuning.MetricsEndpoint;
import dev.c1m.tuning.MetricsRegistry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * Chapter 1's echo server (one virtual thread per connection) with a Prometheus metrics endpoint:
 * the server the chapter's "look inside" section inspects with JFR, jcmd and NMT.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -XX:NativeMemoryTracking=summary -cp "$CP" \
 *      dev.c1m.tuning.demo.ObservedEchoServerMain [--port 9000] [--metrics-port 9100] [--backlog 4096]
 * curl -s http://127.0.0.1:9100/metrics
 * </pre>
 */
public final class ObservedEchoServerMain {

    private ObservedEchoServerMain() {
    }

    public static void main(String[] args) throws IOException {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, """
                usage: ObservedEchoServerMain [--port N] [--metrics-port N] [--backlog N]
                  --port          echo port on 127.0.0.1 (default 9000, 0 = any)
                  --metrics-port  metrics port on 127.0.0.1 (default 9100, 0 = any)
                  --backlog       accept queue length asked of listen() (default 4096)""",
                List.of("port", "metrics-port", "backlog"), List.of());
        int backlog = o.integer("backlog", 4096, 1, 1 << 20);
        TcpServer server = TcpServer.start("echo", TcpServer.bind(new InetSocketAddress("127.0.0.1",
                        o.integer("port", 9000, 0, 65535)), backlog), new LineEchoHandler(),
                Executors.newVirtualThreadPerTaskExecutor(), AcceptBackoff.standard());

        MetricsRegistry registry = new MetricsRegistry().withJvmGauges();
        registry.gauge("c1m_connections", "Connections open now.", server::activeConnections);
        registry.counterFrom("c1m_accepts_total", "Connections accepted.", server::acceptedConnections);
        registry.counterFrom("c1m_accept_failures_total", "Failed accept() calls (EMFILE, ...).", server::acceptFailures);
        MetricsEndpoint metrics = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", o.integer("metrics-port", 9100, 0, 65535)), registry);

        System.out.println("listening on " + server.localAddress().getPort() + " (backlog " + backlog + "), metrics on "
                + metrics.uri() + ", pid " + ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            server.close();
            try {
                metrics.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }
}
