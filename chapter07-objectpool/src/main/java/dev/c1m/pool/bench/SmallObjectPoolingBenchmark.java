package dev.c1m.pool.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.pool.LeakDetector;
import dev.c1m.pool.NaiveThreadLocalCache;
import dev.c1m.pool.ObjectPool;
import dev.c1m.pool.Pooled;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Is pooling a small heap object worth it? Compares, per operation "get a 64-byte message frame,
 * fill it, checksum it, let it go":
 * <ul>
 *   <li>{@code new}: allocate a fresh frame each time (the frame escapes to a field, so the JIT
 *       cannot remove the allocation by escape analysis);</li>
 *   <li>{@code pool}: borrow from an {@link ObjectPool} and release (leak sampling one in 128);</li>
 *   <li>{@code pool-nosample}: the same with leak detection off;</li>
 *   <li>{@code threadlocal}: one frame per platform thread, the fastest possible reuse, and the
 *       one that breaks with virtual threads ({@link NaiveThreadLocalCache}).</li>
 * </ul>
 * on 1 and 2 threads, under each collector, each collector in a JVM of its own. JMH-style care:
 * warm-up runs are discarded, variants are interleaved within each run, the table shows medians
 * over the measured runs, and heap allocation per operation is read from the JDK.
 *
 * <pre>
 * java -cp chapter07-objectpool/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.pool.bench.SmallObjectPoolingBenchmark [--gcs G1,ZGC] [--ops 20000000] [--warmups 3] [--runs 7] \
 *      [--csv chapter07-objectpool/results/small-objects.csv] [--svg chapter07-objectpool/results/small-objects.svg]
 * </pre>
 */
public final class SmallObjectPoolingBenchmark {

    private static final String USAGE = """
            usage: SmallObjectPoolingBenchmark [--gcs LIST] [--ops N] [--warmups N] [--runs N] [--heap SIZE]
                                               [--csv FILE] [--svg FILE]
              --gcs      collectors, each measured in its own JVM: G1, ZGC, Parallel, Serial (default G1,ZGC)
              --ops      operations per thread per run (default 20000000)
              --warmups  discarded runs first (default 3)
              --runs     measured runs; the table shows medians (default 7)
              --heap     -Xms and -Xmx of the measured JVMs (default 256m)
              --csv, --svg  where to write the medians and the chart (default: none)""";

    private static final List<String> VARIANTS = List.of("new", "pool", "pool-nosample", "threadlocal");
    private static final int[] THREADS = {1, 2};
    private static final Map<String, String> GC_FLAGS = Map.of(
            "G1", "-XX:+UseG1GC", "ZGC", "-XX:+UseZGC", "Parallel", "-XX:+UseParallelGC", "Serial", "-XX:+UseSerialGC");
    private static final Pattern RESULT = Pattern.compile(
            "RESULT variant=(\\S+) threads=(\\d+) nsPerOp=([\\d.]+) minNs=([\\d.]+) maxNs=([\\d.]+) bytesPerOp=([\\d.]+)"
                    + " collections=(\\d+) pauseMillis=(\\d+)");

    /** The pooled thing: a small message frame. */
    static final class Frame {
        long sequence;
        int length;
        final byte[] payload = new byte[64];
    }

    /** Medians of one variant on one thread count in one JVM. */
    record Result(String gc, String variant, int threads, double nsPerOp, double minNs, double maxNs,
                  double bytesPerOp, long collections, long pauseMillis) {
    }

