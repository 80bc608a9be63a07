package dev.c1m.limit.demo;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.limit.AdmissionGate;
import dev.c1m.limit.ConnectionAdmission;
import dev.c1m.limit.ConnectionAdmission.Verdict;
import dev.c1m.limit.NanoClock;
import dev.c1m.limit.Rate;
import dev.c1m.limit.RequestRateLimits;
import dev.c1m.limit.TokenBucket;
import dev.c1m.nio.LineProtocolHandler;
import dev.c1m.nio.ReactorServer;
import dev.c1m.nio.ReactorSettings;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Chapter 5's line echo server with this chapter's protection: connection admission (global,
 * per address, rate of new connections; busy reply or stop accepting when full) and a request
 * rate limit per connection. Prints its knobs, then a line with the open connections and the
 * refusals by reason whenever they change. Stop it with Ctrl-C.
 *
 * <pre>
 * java -cp chapter06-ratelimit/target/classes:chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.limit.demo.ProtectedEchoServerMain [--port 0] [--workers 2] [--max-connections 1000] [--max-per-address 10] \
 *      [--connections-per-second 100] [--requests-per-second 10] [--when-full busy|stop]
 * </pre>
 */
public final class ProtectedEchoServerMain {

    private static final String USAGE = """
            usage: ProtectedEchoServerMain [--port P] [--workers N] [--max-connections N] [--max-per-address N]
                                           [--connections-per-second N] [--requests-per-second N] [--when-full busy|stop]
              --port                    port on 127.0.0.1 (default 0: any)
              --workers                 worker reactors behind the acceptor (default 2)
              --max-connections         open connections in total (default 1000)
              --max-per-address         open connections per client address (default 10)
              --connections-per-second  new connections per second, also the burst (default 100)
              --requests-per-second     lines per second per connection, also the burst (default 10)
              --when-full               busy: reply "error: server busy"; stop: stop accepting (default busy)
            """;

    private ProtectedEchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("port", "workers", "max-connections", "max-per-address",
                "connections-per-second", "requests-per-second", "when-full"), List.of());
        int port = options.integer("port", 0, 0, 65_535);
        int workers = options.integer("workers", 2, 1, 64);
        int maxConnections = options.integer("max-connections", 1_000, 1, 1_000_000);
        int maxPerAddress = options.integer("max-per-address", 10, 1, 1_000_000);
        int connectionsPerSecond = options.integer("connections-per-second", 100, 1, 1_000_000);
        int requestsPerSecond = options.integer("requests-per-second", 10, 1, 1_000_000);
        AdmissionGate.WhenFull whenFull = switch (options.string("when-full", "busy")) {
            case "busy" -> AdmissionGate.WhenFull.REPLY_BUSY;
            case "stop" -> AdmissionGate.WhenFull.STOP_ACCEPTING;
            default -> {
                System.err.println("--when-full must be busy or stop\n" + USAGE);
                System.exit(2);
                throw new AssertionError();
            }
        };

        ConnectionAdmission admission = new ConnectionAdmission(maxConnections, maxPerAddress,
                new TokenBucket(Rate.perSecond(connectionsPerSecond), connectionsPerSecond, NanoClock.SYSTEM));
        RequestRateLimits requests = new RequestRateLimits(
                () -> new TokenBucket(Rate.perSecond(requestsPerSecond), requestsPerSecond, NanoClock.SYSTEM), () -> true);
        ReactorSettings settings = ReactorSettings.defaults().withAcceptFilter(new AdmissionGate(admission, whenFull));
        try (ReactorServer server = ReactorServer.multiReactor("protected", new InetSocketAddress("127.0.0.1", port), workers,
                requests.around(LineProtocolHandler.factory(EchoProtocol.DEFAULT_MAX_LINE_BYTES)), settings)) {
            System.out.printf("max-connections=%d max-per-address=%d connections-per-second=%d requests-per-second=%d when-full=%s%n",
                    maxConnections, maxPerAddress, connectionsPerSecond, requestsPerSecond, whenFull);
            System.out.println("listening on 127.0.0.1:" + server.localAddress().getPort());
            String last = "";
            while (true) {
                String status = String.format("open=%d server-full=%d address-full=%d rate-exceeded=%d rate-limited-requests=%d",
                        admission.openConnections(), admission.count(Verdict.SERVER_FULL), admission.count(Verdict.ADDRESS_FULL),
                        admission.count(Verdict.RATE_EXCEEDED), requests.limitedRequests());
                if (!status.equals(last)) {
                    System.out.println(status);
                    last = status;
                }
                Thread.sleep(1_000);
            }
        }
    }
}
