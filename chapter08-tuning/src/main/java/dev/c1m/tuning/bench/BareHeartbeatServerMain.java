package dev.c1m.tuning.bench;

import dev.c1m.echo.AcceptBackoff;
import dev.c1m.echo.demo.Options;
import dev.c1m.tuning.HeapHistogram;
import dev.c1m.tuning.MetricsEndpoint;
import dev.c1m.tuning.MetricsRegistry;
import dev.c1m.tuning.demo.ServerNodeMain;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The bare floor that chapter 8's server is measured against: one selector thread, an
 * {@code SO_REUSEPORT} listener, and per connection nothing but the JDK's channel and key. It
 * answers every {@code PING <rest>} line with {@code PONG <rest>} and any other line with
 * {@code echo: <line>}, from one shared read buffer and one shared write buffer. No idle timeout,
 * no admission limit, no buffer pool, no backpressure: a line split across two reads is dropped,
 * and so are reply bytes the socket does not take at once. When {@code accept} fails (EMFILE), it
 * stops watching the listener for a pause that doubles from 5 ms to 1 s (chapter 1's
 * {@link AcceptBackoff}) instead of spinning on a listener that stays ready. It is a benchmark,
 * not a server; run by {@code C1mRun --server bare} in place of {@link ServerNodeMain}, whose
 * command-line contract it shares ({@code --host}, {@code --port}, {@code --metrics-port},
 * {@code --exit-with-parent}, the {@code listening on}, {@code metrics on} and {@code drained:}
 * lines), so that the same supervisor, load generator and report measure both.
 *
 * <p>Threads: the selector thread ({@code bare-loop}) owns every channel and buffer; the metrics
 * endpoint's thread only reads the two volatile counters.
 */
public final class BareHeartbeatServerMain {

    static final String USAGE = """
            usage: BareHeartbeatServerMain [options]
              --host               listen address (default 127.0.0.1)
              --port               listen port, shared with SO_REUSEPORT (default 9000, 0 = any)
              --metrics-port       metrics port on 127.0.0.1 (default 0 = any, -1 = none)
              --exit-with-parent   exit when the parent process ends, which it learns from its
                                   standard input ending (for supervised workers)""";

    private static final byte[] PING_SPACE = "PING ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "PONG".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ECHO_PREFIX = "echo: ".getBytes(StandardCharsets.US_ASCII);

    private final Selector selector;
    private final ServerSocketChannel listener;
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
    private final ByteBuffer out = ByteBuffer.allocateDirect(128 * 1024);
    /** Made once: {@code this::onReady} written at the select would allocate on every pass. */
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final SelectionKey listenerKey;
    /** Only its {@code nextPause} is used: the loop never sleeps, it keeps answering while accepting pauses. */
    private final AcceptBackoff acceptBackoff = AcceptBackoff.standard();
    private long acceptResumesAtNanos;
    private boolean acceptPaused;
    // Written by the loop thread only; volatile so that the metrics thread reads them.
    private volatile int connections;
    private volatile long heartbeats;

    private BareHeartbeatServerMain(InetSocketAddress address) throws IOException {
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        listener.bind(address, 4096);
        listener.configureBlocking(false);
        listenerKey = listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parseOrExit(args, USAGE, List.of("host", "port", "metrics-port"), List.of("exit-with-parent"));
        BareHeartbeatServerMain server = new BareHeartbeatServerMain(
                new InetSocketAddress(o.string("host", "127.0.0.1"), o.integer("port", 9000, 0, 65535)));
        MetricsEndpoint metrics = server.startMetrics(o.integer("metrics-port", 0, -1, 65535));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            // nothing to drain: no reply is ever kept back, so SIGTERM just reports and goes
            System.out.printf("drained: %d connection(s) open at start, 0 force-closed, in 0 ms%n", server.connections);
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }));
        ServerNodeMain.announce((InetSocketAddress) server.listener.getLocalAddress(), metrics, o.flag("exit-with-parent"));
        Thread loop = Thread.ofPlatform().name("bare-loop").start(server::loop);
        loop.join();
    }

    private MetricsEndpoint startMetrics(int port) throws IOException {
        if (port < 0) {
            return null;
        }
        MetricsRegistry registry = new MetricsRegistry().withJvmGauges();
        registry.gauge("c1m_connections", "Open connections.", () -> connections);
        registry.counterFrom("c1m_heartbeats_total", "PINGs answered with a PONG.", () -> heartbeats);
        MetricsEndpoint endpoint = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", port), registry);
        endpoint.serve(ServerNodeMain.HEAP_HISTOGRAM_PATH, HeapHistogram::ofThisJvm);
        return endpoint;
    }

    private void loop() {
        while (selector.isOpen()) {
            turn();
        }
    }

    /** One select and its events: a method of its own so that the JIT compiles it (see {@code Reactor.turn}). */
    private void turn() {
        try {
            if (acceptPaused) {
                selectUntilAcceptResumes();
            } else {
                selector.select(onReady);
            }
        } catch (IOException e) {
            System.err.println("select failed: " + e);
        }
    }

    private void selectUntilAcceptResumes() throws IOException {
        long waitMillis = Math.ceilDiv(acceptResumesAtNanos - System.nanoTime(), 1_000_000L);
        if (waitMillis > 0) {
            selector.select(onReady, waitMillis);
        } else {
            acceptPaused = false;
            listenerKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void onReady(SelectionKey key) {
        if (key.channel() == listener) {
            acceptAll();
            return;
        }
        SocketChannel channel = (SocketChannel) key.channel();
        try {
            in.clear();
            if (channel.read(in) < 0) {
                close(channel);
                return;
            }
            in.flip();
            answerLines();
            out.flip();
            channel.write(out);
        } catch (IOException e) {
            close(channel);
        }
    }

    private void acceptAll() {
        try {
            SocketChannel channel;
            while ((channel = listener.accept()) != null) {
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                connections++;
                acceptBackoff.reset();
            }
        } catch (IOException e) {
            pauseAccepting(e);
        }
    }

    /** EMFILE and the like: the pending connection stays queued and the listener stays ready, so stop watching it for a while. */
    private void pauseAccepting(IOException cause) {
        System.err.println("accept failed: " + cause);
        listenerKey.interestOps(0);
        acceptPaused = true;
        acceptResumesAtNanos = System.nanoTime() + acceptBackoff.nextPause().toNanos();
    }

    /** Puts the reply to every complete line of {@code in} into {@code out}. */
    private void answerLines() {
        out.clear();
        int start = in.position();
        for (int i = start; i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                answer(start, i);
                start = i + 1;
            }
        }
    }

    private void answer(int from, int newline) {
        int length = newline - from;
        if (out.remaining() < ECHO_PREFIX.length + length + 1) {
            return;
        }
        if (startsWithPing(from, length)) {
            out.put(PONG); // then the PING's own " <rest>"
            copy(from + PONG.length, length - PONG.length);
            heartbeats++;
        } else {
            out.put(ECHO_PREFIX);
            copy(from, length);
        }
        out.put((byte) '\n');
    }

    private void copy(int from, int length) {
        out.put(out.position(), in, from, length);
        out.position(out.position() + length);
    }

    private boolean startsWithPing(int from, int length) {
        if (length < PING_SPACE.length) {
            return false;
        }
        for (int i = 0; i < PING_SPACE.length; i++) {
            if (in.get(from + i) != PING_SPACE[i]) {
                return false;
            }
        }
        return true;
    }

    private void close(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a connection we are done with
        }
        connections--;
    }
}
