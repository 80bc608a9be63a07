package dev.c1m.concurrency.load;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineReader;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load client for the course's echo protocol: opens many connections, checks that each one is
 * served, then drives a chosen number of them in a closed loop and measures throughput and
 * latency. Used by this chapter's benchmark and by later chapters' benchmarks.
 *
 * <pre>{@code
 * LoadSettings settings = LoadSettings.defaults(serverAddress).withSourceAddresses(4);
 * try (EchoLoadClient load = EchoLoadClient.open(settings, 10_000, progress)) {
 *     FirstEchoReport first = load.firstEchoes();          // served, unserved, refused
 *     ClosedLoopReport run = load.closedLoop(1_000, 64, Duration.ofSeconds(1), Duration.ofSeconds(5));
 *     run.requestsPerSecond(); run.latency().percentile(99);
 * }
 * }</pre>
 *
 * <p>Threads: one virtual thread per connection while a phase runs (open, closed loop); the
 * connections stay open between phases, held by this object, until {@link #close()}. The
 * caller's thread waits for each phase. Every reply is read as a line and compared with the
 * expected echo; any other line (say {@code error: busy}) is a failure. Not handled: open-loop
 * (fixed-rate) load, coordinated-omission correction, reconnects; chapter 8's load generator
 * does these.
 */
public final class EchoLoadClient implements AutoCloseable {

    /** Told how far a phase has come; called from the connections' threads, must be thread-safe. */
    @FunctionalInterface
    public interface Progress {
        void update(String phase, int done, int total);

        static Progress none() {
            return (phase, done, total) -> {
            };
        }
    }

    private enum FirstEcho { ECHOED, NO_REPLY, WRONG_REPLY, CLOSED_BY_SERVER, CONNECT_FAILED }

    /** Replies longer than this are wrong anyway; the limit only bounds what a bad server costs us. */
    private static final int MAX_REPLY_BYTES = 64 * 1024;

    /** One open connection: its socket and the reader that owns its input. */
    private record Connection(Socket socket, LineReader replies) {

        /** Sends {@code line} and checks that the reply is {@code expectedReply}. */
        void exchange(byte[] line, String expectedReply) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(line);
            out.flush();
            String reply = replies.readLine();
            if (reply == null) {
                throw new EOFException("server closed the connection");
            }
            if (!reply.equals(expectedReply)) {
                throw new WrongReplyException(reply);
            }
        }
    }

    private static final class WrongReplyException extends IOException {
        WrongReplyException(String reply) {
            super("unexpected reply: " + (reply.length() > 80 ? reply.substring(0, 80) + "..." : reply));
        }
    }

    private final LoadSettings settings;
    private final Connection[] connections;
    private final FirstEcho[] outcomes;
    private final FirstEchoReport firstEchoes;

    private EchoLoadClient(LoadSettings settings, Connection[] connections, FirstEcho[] outcomes,
                           FirstEchoReport firstEchoes) {
        this.settings = settings;
        this.connections = connections;
        this.outcomes = outcomes;
        this.firstEchoes = firstEchoes;
    }

    /**
     * Opens {@code count} connections and has each send one line and wait for its echo.
     * Returns once every connection has its outcome; connections stay open (except those the
     * server closed) until {@link #close()}.
     */
    public static EchoLoadClient open(LoadSettings settings, int count, Progress progress) throws InterruptedException {
        Connection[] connections = new Connection[count];
        FirstEcho[] outcomes = new FirstEcho[count];
        Semaphore connecting = new Semaphore(settings.connectConcurrency());
        AtomicInteger done = new AtomicInteger();
        AtomicLong lastEchoNanos = new AtomicLong();
        int step = Math.max(1, count / 10);
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                threads.execute(() -> {
                    outcomes[index] = openOne(settings, index, connections, connecting, lastEchoNanos);
                    int finished = done.incrementAndGet();
                    if (finished % step == 0 || finished == count) {
                        progress.update("first echo", finished, count);
                    }
                });
            }
        }
        FirstEchoReport report = summarize(outcomes, Duration.ofNanos(Math.max(0, lastEchoNanos.get() - start)));
        return new EchoLoadClient(settings, connections, outcomes, report);
    }

    private static FirstEcho openOne(LoadSettings settings, int index, Connection[] connections, Semaphore connecting,
                                     AtomicLong lastEchoNanos) {
        Socket socket;
        try {
            socket = connect(settings, index, connecting);
        } catch (IOException | InterruptedException e) {
            return FirstEcho.CONNECT_FAILED;
        }
        try {
            Connection connection = new Connection(socket, new LineReader(socket.getInputStream(), MAX_REPLY_BYTES));
            connections[index] = connection;
            socket.setSoTimeout(Math.toIntExact(settings.firstEchoTimeout().toMillis()));
            String line = "hello " + index;
            connection.exchange(EchoProtocol.lineBytes(line), EchoProtocol.reply(line));
            lastEchoNanos.accumulateAndGet(System.nanoTime(), Math::max);
            return FirstEcho.ECHOED;
        } catch (SocketTimeoutException e) {
            return FirstEcho.NO_REPLY;
        } catch (WrongReplyException e) {
            return FirstEcho.WRONG_REPLY;
        } catch (IOException e) {
            closeQuietly(socket);
            connections[index] = null;
            return FirstEcho.CLOSED_BY_SERVER;
        }
    }

    private static Socket connect(LoadSettings settings, int index, Semaphore connecting)
            throws IOException, InterruptedException {
        connecting.acquire();
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.bind(new InetSocketAddress(settings.sourceAddressOf(index), 0));
            socket.connect(settings.server(), Math.toIntExact(settings.connectTimeout().toMillis()));
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        } finally {
            connecting.release();
        }
    }

    private static FirstEchoReport summarize(FirstEcho[] outcomes, Duration untilLastEcho) {
        int[] counts = new int[FirstEcho.values().length];
        for (FirstEcho outcome : outcomes) {
            counts[outcome.ordinal()]++;
        }
        return new FirstEchoReport(outcomes.length, counts[FirstEcho.ECHOED.ordinal()],
                counts[FirstEcho.NO_REPLY.ordinal()], counts[FirstEcho.WRONG_REPLY.ordinal()],
                counts[FirstEcho.CLOSED_BY_SERVER.ordinal()], counts[FirstEcho.CONNECT_FAILED.ordinal()],
                untilLastEcho);
    }

    /** The outcome of the first line of every connection, as measured by {@link #open}. */
    public FirstEchoReport firstEchoes() {
        return firstEchoes;
    }

    /**
     * Runs the first {@code busyConnections} connections that got their first echo (fewer if
     * fewer did) in a closed loop of {@code lineBytes}-byte lines for {@code warmup} plus
     * {@code duration}, and measures the {@code duration} part. The other connections stay idle.
     */
    public ClosedLoopReport closedLoop(int busyConnections, int lineBytes, Duration warmup, Duration duration)
            throws InterruptedException {
        List<Connection> busy = servedConnections(busyConnections);
        String text = "x".repeat(lineBytes);
        byte[] line = EchoProtocol.lineBytes(text);
        String reply = EchoProtocol.reply(text);
        long measureFrom = System.nanoTime() + warmup.toNanos();
        long measureUntil = measureFrom + duration.toNanos();
        List<Future<LatencyHistogram>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Connection connection : busy) {
                results.add(threads.submit(() -> loop(connection, line, reply, measureFrom, measureUntil)));
            }
        }
        LatencyHistogram all = new LatencyHistogram();
        int failures = 0;
        for (Future<LatencyHistogram> result : results) {
            if (result.state() == Future.State.SUCCESS) {
                all.add(result.resultNow());
            } else {
                failures++;
            }
        }
        return new ClosedLoopReport(busy.size(), duration, all.count(), failures, all);
    }

    private List<Connection> servedConnections(int wanted) {
        List<Connection> served = new ArrayList<>();
        for (int i = 0; i < connections.length && served.size() < wanted; i++) {
            if (outcomes[i] == FirstEcho.ECHOED) {
                served.add(connections[i]);
            }
        }
        return served;
    }

    private LatencyHistogram loop(Connection connection, byte[] line, String reply, long measureFrom,
                                  long measureUntil) throws IOException {
        connection.socket().setSoTimeout(Math.toIntExact(settings.replyTimeout().toMillis()));
        LatencyHistogram latency = new LatencyHistogram();
        long now = System.nanoTime();
        while (now < measureUntil) {
            long sent = now;
            connection.exchange(line, reply);
            now = System.nanoTime();
            if (sent >= measureFrom && now <= measureUntil) {
                latency.record(now - sent);
            }
        }
        return latency;
    }

    /** Closes every connection. */
    @Override
    public void close() {
        for (Connection connection : connections) {
            if (connection != null) {
                closeQuietly(connection.socket());
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a client socket: nothing left to do
        }
    }
}
