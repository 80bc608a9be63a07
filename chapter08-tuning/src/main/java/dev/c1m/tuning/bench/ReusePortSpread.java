package dev.c1m.tuning.bench;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code SO_REUSEPORT} does with connections: how the kernel spreads them over the
 * listeners sharing one port, and what happens to connections still waiting in a listener's
 * accept queue when that listener closes (a worker process restarting).
 *
 * <p><b>Spread.</b> L listening channels with {@code SO_REUSEPORT} on one loopback port (threads
 * of one JVM: the kernel's choice does not depend on which process owns a listener), M blocking
 * connects from 1 or several source addresses, then every listener's accept queue is drained and
 * counted. Reported per run: min, max and standard deviation of the per-listener counts, beside
 * the standard deviation a uniformly random choice would give ({@code sqrt(M p (1-p))}, p = 1/L).
 *
 * <p><b>Close with a full queue.</b> L listeners, M connects, nothing accepted; then every listener
 * but the first is drained, so whatever is left was queued on the first; the first is closed, and
 * each client channel is checked with a non-blocking read: reset, or still open (and accepted by a
 * surviving listener). Run with {@code net.ipv4.tcp_migrate_req} = 0 (the default) and = 1 (Linux
 * 5.14+: move queued connections to another listener of the group); the bench sets the sysctl
 * itself when it can and restores the previous value, also on Ctrl-C.
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.ReusePortSpread [--listeners 4] [--connections 1000] [--runs 5] [--sources 1,4]
 *      [--out chapter08-tuning/results]
 * </pre>
 * Writes {@code reuseport-spread.csv} (per listener, per run) and {@code reuseport-close.csv}.
 * Everything runs on the main thread: blocking connects, then non-blocking accepts.
 * Does not cover: a BPF program attached with {@code SO_ATTACH_REUSEPORT_CBPF} (not in the JDK),
 * or listeners joining while connections arrive (the hash then maps some flows to the new one).
 */
public final class ReusePortSpread {

    private static final Path MIGRATE_REQ = Path.of("/proc/sys/net/ipv4/tcp_migrate_req");

    private ReusePortSpread() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, """
                usage: ReusePortSpread [--listeners N] [--connections N] [--runs N] [--sources K,K,...] [--out DIR]""",
                List.of("listeners", "connections", "runs", "sources", "out"), List.of());
        int listeners = o.integer("listeners", 4, 2, 64);
        int connections = o.integer("connections", 1000, 10, 4000);
        int runs = o.integer("runs", 5, 1, 50);
        List<Integer> sourceCounts;
        try {
            sourceCounts = parseCounts(o.string("sources", "1,4"));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        Files.createDirectories(out);
        System.out.printf("SO_REUSEPORT: %d listeners on one port, %d connections, %d runs, JDK %s%n",
                listeners, connections, runs, Runtime.version());

        spread(listeners, connections, runs, sourceCounts, out);
        closeWithQueue(listeners, connections, runs, out);
    }

    private static void spread(int listeners, int connections, int runs, List<Integer> sourceCounts, Path out) throws IOException {
        double p = 1.0 / listeners;
        double uniformStddev = Math.sqrt(connections * p * (1 - p));
        List<String> csv = new ArrayList<>(List.of("sources,run,listener,connections"));
        System.out.printf("%nspread (expected %.1f per listener; a uniformly random choice has stddev %.1f)%n",
                (double) connections / listeners, uniformStddev);
        System.out.printf("%-8s %-4s %-30s %6s %6s %8s%n", "sources", "run", "per listener", "min", "max", "stddev");
        for (int sources : sourceCounts) {
            List<Long> allCounts = new ArrayList<>();
            for (int run = 1; run <= runs; run++) {
                long[] counts = spreadOnce(listeners, connections, sources);
                SampleStats s = SampleStats.of(counts);
                System.out.printf(Locale.ROOT, "%-8d %-4d %-30s %6d %6d %8.1f%n", sources, run, Arrays.toString(counts),
                        s.min(), s.max(), s.stddev());
                for (int l = 0; l < counts.length; l++) {
                    csv.add(sources + "," + run + "," + l + "," + counts[l]);
                    allCounts.add(counts[l]);
                }
            }
            SampleStats all = SampleStats.of(allCounts.stream().mapToLong(Long::longValue).toArray());
            System.out.printf(Locale.ROOT, "%-8d %-4s %-30s %6d %6d %8.1f%n", sources, "all", "(every listener of every run)",
                    all.min(), all.max(), all.stddev());
        }
        Files.write(out.resolve("reuseport-spread.csv"), csv);
    }

    private static long[] spreadOnce(int listenerCount, int connections, int sources) throws IOException {
        List<ServerSocketChannel> listeners = new ArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        try {
            InetSocketAddress address = openGroup(listenerCount, connections, listeners);
            for (int i = 0; i < connections; i++) {
                SocketChannel client = SocketChannel.open();
                clients.add(client);
                client.bind(new InetSocketAddress("127.0.0." + (2 + i % sources), 0));
                client.connect(address); // completes once the kernel has queued it on one listener
            }
            long[] counts = new long[listenerCount];
            for (int l = 0; l < listenerCount; l++) {
                counts[l] = drain(listeners.get(l), accepted);
            }
            long total = Arrays.stream(counts).sum();
            if (total != connections) {
                throw new IllegalStateException("accepted " + total + " of " + connections);
            }
            return counts;
        } finally {
            // The accepted ends first, so that they, on the listeners' port, are the ones left in
            // TIME_WAIT for a minute. A client port taken with bind() and left in TIME_WAIT is
            // closed to every later connect() that picks its own port: after ten runs of 4,000,
            // the close-with-queue phase's connects failed with "Cannot assign requested address".
            closeAll(accepted);
            closeAll(clients);
            closeAll(listeners);
        }
    }

    private static void closeWithQueue(int listenerCount, int connections, int runs, Path out) throws Exception {
        String before = Files.isWritable(MIGRATE_REQ) ? Files.readAllLines(MIGRATE_REQ).getFirst().trim() : null;
        List<String> settings = before == null ? List.of("(sysctl absent or read-only)") : List.of("0", "1");
        Thread restore = Thread.ofPlatform().unstarted(() -> writeQuietly(before));
        if (before != null) {
            Runtime.getRuntime().addShutdownHook(restore);
        }
        List<String> csv = new ArrayList<>(List.of("tcp_migrate_req,run,connections,queued_on_closed,reset,accepted_by_others_after_close,open_unaccepted"));
        System.out.printf("%nclose a listener with a full accept queue: %d listeners, %d connections, none accepted; "
                + "drain listeners 2..%d, close listener 1%n", listenerCount, connections, listenerCount);
        System.out.printf("%-16s %-4s %18s %8s %22s %16s%n", "tcp_migrate_req", "run", "queued on closed", "reset",
                "accepted by others", "open, unaccepted");
        try {
            for (String setting : settings) {
                if (before != null) {
                    Files.writeString(MIGRATE_REQ, setting);
                }
                for (int run = 1; run <= runs; run++) {
                    long[] r = closeOnce(listenerCount, connections);
                    System.out.printf("%-16s %-4d %18d %8d %22d %16d%n", setting, run, r[0], r[1], r[2], r[3]);
                    csv.add(setting + "," + run + "," + connections + "," + r[0] + "," + r[1] + "," + r[2] + "," + r[3]);
                }
            }
        } finally {
            if (before != null) {
                writeQuietly(before);
                Runtime.getRuntime().removeShutdownHook(restore);
                System.out.println("restored net.ipv4.tcp_migrate_req = " + Files.readAllLines(MIGRATE_REQ).getFirst().trim());
            }
        }
        Files.write(out.resolve("reuseport-close.csv"), csv);
        System.out.println("\nwrote " + out.resolve("reuseport-spread.csv") + " and " + out.resolve("reuseport-close.csv"));
    }

    /** Returns {queued on the closed listener, reset, accepted by the others after the close, open but never accepted}. */
    private static long[] closeOnce(int listenerCount, int connections) throws Exception {
        List<ServerSocketChannel> listeners = new ArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        try {
            InetSocketAddress address = openGroup(listenerCount, connections, listeners);
            for (int i = 0; i < connections; i++) {
                SocketChannel client = SocketChannel.open(address);
                client.configureBlocking(false);
                clients.add(client);
            }
            long acceptedBefore = 0;
            for (int l = 1; l < listenerCount; l++) {
                acceptedBefore += drain(listeners.get(l), accepted);
            }
            long queuedOnFirst = connections - acceptedBefore;
            listeners.get(0).close();
            Thread.sleep(200); // let the resets (or the migration) reach the clients
            long acceptedAfter = 0;
            for (int l = 1; l < listenerCount; l++) {
                acceptedAfter += drain(listeners.get(l), accepted);
            }
            long reset = 0;
            ByteBuffer one = ByteBuffer.allocate(1);
            for (SocketChannel client : clients) {
                try {
                    one.clear();
                    if (client.read(one) < 0) {
                        reset++; // an orderly close would count here too; none is expected
                    }
                } catch (IOException e) {
                    reset++;
                }
            }
            long openUnaccepted = connections - acceptedBefore - acceptedAfter - reset;
            return new long[] {queuedOnFirst, reset, acceptedAfter, openUnaccepted};
        } finally {
            closeAll(clients);
            closeAll(accepted);
            closeAll(listeners);
        }
    }

    /** Binds {@code count} listeners with SO_REUSEPORT to one free loopback port; returns the address. */
    private static InetSocketAddress openGroup(int count, int backlog, List<ServerSocketChannel> listeners) throws IOException {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
        for (int l = 0; l < count; l++) {
            ServerSocketChannel listener = ServerSocketChannel.open();
            listeners.add(listener);
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            listener.bind(address, backlog);
            address = (InetSocketAddress) listener.getLocalAddress();
        }
        return address;
    }

    /** Accepts everything queued on {@code listener} without blocking; returns how many. */
    private static long drain(ServerSocketChannel listener, List<SocketChannel> into) throws IOException {
        listener.configureBlocking(false);
        long count = 0;
        for (SocketChannel channel; (channel = listener.accept()) != null; count++) {
            into.add(channel);
        }
        return count;
    }

    private static List<Integer> parseCounts(String list) {
        List<Integer> counts = new ArrayList<>();
        for (String part : list.split(",")) {
            int count;
            try {
                count = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sources: not a number: " + part);
            }
            if (count < 1 || count > 250) {
                throw new IllegalArgumentException("--sources: each count must be 1..250: " + part);
            }
            counts.add(count);
        }
        return counts;
    }

    private static void writeQuietly(String value) {
        if (value == null) {
            return;
        }
        try {
            Files.writeString(MIGRATE_REQ, value);
        } catch (IOException e) {
            System.err.println("could not restore net.ipv4.tcp_migrate_req = " + value + ": " + e.getMessage());
        }
    }

    private static void closeAll(List<? extends Closeable> closeables) {
        for (Closeable c : closeables) {
            try {
                c.close();
            } catch (IOException e) {
                // closing on the way out; nothing left to do with it
            }
        }
    }
}
