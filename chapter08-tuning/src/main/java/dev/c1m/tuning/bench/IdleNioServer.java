package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ProcessMeter;
import dev.c1m.tuning.ExitWithParent;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The server half of {@link HeapPerConnection}: a bare NIO server that accepts N connections,
 * registers each with one selector and attaches a small per-connection state object (what a
 * reactor keeps for an idle connection), then measures its own memory and prints:
 *
 * <pre>
 * listening on PORT
 * BASELINE live=BYTES used=BYTES rss=BYTES      (after a full GC, before any connection)
 * HOLDING live=BYTES used=BYTES rss=BYTES       (after a full GC, holding N connections)
 * </pre>
 * {@code live} is the total of {@code GC.class_histogram} (objects reachable after a full GC, the
 * same whatever the collector), {@code used} what the collector reports as used heap, {@code rss}
 * the resident set from {@code /proc/self/status}. It then holds the connections until killed.
 */
public final class IdleNioServer {

    /** What an idle connection keeps: no buffer, a deadline, a state. */
    static final class IdleState {
        final SocketChannel channel;
        long lastActivityNanos;
        int state;
        ByteBuffer pendingWrite;

        IdleState(SocketChannel channel, long now) {
            this.channel = channel;
            this.lastActivityNanos = now;
        }
    }

    private IdleNioServer() {
    }

    public static void main(String[] args) throws Exception {
        ExitWithParent.whenStandardInputEnds(1); // a child of HeapPerConnection only: no orphan if it is killed
        int connections = Integer.parseInt(args[0]);
        try (Selector selector = Selector.open(); ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            System.out.println("listening on " + ((InetSocketAddress) listener.getLocalAddress()).getPort());
            System.out.println("BASELINE " + measure());
            int accepted = 0;
            while (accepted < connections) {
                SocketChannel channel = listener.accept();
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, new IdleState(channel, System.nanoTime()));
                accepted++;
            }
            selector.selectNow();
            System.out.println("HOLDING " + measure());
            while (true) {
                selector.select(); // hold until killed
                selector.selectedKeys().clear();
            }
        }
    }

    static String measure() throws Exception {
        System.gc();
        System.gc();
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        String total = histogram.lines().filter(l -> l.startsWith("Total")).findFirst().orElseThrow();
        long live = Long.parseLong(total.trim().split("\\s+")[2]);
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return "live=" + live + " used=" + used + " rss=" + ProcessMeter.rssBytes(ProcessHandle.current().pid());
    }
}
