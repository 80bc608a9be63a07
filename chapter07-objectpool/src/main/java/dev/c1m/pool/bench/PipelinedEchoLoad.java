package dev.c1m.pool.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The load side of {@link GcPressureBenchmark}: a few connections, each with up to
 * {@code window} requests in flight (a writer thread and a reader thread per connection), every
 * reply checked byte for byte, and the latency of every message recorded (from just before its
 * request is buffered to the moment its reply is read; with pipelining this includes queueing
 * behind the messages ahead of it, as a real client would see).
 *
 * <p>Before the timed part, every connection exchanges one line, so the server has a handler
 * running for each before any connection closes (the server reports when its last one closes).
 *
 * <p>Threads: {@link #run} blocks the caller; it starts two platform threads per connection and
 * joins them. Progress goes to standard output every two seconds.
 */
final class PipelinedEchoLoad {

    static final byte[] LINE = "a 32-byte message for the echo!!\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLY = ("echo: " + new String(LINE, StandardCharsets.US_ASCII))
            .getBytes(StandardCharsets.US_ASCII);

    /** What one run measured. Latencies are sorted, in nanoseconds. */
    record Result(long messages, long elapsedNanos, long[] sortedLatencies) {

        double messagesPerSecond() {
            return messages * 1e9 / elapsedNanos;
        }

        double latencyMicros(double percentile) {
            int index = (int) Math.min(sortedLatencies.length - 1, Math.ceil(percentile / 100 * sortedLatencies.length) - 1);
            return sortedLatencies[Math.max(0, index)] / 1000.0;
        }
    }

    private PipelinedEchoLoad() {
    }

    static Result run(InetSocketAddress server, int connections, int window, long messages, String label)
            throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.connect(server, 5_000);
                socket.setSoTimeout(30_000);
                sockets.add(socket);
                handshake(socket);
            }
            AtomicLong done = new AtomicLong();
            long[][] latencies = new long[connections][];
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < connections; c++) {
                long share = messages / connections + (c < messages % connections ? 1 : 0);
                latencies[c] = new long[(int) share];
                threads.addAll(startConnection(sockets.get(c), window, latencies[c], done));
            }
            Thread progress = Thread.ofPlatform().daemon().start(() -> report(label, done, messages, start));
            for (Thread thread : threads) {
                thread.join();
            }
            long elapsed = System.nanoTime() - start;
            progress.interrupt();
            if (done.get() != messages) {
                throw new IllegalStateException("only " + done.get() + " of " + messages + " replies arrived");
            }
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).toArray();
            Arrays.sort(all);
            return new Result(messages, elapsed, all);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void handshake(Socket socket) throws IOException {
        socket.getOutputStream().write(LINE);
        byte[] reply = socket.getInputStream().readNBytes(REPLY.length);
        if (!Arrays.equals(reply, REPLY)) {
            throw new IOException("unexpected handshake reply: " + new String(reply, StandardCharsets.UTF_8));
        }
    }

    private static List<Thread> startConnection(Socket socket, int window, long[] latencies, AtomicLong done)
            throws IOException {
        Semaphore inFlight = new Semaphore(window);
        AtomicLongArray sentAt = new AtomicLongArray(window);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        InputStream in = socket.getInputStream();
        Thread writer = Thread.ofPlatform().name("load-writer").start(() -> {
            try {
                for (int i = 0; i < latencies.length; i++) {
                    if (!inFlight.tryAcquire()) {
                        out.flush();
                        inFlight.acquire();
                    }
                    sentAt.set(i % window, System.nanoTime());
                    out.write(LINE);
                }
                out.flush();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("writer failed", e);
            }
        });
        Thread reader = Thread.ofPlatform().name("load-reader").start(() -> {
            try {
                readReplies(in, latencies, sentAt, inFlight, done);
                socket.shutdownOutput();
            } catch (IOException e) {
                inFlight.release(latencies.length); // unblock the writer, whose next write then fails
                closeQuietly(socket);
                throw new IllegalStateException("reader failed", e);
            }
        });
        return List.of(writer, reader);
    }

    private static void readReplies(InputStream in, long[] latencies, AtomicLongArray sentAt, Semaphore inFlight,
                                    AtomicLong done) throws IOException {
        int window = sentAt.length();
        byte[] buffer = new byte[64 * 1024];
        int matched = 0; // bytes of the current reply checked so far
        int index = 0;
        while (index < latencies.length) {
            int n = in.read(buffer);
            if (n < 0) {
                throw new IOException("server closed after " + index + " replies");
            }
            for (int i = 0; i < n; i++) {
                if (buffer[i] != REPLY[matched]) {
                    throw new IOException("reply " + index + " differs at byte " + matched);
                }
                if (++matched == REPLY.length) {
                    latencies[index] = System.nanoTime() - sentAt.get(index % window);
                    index++;
                    matched = 0;
                    inFlight.release();
                    done.incrementAndGet();
                }
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already failing
        }
    }

    private static void report(String label, AtomicLong done, long total, long start) {
        try {
            while (true) {
                Thread.sleep(2_000);
                long n = done.get();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("  %s: %,d / %,d messages (%.0f%%), %,.0f msg/s%n", label, n, total,
                        100.0 * n / total, n / seconds);
            }
        } catch (InterruptedException e) {
            // the run is over
        }
    }
}