    private SmallObjectPoolingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE,
                List.of("gcs", "ops", "warmups", "runs", "heap", "csv", "svg"), List.of("child"));
        int ops = options.integer("ops", 20_000_000, 1_000, Integer.MAX_VALUE);
        int warmups = options.integer("warmups", 3, 0, 100);
        int runs = options.integer("runs", 7, 1, 100);
        if (options.flag("child")) {
            measureHere(ops, warmups, runs);
            return;
        }
        String heap = options.string("heap", "256m");
        List<String> gcs = Arrays.stream(options.string("gcs", "G1,ZGC").split(",")).map(String::trim).toList();
        System.out.printf("SmallObjectPoolingBenchmark: ops=%,d per thread per run, warmups=%d runs=%d heap=%s gcs=%s, load %s%n",
                ops, warmups, runs, heap, gcs, GcPressureBenchmark.loadAverage());
        List<Result> results = new ArrayList<>();
        for (String gc : gcs) {
            results.addAll(inChild(gc, heap, ops, warmups, runs));
        }
        printTable(results);
        String csv = options.string("csv", "");
        if (!csv.isEmpty()) {
            writeCsv(Path.of(csv), results);
        }
        String svg = options.string("svg", "");
        if (!svg.isEmpty()) {
            writeSvg(Path.of(svg), results, gcs);
        }
    }

    @SuppressWarnings("try") // ChildJvm.close() may throw InterruptedException, which this method declares
    private static List<Result> inChild(String gc, String heap, int ops, int warmups, int runs) throws Exception {
        String flag = GC_FLAGS.get(gc);
        if (flag == null) {
            throw new IllegalArgumentException("unknown collector '" + gc + "'; use " + GC_FLAGS.keySet());
        }
        List<Result> results = new ArrayList<>();
        try (ChildJvm child = ChildJvm.start(List.of(), List.of(flag, "-Xms" + heap, "-Xmx" + heap),
                SmallObjectPoolingBenchmark.class, "--child", "--ops", String.valueOf(ops),
                "--warmups", String.valueOf(warmups), "--runs", String.valueOf(runs))) {
            for (int r = 1; r <= warmups + runs; r++) { // progress: the child reports each finished run
                System.out.println("  " + gc + ": " + child.awaitLine("run " + r + " of .*", Duration.ofMinutes(10)).group());
            }
            for (String variant : VARIANTS) {
                for (int threads : THREADS) {
                    Matcher m = child.awaitLine("RESULT variant=" + Pattern.quote(variant) + " threads=" + threads
                            + " .*", Duration.ofMinutes(10));
                    Matcher full = RESULT.matcher(m.group());
                    if (!full.find()) {
                        throw new IllegalStateException("unreadable result: " + m.group());
                    }
                    results.add(new Result(gc, variant, threads, Double.parseDouble(full.group(3)),
                            Double.parseDouble(full.group(4)), Double.parseDouble(full.group(5)),
                            Double.parseDouble(full.group(6)), Long.parseLong(full.group(7)),
                            Long.parseLong(full.group(8))));
                    System.out.printf(Locale.ROOT, "  %s %s x%d: %.1f ns/op%n", gc, variant, threads,
                            results.getLast().nsPerOp());
                }
            }
            child.awaitExit(Duration.ofMinutes(1));
        }
        return results;
    }

    // ---- the measured JVM ------------------------------------------------------------------

    private static void measureHere(int ops, int warmups, int runs) throws Exception {
        Map<String, List<double[]>> samples = new LinkedHashMap<>(); // key -> [ns/op, bytes/op, gcs, pause]
        for (int r = 0; r < warmups + runs; r++) {
            for (String variant : VARIANTS) {
                for (int threads : THREADS) {
                    double[] sample = runOnce(variant, threads, ops);
                    if (r >= warmups) {
                        samples.computeIfAbsent(variant + " " + threads, k -> new ArrayList<>()).add(sample);
                    }
                }
            }
            System.out.println("run " + (r + 1) + " of " + (warmups + runs) + (r < warmups ? " (warm-up)" : ""));
        }
        samples.forEach((key, list) -> {
            String[] parts = key.split(" ");
            double[] ns = list.stream().mapToDouble(s -> s[0]).sorted().toArray();
            System.out.printf(Locale.ROOT,
                    "RESULT variant=%s threads=%s nsPerOp=%.2f minNs=%.2f maxNs=%.2f bytesPerOp=%.2f collections=%d pauseMillis=%d%n",
                    parts[0], parts[1], median(ns), ns[0], ns[ns.length - 1],
                    median(list.stream().mapToDouble(s -> s[1]).sorted().toArray()),
                    (long) list.stream().mapToDouble(s -> s[2]).sum(), (long) list.stream().mapToDouble(s -> s[3]).sum());
        });
    }

    /** One run: {@code threads} threads each doing {@code ops} operations; returns ns/op per thread and more. */
    private static double[] runOnce(String variant, int threads, int ops) throws Exception {
        ObjectPool<Frame> pool = ObjectPool.builder("frames", Frame::new).maxSize(64)
                .resetOnRelease(frame -> frame.length = 0)
                .leakDetector(variant.equals("pool-nosample") ? LeakDetector.disabled("frames")
                        : LeakDetector.sampling("frames", 128))
                .build();
        NaiveThreadLocalCache<Frame> perThread = new NaiveThreadLocalCache<>(Frame::new);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        Worker[] states = new Worker[threads];
        for (int t = 0; t < threads; t++) {
            Worker worker = new Worker(variant, pool, perThread, ops);
            states[t] = worker;
            workers.add(Thread.ofPlatform().name("bench-" + t).start(() -> worker.run(start)));
        }
        GcSnapshot before = GcSnapshot.now();
        long begin = System.nanoTime();
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        long elapsed = System.nanoTime() - begin;
        GcSnapshot used = GcSnapshot.now().minus(before);
        long checksum = 0;
        for (Worker worker : states) {
            checksum += worker.checksum;
        }
        if (checksum == 42) {
            System.out.println("unlikely checksum"); // keeps the work observable
        }
        return new double[]{(double) elapsed / ops, (double) used.allocatedBytes() / ((long) ops * threads),
                used.collections(), used.pauseMillis()};
    }

    /** One thread's loop; the frame is stored in {@link #last}, so it escapes and cannot be scalar-replaced. */
    private static final class Worker {
        private final String variant;
        private final ObjectPool<Frame> pool;
        private final NaiveThreadLocalCache<Frame> perThread;
        private final int ops;
        long checksum;
        Frame last;

        Worker(String variant, ObjectPool<Frame> pool, NaiveThreadLocalCache<Frame> perThread, int ops) {
            this.variant = variant;
            this.pool = pool;
            this.perThread = perThread;
            this.ops = ops;
        }

        void run(CountDownLatch start) {
            try {
                start.await();
                switch (variant) {
                    case "new" -> allocating();
                    case "threadlocal" -> threadLocal();
                    default -> pooled();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void allocating() {
            for (int i = 0; i < ops; i++) {
                Frame frame = new Frame();
                use(frame, i);
            }
        }

        private void pooled() throws InterruptedException {
            for (int i = 0; i < ops; i++) {
                Pooled<Frame> lease = pool.borrow();
                use(lease.get(), i);
                lease.release();
            }
        }

        private void threadLocal() {
            for (int i = 0; i < ops; i++) {
                Frame frame = perThread.get();
                frame.length = 0;
                use(frame, i);
            }
        }

        private void use(Frame frame, int i) {
            frame.sequence = i;
            frame.length = 16 + (i & 31);
            long sum = frame.sequence;
            for (int b = 0; b < frame.length; b++) {
                frame.payload[b] = (byte) (i + b);
                sum += frame.payload[b];
            }
            checksum += sum;
            last = frame;
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // ---- output -------------------------------------------------------------------------------

    private static void printTable(List<Result> results) {
        System.out.println();
        System.out.println("| collector | variant | threads | ns/op (median) | min..max | B/op | GCs | pause ms |");
        System.out.println("|---|---|---:|---:|---|---:|---:|---:|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f..%.1f | %.1f | %d | %d |%n", r.gc(),
                    r.variant(), r.threads(), r.nsPerOp(), r.minNs(), r.maxNs(), r.bytesPerOp(), r.collections(),
                    r.pauseMillis());
        }
    }

    private static void writeCsv(Path file, List<Result> results) throws IOException {
        StringBuilder csv = new StringBuilder("gc,variant,threads,ns_per_op_median,ns_min,ns_max,bytes_per_op,collections,pause_ms\n");
        for (Result r : results) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.2f,%.2f,%.2f,%.2f,%d,%d%n", r.gc(), r.variant(),
                    r.threads(), r.nsPerOp(), r.minNs(), r.maxNs(), r.bytesPerOp(), r.collections(), r.pauseMillis()));
        }
        Files.writeString(file, csv);
        System.out.println("wrote " + file);
    }

    private static void writeSvg(Path file, List<Result> results, List<String> gcs) throws IOException {
        List<String> labels = new ArrayList<>();
        for (String variant : VARIANTS) {
            labels.add(variant);
        }
        List<SvgBarChart.Panel> panels = new ArrayList<>();
        for (String gc : gcs) {
            for (int threads : THREADS) {
                panels.add(new SvgBarChart.Panel(gc + ", " + threads + " thread" + (threads > 1 ? "s" : "") + ": ns/op",
                        VARIANTS.stream().map(v -> results.stream()
                                .filter(r -> r.gc().equals(gc) && r.threads() == threads && r.variant().equals(v))
                                .findFirst().orElseThrow().nsPerOp()).toList()));
            }
        }
        Files.writeString(file, SvgBarChart.render("Pooling a 64-byte frame vs plain new (lower is better)",
                "median ns per operation per thread; each collector in its own JVM", labels, panels));
        System.out.println("wrote " + file);
    }
}
