package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.Options;
import dev.c1m.tuning.CpuByProcess;
import dev.c1m.tuning.ExitWithParent;
import dev.c1m.tuning.KernelMeter;
import dev.c1m.tuning.LoadPlan;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How much CPU the rest of the machine spends because this machine holds many descriptors: for
 * each point, K child JVMs each open M idle loopback connections (both ends in the child, so 2M
 * socket descriptors), and the CPU of every process outside this benchmark is measured over a
 * window while nothing in the benchmark runs. On an ordinary Linux box the answer is zero. On
 * the sandbox this course was measured in, an agent running as pid 1 walks the descriptors of
 * every process every few seconds, so its CPU grows with the descriptors held, and a C1M run
 * shares the machine with it (chapter 8's results/NOTEBOOK.md, "Measure what else runs on the
 * box").
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.ForeignCpuVsDescriptors [--points 0x0,3x9000,12x9000,24x4500] [--window 20s]
 * </pre>
 * A point is {@code PROCESSESxCONNECTIONS}; a child needs {@code 2 x CONNECTIONS + a few}
 * descriptors under its limit. Prints a table; a child holds its connections until it is stopped.
 */
public final class ForeignCpuVsDescriptors {

    private static final String USAGE = """
            usage: ForeignCpuVsDescriptors [--points 0x0,3x9000,12x9000,24x4500] [--window 20s]
                   ForeignCpuVsDescriptors --hold CONNECTIONS      (a child: holds them until killed)""";
    private static final Duration SETTLE = Duration.ofSeconds(3);

    private ForeignCpuVsDescriptors() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parseOrExit(args, USAGE, List.of("points", "window", "hold"), List.of());
        if (!options.string("hold", "").isEmpty()) {
            hold(options.integer("hold", 0, 1, 1_000_000));
            return;
        }
        Duration window = LoadPlan.duration(options, "window", "20s");
        if (window.toMillis() < 1000) {
            throw new IllegalArgumentException("--window must be at least 1s (CPU is counted in 10 ms ticks): " + window);
        }
        List<int[]> points = new ArrayList<>(); // all parsed first: a typo must not surface after minutes of measuring
        for (String point : options.string("points", "0x0,3x9000,12x9000,24x4500").split(",")) {
            String[] kxm = point.split("x");
            if (kxm.length != 2 || !kxm[0].matches("\\d+") || !kxm[1].matches("\\d+")) {
                throw new IllegalArgumentException("--points: each point is PROCESSESxCONNECTIONS, e.g. 3x9000; got " + point);
            }
            points.add(new int[] {Integer.parseInt(kxm[0]), Integer.parseInt(kxm[1])});
        }
        System.out.printf(Locale.ROOT, "%9s %12s %12s %18s %18s  %s%n", "processes", "connections", "descriptors",
                "other processes", "kernel threads", "largest outside (cores)");
        for (int[] point : points) {
            measure(point[0], point[1], window);
        }
    }

    private static void measure(int processes, int connectionsEach, Duration window) throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(List.of(), List.of("-Xmx64m", "-XX:+UseSerialGC"),
                        ForeignCpuVsDescriptors.class, "--hold", Integer.toString(connectionsEach)));
            }
            for (ChildJvm child : children) {
                child.awaitLine("^holding", Duration.ofMinutes(2));
            }
            Thread.sleep(SETTLE);
            CpuByProcess before = CpuByProcess.now();
            Thread.sleep(window);
            CpuByProcess.Outside outside = CpuByProcess.now().since(before).outside(CpuByProcess.thisProcessTree(), 2);
            double ticks = window.toMillis() / 1000.0 * KernelMeter.CpuTicks.TICKS_PER_SECOND;
            System.out.printf(Locale.ROOT, "%9d %,12d %,12d %13.3f cores %13.3f cores  %s%n", processes,
                    (long) processes * connectionsEach, 2L * processes * connectionsEach,
                    outside.userTicks() / ticks, outside.kernelThreadTicks() / ticks,
                    outside.largest().stream().map(e -> String.format(Locale.ROOT, "%s %.3f", e.name(), e.ticks() / ticks))
                            .collect(Collectors.joining(", ")));
        } finally {
            for (ChildJvm child : children) {
                child.close();
            }
        }
    }

    /**
     * A child: M connections to its own listener, accepted and kept, then nothing until it is
     * killed. Both ends linger 0, so the kill resets them: an orderly close of 200,000 connections
     * would fill the machine's TIME_WAIT table (131,072 here) for a minute, and the kernel would
     * then close at once the TIME_WAIT sockets that other programs and tests expect to see.
     */
    private static void hold(int connections) throws IOException, InterruptedException {
        ExitWithParent.whenStandardInputEnds(1); // it holds its descriptors for ever otherwise, if the benchmark is killed
        List<SocketChannel> held = new ArrayList<>(2 * connections);
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            for (int i = 0; i < connections; i++) {
                SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                SocketChannel server = listener.accept();
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                server.setOption(StandardSocketOptions.SO_LINGER, 0);
                held.add(client);
                held.add(server);
            }
        }
        System.out.println("holding " + connections + " connections");
        Thread.sleep(Long.MAX_VALUE);
    }
}
