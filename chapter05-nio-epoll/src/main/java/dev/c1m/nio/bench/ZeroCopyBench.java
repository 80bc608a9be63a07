package dev.c1m.nio.bench;

import dev.c1m.echo.demo.Options;
import dev.c1m.nio.FileTransfer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * Sends a large, page-cached file over loopback with {@code transferTo} (sendfile) and with a
 * read/write loop (through a direct buffer, and through a heap buffer, which the JDK copies once
 * more into a temporary direct buffer), and compares throughput and the sending thread's user and
 * system CPU time. Strategies alternate round by round; the table shows medians.
 *
 * <pre>
 * java -cp chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.nio.bench.ZeroCopyBench [--size-mib 1024] [--rounds 5] [--out chapter05-nio-epoll/results]
 * </pre>
 * The receiver is a thread of the same JVM that reads into a direct buffer and discards. On
 * loopback much of the receive path runs in the sender's system calls, so the sender's system
 * time includes delivery; the difference between the strategies is what matters.
 */
public final class ZeroCopyBench {

    private static final String USAGE = """
            usage: ZeroCopyBench [--size-mib N] [--rounds N] [--out DIR]
              --size-mib  file size (default 1024); the file is created in the temp directory and deleted
              --rounds    rounds per strategy after one warm-up round (default 5)
              --out       directory for zero-copy.csv and zero-copy.svg (default chapter05-nio-epoll/results)""";
    private static final int COPY_BUFFER_BYTES = 64 * 1024;

    /** One way to send the file. */
    private interface Strategy {
        long send(FileChannel file, SocketChannel socket) throws IOException;
    }

    private record Named(String name, Strategy strategy) {
    }

    private record Result(double mibPerSecond, double userMsPerGib, double systemMsPerGib) {
    }

    private ZeroCopyBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parseOrExit(args, USAGE, List.of("size-mib", "rounds", "out"), List.of());
        int sizeMib = options.integer("size-mib", 1024, 1, 64 * 1024);
        int rounds = options.integer("rounds", 5, 1, 100);
        Path out = Path.of(options.string("out", "chapter05-nio-epoll/results"));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Named> strategies = List.of(
                new Named("transferTo (sendfile)", FileTransfer::sendZeroCopy),
                new Named("read/write, direct buffer",
                        (file, socket) -> FileTransfer.sendByCopy(file, socket, ByteBuffer.allocateDirect(COPY_BUFFER_BYTES))),
                new Named("read/write, heap buffer",
                        (file, socket) -> FileTransfer.sendByCopy(file, socket, ByteBuffer.allocate(COPY_BUFFER_BYTES))));
        Path path = Files.createTempFile("zero-copy-bench", ".bin");
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            writeFile(path, sizeMib);
            System.out.printf("ZeroCopyBench: %d MiB file, %d rounds, copy buffer %d KiB, %s%n",
                    sizeMib, rounds, COPY_BUFFER_BYTES / 1024, Runtime.version());
            List<List<Result>> results = new ArrayList<>();
            strategies.forEach(s -> results.add(new ArrayList<>()));
            StringBuilder csv = new StringBuilder("strategy,round,mib_per_s,sender_user_ms_per_gib,sender_system_ms_per_gib\n");
            for (int round = 0; round <= rounds; round++) {
                for (int s = 0; s < strategies.size(); s++) {
                    Result result = run(strategies.get(s).strategy(), path, listener, threads);
                    if (round == 0) {
                        continue; // warm-up
                    }
                    results.get(s).add(result);
                    csv.append(String.format(Locale.ROOT, "%s,%d,%.1f,%.1f,%.1f%n", strategies.get(s).name().replace(",", ";"), round,
                            result.mibPerSecond(), result.userMsPerGib(), result.systemMsPerGib()));
                    System.err.printf(Locale.ROOT, "  round %d %-28s %8.0f MiB/s  user %6.1f ms/GiB  sys %6.1f ms/GiB%n",
                            round, strategies.get(s).name(), result.mibPerSecond(), result.userMsPerGib(), result.systemMsPerGib());
                }
            }
            System.out.printf("%-28s %12s %18s %18s%n", "strategy (median)", "MiB/s", "user ms/GiB", "system ms/GiB");
            List<Double> user = new ArrayList<>();
            List<Double> system = new ArrayList<>();
            for (int s = 0; s < strategies.size(); s++) {
                List<Result> rs = results.get(s);
                double mib = median(rs.stream().mapToDouble(Result::mibPerSecond).toArray());
                double u = median(rs.stream().mapToDouble(Result::userMsPerGib).toArray());
                double sys = median(rs.stream().mapToDouble(Result::systemMsPerGib).toArray());
                user.add(u);
                system.add(sys);
                System.out.printf(Locale.ROOT, "%-28s %12.0f %18.1f %18.1f%n", strategies.get(s).name(), mib, u, sys);
            }
            Files.createDirectories(out);
            Files.writeString(out.resolve("zero-copy.csv"), csv);
            BarChart.write(out.resolve("zero-copy.svg"), "Sender CPU per GiB sent over loopback (median of " + rounds + ")",
                    "CPU ms per GiB", strategies.stream().map(Named::name).toList(),
                    List.of(new BarChart.Series("user", user), new BarChart.Series("system", system)));
            System.out.println("wrote " + out.resolve("zero-copy.csv") + " and " + out.resolve("zero-copy.svg"));
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private static void writeFile(Path path, int sizeMib) throws IOException {
        byte[] block = new byte[1024 * 1024];
        new Random(1).nextBytes(block);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.WRITE)) {
            for (int i = 0; i < sizeMib; i++) {
                file.write(ByteBuffer.wrap(block));
            }
        }
    }

    private static Result run(Strategy strategy, Path path, ServerSocketChannel listener, ThreadMXBean threads)
            throws Exception {
        try (SocketChannel receiver = SocketChannel.open(listener.getLocalAddress());
             SocketChannel sender = listener.accept();
             FileChannel file = FileChannel.open(path)) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(receiver),
                    command -> Thread.ofPlatform().name("zero-copy-receiver").start(command));
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long userBefore = threads.getCurrentThreadUserTime();
            long start = System.nanoTime();
            long sent = strategy.send(file, sender);
            sender.shutdownOutput();
            long bytes = received.get();
            long elapsed = System.nanoTime() - start;
            long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
            long user = threads.getCurrentThreadUserTime() - userBefore;
            if (bytes != sent || sent != file.size()) {
                throw new IllegalStateException("sent " + sent + ", received " + bytes + " of " + file.size());
            }
            double gib = sent / (1024.0 * 1024 * 1024);
            return new Result(sent / (1024.0 * 1024) / (elapsed / 1e9), user / 1e6 / gib, (cpu - user) / 1e6 / gib);
        }
    }

    private static long drain(SocketChannel channel) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
        long total = 0;
        try {
            for (int read; (read = channel.read(buffer.clear())) >= 0; ) {
                total += read;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
