package dev.c1m.tuning.bench;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.tuning.KernelMeter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures the kernel memory of loopback TCP connections, the cost the readiness doctor uses:
 * <ol>
 *   <li>idle: open N connections (both ends in this JVM, so 2N sockets, each registered with a
 *       selector) and read the growth per socket of all slab memory ({@code Slab} in
 *       {@code /proc/meminfo}) and of the caches a socket occupies ({@code /proc/slabinfo}:
 *       {@code TCPv6} or {@code TCP}, {@code sock_inode_cache}, {@code filp}, {@code dentry},
 *       {@code eventpoll_epi});</li>
 *   <li>stalled: each client writes 256 KiB that the server never reads, and read the growth of
 *       the TCP buffer memory ({@code TCP: mem} pages in {@code /proc/net/sockstat}) per
 *       connection, with the kernel's default buffers and with {@code SO_RCVBUF} / {@code SO_SNDBUF}
 *       of 4 KiB: what small buffers save when a slow reader meets a fast writer.</li>
 * </ol>
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.SocketMemoryCost [--connections 2000] [--runs 3] [--out chapter08-tuning/results]
 * </pre>
 * Kernel counters are machine-wide: other processes' sockets add noise, so it reports the median
 * of several runs. Writes {@code socket-memory.csv}.
 */
public final class SocketMemoryCost {

    private static final int PAGE = 4096;

    private SocketMemoryCost() {
    }

    /** The slab caches one socket of a NIO program occupies: protocol sock, socket inode, file, dentry, epoll entry. */
    private static final List<String> CACHES = List.of("TCPv6", "TCP", "sock_inode_cache", "filp", "dentry", "eventpoll_epi");

    private record Result(String buffers, int run, long slabPerSocket, long cachesPerSocket, long queuedPerConnection,
                          long tcpMemPerConnection) {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, "usage: SocketMemoryCost [--connections N] [--runs N] [--out DIR]",
                List.of("connections", "runs", "out"), List.of());
        int connections = o.integer("connections", 2000, 1, 9000);
        int runs = o.integer("runs", 3, 1, 20);
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        System.out.printf("kernel memory of %d loopback connections (%d sockets), %d runs%n", connections, 2 * connections, runs);
        List<Result> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            results.add(measure(connections, run, 0));
            results.add(measure(connections, run, 4096));
        }
        List<String> csv = new ArrayList<>(List.of("buffers,run,connections,slab_bytes_per_socket,socket_caches_bytes_per_socket,queued_bytes_per_connection,tcp_mem_bytes_per_connection"));
        results.forEach(r -> csv.add(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%d,%d", r.buffers, r.run, connections,
                r.slabPerSocket, r.cachesPerSocket, r.queuedPerConnection, r.tcpMemPerConnection)));
        Files.createDirectories(out);
        Files.write(out.resolve("socket-memory.csv"), csv);
        System.out.printf("%nobject sizes: %s%n", slabSizes());
        System.out.printf("%n%-26s %18s %20s %22s %24s%n", "buffers", "idle slab B/socket", "idle caches B/socket",
                "stalled: queued B/conn", "stalled: TCP mem B/conn");
        for (String buffers : List.of("kernel default", "SO_RCVBUF=SO_SNDBUF=4096")) {
            List<Result> mine = results.stream().filter(r -> r.buffers.equals(buffers)).toList();
            System.out.printf("%-26s %18d %20d %22d %24d%n", buffers,
                    SampleStats.of(mine.stream().mapToLong(Result::slabPerSocket).toArray()).median(),
                    SampleStats.of(mine.stream().mapToLong(Result::cachesPerSocket).toArray()).median(),
                    SampleStats.of(mine.stream().mapToLong(Result::queuedPerConnection).toArray()).median(),
                    SampleStats.of(mine.stream().mapToLong(Result::tcpMemPerConnection).toArray()).median());
        }
        System.out.println("\nwrote " + out.resolve("socket-memory.csv"));
    }

    private static Result measure(int connections, int run, int bufferBytes) throws IOException, InterruptedException {
        List<SocketChannel> channels = new ArrayList<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open(); Selector selector = Selector.open()) {
            if (bufferBytes > 0) {
                listener.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes); // inherited by accepted sockets
            }
            listener.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            settle();
            long slabBefore = KernelMeter.slabBytes();
            long cachesBefore = socketCacheBytes();
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                SocketChannel client = SocketChannel.open();
                channels.add(client); // closed below whatever happens next
                if (bufferBytes > 0) {
                    client.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
                    client.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
                }
                client.connect(listener.getLocalAddress());
                SocketChannel server = listener.accept();
                if (bufferBytes > 0) {
                    server.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
                }
                clients.add(client);
                channels.add(server);
            }
            for (SocketChannel c : channels) {
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ); // as a NIO server and load generator would
            }
            settle();
            long slabPerSocket = (KernelMeter.slabBytes() - slabBefore) / (2L * connections);
            long cachesPerSocket = (socketCacheBytes() - cachesBefore) / (2L * connections);

            long tcpBefore = KernelMeter.tcpSockets().bufferPages();
            long queued = 0;
            ByteBuffer data = ByteBuffer.allocateDirect(256 * 1024);
            for (SocketChannel client : clients) {
                data.clear();
                queued += client.write(data); // what the kernel accepted: both ends' buffers together
            }
            settle();
            long tcpMemPerConnection = (KernelMeter.tcpSockets().bufferPages() - tcpBefore) * PAGE / connections;
            return new Result(bufferBytes == 0 ? "kernel default" : "SO_RCVBUF=SO_SNDBUF=" + bufferBytes, run,
                    slabPerSocket, cachesPerSocket, queued / connections, tcpMemPerConnection);
        } finally {
            for (SocketChannel c : channels) {
                c.close();
            }
            settle();
        }
    }

    private static void settle() throws InterruptedException {
        Thread.sleep(500); // let deferred frees (RCU) and softirq processing catch up before reading counters
    }

    /** Active objects x object size, summed over {@link #CACHES}, from /proc/slabinfo (root only). */
    private static long socketCacheBytes() throws IOException {
        long total = 0;
        for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
            String[] f = line.split("\\s+");
            if (CACHES.contains(f[0])) {
                total += Long.parseLong(f[1]) * Long.parseLong(f[3]);
            }
        }
        return total;
    }

    private static String slabSizes() throws IOException {
        List<String> sizes = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/slabinfo"))) {
            String[] f = line.split("\\s+");
            if (CACHES.contains(f[0])) {
                sizes.add(f[0] + " " + f[3] + " B");
            }
        }
        return String.join(", ", sizes);
    }
}
