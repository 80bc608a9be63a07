package dev.c1m.limit.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An open-loop load generator for {@link OverloadServerMain}'s protocol: requests are sent on a
 * fixed schedule (request {@code i} at {@code start + i / rate}) over a set of connections,
 * whether or not earlier ones were answered, the way independent users arrive. Each latency is
 * measured from the request's <em>scheduled</em> time, not from when it was actually sent, so a
 * server (or a client thread) that falls behind is charged for the whole delay: no coordinated
 * omission. The largest sending lag is reported so that a client that could not keep up is seen.
 *
 * <p>One thread, one selector; every connection is non-blocking, with its unsent bytes kept in
 * its own buffer. Not thread-safe: one {@link #run} at a time.
 */
final class OpenLoopClient implements AutoCloseable {

    /** What one step of offered load produced. Latencies in nanoseconds, sorted. */
    record Step(double offeredPerSecond, int requests, long[] okLatencies, long[] refusedLatencies, int lost,
                double goodputPerSecond, long maxSendLagNanos) {

        static double percentileMillis(long[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }

        double refusedShare() {
            return (double) refusedLatencies.length / requests;
        }
    }

    private static final class Peer {
        final SocketChannel channel;
        final SelectionKey key;
        ByteBuffer out = ByteBuffer.allocate(4096); // write mode
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);

        Peer(SocketChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
        }
    }

    private final Selector selector;
    private final List<Peer> peers = new ArrayList<>();
    private long nextId;
    // the step in progress
    private long base;
    private long startNanos;
    private double intervalNanos;
    private long[] ok;
    private int okCount;
    private long[] refused;
    private int refusedCount;
    private long lastOkNanos;

    OpenLoopClient(InetSocketAddress server, int connections) throws IOException {
        selector = Selector.open();
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel channel = SocketChannel.open(server);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                Peer peer = new Peer(channel, key);
                key.attach(peer);
                peers.add(peer);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Offers {@code perSecond} requests per second for {@code duration}, then waits up to
     * {@code drain} for the remaining replies; a request still unanswered then counts as lost.
     */
    Step run(double perSecond, Duration duration, Duration drain) throws IOException {
        int requests = (int) Math.round(perSecond * duration.toNanos() / 1e9);
        base = nextId;
        nextId += requests;
        intervalNanos = 1e9 / perSecond;
        ok = new long[requests];
        refused = new long[requests];
        okCount = 0;
        refusedCount = 0;
        startNanos = System.nanoTime() + 5_000_000;
        lastOkNanos = startNanos;
        long deadline = startNanos + duration.toNanos() + drain.toNanos();
        long maxLag = 0;
        int sent = 0;
        while (okCount + refusedCount < requests && System.nanoTime() - deadline < 0) {
            long now = System.nanoTime();
            while (sent < requests && now - scheduled(sent) >= 0) {
                maxLag = Math.max(maxLag, now - scheduled(sent));
                send(peers.get(sent % peers.size()), base + sent);
                sent++;
            }
            long waitNanos = sent < requests ? scheduled(sent) - System.nanoTime() : deadline - System.nanoTime();
            if (waitNanos < 1_000_000) {
                selector.selectNow(this::onReady);
            } else {
                selector.select(this::onReady, waitNanos / 1_000_000);
            }
        }
        long[] okSorted = Arrays.copyOf(ok, okCount);
        long[] refusedSorted = Arrays.copyOf(refused, refusedCount);
        Arrays.sort(okSorted);
        Arrays.sort(refusedSorted);
        double goodput = okCount == 0 ? 0 : okCount / ((lastOkNanos - startNanos) / 1e9);
        return new Step(perSecond, requests, okSorted, refusedSorted, requests - okCount - refusedCount, goodput, maxLag);
    }

    private long scheduled(long index) {
        return startNanos + (long) (index * intervalNanos);
    }

    private void send(Peer peer, long id) throws IOException {
        byte[] line = (id + "\n").getBytes(StandardCharsets.US_ASCII);
        if (peer.out.remaining() < line.length) {
            ByteBuffer bigger = ByteBuffer.allocate(peer.out.capacity() * 2 + line.length);
            peer.out.flip();
            bigger.put(peer.out);
            peer.out = bigger;
        }
        peer.out.put(line);
        flush(peer);
    }

    private void flush(Peer peer) throws IOException {
        peer.out.flip();
        peer.channel.write(peer.out);
        peer.out.compact();
        int ops = SelectionKey.OP_READ | (peer.out.position() > 0 ? SelectionKey.OP_WRITE : 0);
        if (peer.key.interestOps() != ops) {
            peer.key.interestOps(ops);
        }
    }

    private void onReady(SelectionKey key) {
        Peer peer = (Peer) key.attachment();
        try {
            if (key.isWritable()) {
                flush(peer);
            }
            if (key.isReadable()) {
                if (peer.channel.read(peer.in) < 0) {
                    throw new IOException("the server closed a connection");
                }
                parseReplies(peer.in, System.nanoTime());
            }
        } catch (IOException e) {
            throw new IllegalStateException("load connection failed", e);
        }
    }

    /** Lines {@code <id> ok} and {@code <id> overloaded}; a partial line stays in the buffer. */
    private void parseReplies(ByteBuffer in, long now) {
        in.flip();
        int lineStart = in.position();
        for (int i = in.position(); i < in.limit(); i++) {
            if (in.get(i) != '\n') {
                continue;
            }
            long id = 0;
            int j = lineStart;
            for (; in.get(j) != ' '; j++) {
                id = id * 10 + (in.get(j) - '0');
            }
            boolean served = in.get(j + 1) == 'o' && in.get(j + 2) == 'k';
            record(id - base, served, now);
            lineStart = i + 1;
        }
        in.position(lineStart);
        in.compact();
    }

    private void record(long index, boolean served, long now) {
        if (index < 0 || index >= ok.length) {
            return; // a late reply to an earlier step, already counted as lost there
        }
        long latency = now - scheduled(index);
        if (served) {
            ok[okCount++] = latency;
            lastOkNanos = now;
        } else {
            refused[refusedCount++] = latency;
        }
    }

    @Override
    public void close() throws IOException {
        for (Peer peer : peers) {
            peer.channel.close();
        }
        selector.close();
    }
}
