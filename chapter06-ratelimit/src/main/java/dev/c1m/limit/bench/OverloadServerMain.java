package dev.c1m.limit.bench;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.limit.AimdLimiter;
import dev.c1m.limit.InFlightLimiter;
import dev.c1m.nio.Connection;
import dev.c1m.nio.Handler;
import dev.c1m.nio.ReactorServer;
import dev.c1m.nio.ReactorSettings;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The server side of {@link OverloadBench}: chapter 5's reactor in front of a simulated
 * downstream with a fixed capacity, with or without overload protection. Runs until SIGTERM.
 *
 * <p><b>Protocol.</b> A request is a decimal id and a newline; the reply is {@code <id> ok} once
 * the request has been served, or {@code <id> overloaded} at once when protection refuses it.
 * (Replies carry the id because requests complete out of order on the worker pool.)
 *
 * <p><b>The simulated downstream.</b> Each admitted request occupies one of {@code --workers}
 * threads for {@code --cost-micros} (a sleep: a call to a dependency that can handle that many
 * calls at a time), so the capacity is about {@code workers / cost}, whatever else the machine is
 * doing. The reactor thread never waits: it hands the request to the pool and writes the reply
 * when the pool hands it back through {@code Reactor.execute}.
 *
 * <p><b>Protection</b> ({@code --protection}), decided on the reactor thread before any work:
 * <ul>
 *   <li>{@code none}: every request goes into the pool's unbounded queue (the usual default of
 *       {@code Executors.newFixedThreadPool}, and the pitfall this benchmark shows);</li>
 *   <li>{@code inflight}: an {@link InFlightLimiter} caps requests in flight at
 *       {@code 2 * workers} ({@code tryAcquireNow}: no waiting on the reactor thread);</li>
 *   <li>{@code aimd}: an {@link AimdLimiter} finds the cap itself, with a latency target of
 *       {@code 2 * cost} measured from arrival to completion.</li>
 * </ul>
 *
 * <pre>
 * java -cp chapter06-ratelimit/target/classes:chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.limit.bench.OverloadServerMain --protection aimd [--workers 8] [--cost-micros 50000]
 * </pre>
 */
public final class OverloadServerMain {

    private static final String USAGE = """
            usage: OverloadServerMain --protection none|inflight|aimd [--workers N] [--cost-micros US] [--port P]
              --protection  none, inflight (cap 2 x workers) or aimd (latency target 2 x cost)
              --workers     threads of the simulated downstream (default 8)
              --cost-micros time each request holds a downstream thread (default 50000)
              --port        port on 127.0.0.1 (default 0: any)
            """;

    /** What the server does before handing a request to the pool. */
    interface Admission {
        /** True if the request may go to the pool; then {@link #completed} follows exactly once. */
        boolean tryAdmit();

        void completed(long latencyNanos);
    }

    private OverloadServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("protection", "workers", "cost-micros", "port"), List.of());
        String protection = options.string("protection", "none");
        int workers = options.integer("workers", 8, 1, 256);
        int costMicros = options.integer("cost-micros", 50_000, 1, 1_000_000);
        int port = options.integer("port", 0, 0, 65_535);
        Admission admission = admission(protection, workers, Duration.ofNanos(costMicros * 1_000L));

        ExecutorService downstream = Executors.newFixedThreadPool(workers);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        try (ReactorServer server = ReactorServer.singleReactor("overload", new InetSocketAddress("127.0.0.1", port),
                connection -> new CostlyRequestHandler(admission, downstream, costMicros), ReactorSettings.defaults())) {
            System.out.printf("protection=%s workers=%d cost-micros=%d capacity~%d/s%n",
                    protection, workers, costMicros, workers * 1_000_000L / costMicros);
            System.out.println("listening on 127.0.0.1:" + server.localAddress().getPort());
            stop.await();
        } finally {
            downstream.shutdownNow();
            downstream.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    static Admission admission(String protection, int workers, Duration cost) {
        return switch (protection) {
            case "none" -> new Admission() {
                @Override
                public boolean tryAdmit() {
                    return true;
                }

                @Override
                public void completed(long latencyNanos) {
                }
            };
            case "inflight" -> {
                InFlightLimiter limiter = new InFlightLimiter(2 * workers, 0, Duration.ZERO);
                yield new Admission() {
                    @Override
                    public boolean tryAdmit() {
                        return limiter.tryAcquireNow();
                    }

                    @Override
                    public void completed(long latencyNanos) {
                        limiter.release();
                    }
                };
            }
            case "aimd" -> {
                AimdLimiter limiter = new AimdLimiter(workers, 1, 100 * workers, cost.multipliedBy(2), 0.9);
                yield new Admission() {
                    @Override
                    public boolean tryAdmit() {
                        return limiter.tryAcquire();
                    }

                    @Override
                    public void completed(long latencyNanos) {
                        limiter.onSuccess(latencyNanos);
                    }
                };
            }
            default -> throw new IllegalArgumentException("--protection must be none, inflight or aimd, got " + protection);
        };
    }

    /** One connection: parses ids, admits or refuses each, replies from the reactor thread. */
    private static final class CostlyRequestHandler implements Handler {

        private final Admission admission;
        private final ExecutorService downstream;
        private final long costMicros;
        private long id;          // reactor thread only: the id being parsed
        private int digits;       // reactor thread only

        CostlyRequestHandler(Admission admission, ExecutorService downstream, long costMicros) {
            this.admission = admission;
            this.downstream = downstream;
            this.costMicros = costMicros;
        }

        @Override
        public void onInput(Connection connection, ByteBuffer input) throws IOException {
            while (input.hasRemaining()) {
                byte b = input.get();
                if (b >= '0' && b <= '9' && digits < 18) {
                    id = id * 10 + (b - '0');
                    digits++;
                } else if (b == '\n' && digits > 0) {
                    request(connection, id);
                    id = 0;
                    digits = 0;
                } else if (b != '\r') {
                    throw new IOException("not a request id");
                }
            }
        }

        private void request(Connection connection, long requestId) {
            if (!admission.tryAdmit()) {
                connection.write(reply(requestId, "overloaded"));
                return;
            }
            long arrived = System.nanoTime();
            try {
                downstream.execute(() -> {
                    try {
                        TimeUnit.MICROSECONDS.sleep(costMicros); // the downstream call
                    } catch (InterruptedException e) {
                        return; // shutting down
                    }
                    admission.completed(System.nanoTime() - arrived);
                    try {
                        connection.reactor().execute(() -> connection.write(reply(requestId, "ok")));
                    } catch (RejectedExecutionException e) {
                        // the server is closing
                    }
                });
            } catch (RejectedExecutionException e) {
                admission.completed(0);
            }
        }

        private static byte[] reply(long requestId, String outcome) {
            return (requestId + " " + outcome + "\n").getBytes(StandardCharsets.US_ASCII);
        }
    }
}
