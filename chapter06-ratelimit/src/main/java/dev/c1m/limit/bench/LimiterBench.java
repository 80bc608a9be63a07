package dev.c1m.limit.bench;

import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.limit.FixedWindowLimiter;
import dev.c1m.limit.KeyedRateLimiter;
import dev.c1m.limit.LeakyBucket;
import dev.c1m.limit.NanoClock;
import dev.c1m.limit.Rate;
import dev.c1m.limit.RateLimiter;
import dev.c1m.limit.SlidingWindowCounterLimiter;
import dev.c1m.limit.SlidingWindowLogLimiter;
import dev.c1m.limit.TokenBucket;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Compares the five rate limiters: CPU nanoseconds per decision (one thread, and two threads
 * sharing one limiter) and heap bytes per key (a limiter per key, as in a per-address table).
 *
 * <p>Method, in the spirit of JMH: every case is warmed up first; each measurement is a timed
 * run of {@code --millis}, repeated {@code --runs} times, and the median is reported with the
 * lowest and highest run. Decisions are counted and their results summed into a sink so the JIT
 * cannot remove them. Time per decision is the thread's <em>CPU</em> time (from
 * {@link ThreadMXBean}) over its decisions, so that time spent descheduled on a busy machine does
 * not count. Two clocks: {@link System#nanoTime()} read on every decision, and a cached clock (a
 * volatile field a ticker thread refreshes every millisecond, the way a reactor reads the time
 * once per loop), which shows the cost of the algorithm alone. The baseline rows are the clock
 * alone and an always-true limiter called through the same interface. Memory: {@code --keys} limiters are created and held, and the heap in use
 * after a full GC is compared with the heap before; the median of three rounds is reported.
 *
 * <pre>
 * java -cp chapter06-ratelimit/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.limit.bench.LimiterBench [--runs 7] [--millis 300] [--keys 100000] [--out chapter06-ratelimit/results]
 * </pre>
 */
public final class LimiterBench {

    private static final String USAGE = """
            usage: LimiterBench [--runs N] [--millis MS] [--keys N] [--out DIR]
              --runs    measured runs per case, median reported (default 7)
              --millis  length of one run (default 300)
              --keys    limiters created for the memory measurement (default 100000)
              --out     directory for limiter-cost.csv, limiter-memory.csv, limiter-cost.svg (default chapter06-ratelimit/results)
            """;

    /** Every limiter allows 100 per second (a typical per-client limit); windows are one second; burst or queue 100. */
    private static final int LIMIT = 100;
    private static final Duration WINDOW = Duration.ofSeconds(1);

    private record Case(String name, Function<NanoClock, RateLimiter> factory) {
    }

    private record Cost(String name, double[] nanoTime1, double[] nanoTime2, double[] cached1, double[] cached2) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static volatile long cachedNanos = System.nanoTime();
    private static final NanoClock CACHED = () -> cachedNanos;

    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options options = Options.parseOrExit(args, USAGE, List.of("runs", "millis", "keys", "out"), List.of());
        int runs = options.integer("runs", 7, 3, 101);
        int millis = options.integer("millis", 300, 20, 60_000);
        int keys = options.integer("keys", 100_000, 1_000, 10_000_000);
        Path out = Path.of(options.string("out", "chapter06-ratelimit/results"));
        System.out.printf("LimiterBench: runs=%d millis=%d keys=%d out=%s, %d CPUs, JDK %s%n",
                runs, millis, keys, out, Runtime.getRuntime().availableProcessors(), Runtime.version());

        Thread ticker = Thread.ofPlatform().daemon().name("cached-clock").start(LimiterBench::tick);
        List<Case> cases = cases();
        List<Cost> costs = new ArrayList<>();
        for (Case c : cases) {
            System.out.printf("  measuring %s ...%n", c.name());
            costs.add(new Cost(c.name(), measure(c, NanoClock.SYSTEM, 1, runs, millis),
                    measure(c, NanoClock.SYSTEM, 2, runs, millis), measure(c, CACHED, 1, runs, millis),
                    measure(c, CACHED, 2, runs, millis)));
        }
        ticker.interrupt();
        List<double[]> memory = new ArrayList<>();
        for (Case c : cases) {
            if (c.name().startsWith("baseline")) {
                continue;
            }
            System.out.printf("  memory of %s ...%n", c.name());
            memory.add(new double[] {bytesPerKey(c, keys, false), bytesPerKey(c, keys, true)});
        }
        report(costs, cases, memory, out, runs, millis, keys);
    }

    private static void tick() {
        try {
            while (true) {
                cachedNanos = System.nanoTime();
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            // benchmark over
        }
    }

    private static List<Case> cases() {
        Rate rate = Rate.perSecond(LIMIT);
        return List.of(
                new Case("baseline: read the clock", clock -> () -> clock.nanoTime() != 0),
                new Case("baseline: always true", clock -> () -> true),
                new Case("token bucket", clock -> new TokenBucket(rate, LIMIT, clock)),
                new Case("leaky bucket", clock -> new LeakyBucket(rate, LIMIT, clock)),
                new Case("fixed window", clock -> new FixedWindowLimiter(LIMIT, WINDOW, clock)),
                new Case("sliding window log", clock -> new SlidingWindowLogLimiter(LIMIT, WINDOW, clock)),
                new Case("sliding window counter", clock -> new SlidingWindowCounterLimiter(LIMIT, WINDOW, clock)));
    }

    /** CPU nanoseconds per decision, one value per run, with {@code threads} threads sharing one limiter. */
    private static double[] measure(Case c, NanoClock clock, int threads, int runs, int millis) throws InterruptedException {
        RateLimiter limiter = c.factory().apply(clock);
        for (int warmup = 0; warmup < 3; warmup++) {
            timedRun(limiter, threads, millis);
        }
        double[] results = new double[runs];
        for (int run = 0; run < runs; run++) {
            results[run] = timedRun(limiter, threads, millis);
        }
        return results;
    }

    private static double timedRun(RateLimiter limiter, int threads, int millis) throws InterruptedException {
        LongAdder decisions = new LongAdder();
        LongAdder threadNanos = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = Thread.ofPlatform().name("bench-" + t).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long cpuBefore = THREADS.getCurrentThreadCpuTime();
                long deadline = System.nanoTime() + millis * 1_000_000L;
                long count = 0;
                long admitted = 0;
                long now;
                do {
                    for (int i = 0; i < 1_000; i++) {
                        admitted += limiter.tryAcquire() ? 1 : 0;
                    }
                    count += 1_000;
                    now = System.nanoTime();
                } while (now < deadline);
                decisions.add(count);
                threadNanos.add(THREADS.getCurrentThreadCpuTime() - cpuBefore);
                sink += admitted;
            });
            workers.add(worker);
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        // CPU time of all threads over all decisions: what one decision costs the machine
        return (double) threadNanos.sum() / decisions.sum();
    }

    /** Heap bytes per key: {@code keys} limiters, held in an array or in a {@link KeyedRateLimiter}. */
    private static double bytesPerKey(Case c, int keys, boolean inKeyedTable) throws InterruptedException {
        double[] rounds = new double[3];
        for (int round = 0; round < rounds.length; round++) {
            long before = usedHeapAfterGc();
            Object held;
            if (inKeyedTable) {
                KeyedRateLimiter<Integer> table = new KeyedRateLimiter<>(keys, Duration.ofHours(1),
                        k -> c.factory().apply(NanoClock.SYSTEM), NanoClock.SYSTEM);
                for (int k = 0; k < keys; k++) {
                    table.tryAcquire(k);
                }
                held = table;
            } else {
                RateLimiter[] array = new RateLimiter[keys];
                for (int k = 0; k < keys; k++) {
                    array[k] = c.factory().apply(NanoClock.SYSTEM);
                }
                held = array;
            }
            long after = usedHeapAfterGc();
            rounds[round] = (double) (after - before) / keys;
            sink += System.identityHashCode(held);
        }
        Arrays.sort(rounds);
        return rounds[1];
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static void report(List<Cost> costs, List<Case> cases, List<double[]> memory, Path out, int runs, int millis,
                               int keys) throws IOException {
        StringBuilder costCsv = new StringBuilder("limiter,clock,threads,median_cpu_ns_per_decision,min_ns,max_ns,runs,millis_per_run\n");
        System.out.printf("%nCPU ns per decision (median of %d runs of %d ms; min-max in brackets)%n", runs, millis);
        System.out.printf("%-26s %20s %20s %20s %20s%n", "limiter", "nanoTime, 1 thread", "nanoTime, 2 threads",
                "cached, 1 thread", "cached, 2 threads");
        for (Cost cost : costs) {
            System.out.printf("%-26s %20s %20s %20s %20s%n", cost.name(), cell(cost.nanoTime1()), cell(cost.nanoTime2()),
                    cell(cost.cached1()), cell(cost.cached2()));
            costCsv.append(csvRow(cost.name(), "nanoTime", 1, cost.nanoTime1(), runs, millis));
            costCsv.append(csvRow(cost.name(), "nanoTime", 2, cost.nanoTime2(), runs, millis));
            costCsv.append(csvRow(cost.name(), "cached", 1, cost.cached1(), runs, millis));
            costCsv.append(csvRow(cost.name(), "cached", 2, cost.cached2(), runs, millis));
        }
        StringBuilder memoryCsv = new StringBuilder("limiter,bytes_per_key_alone,bytes_per_key_in_keyed_table,keys\n");
        System.out.printf("%nHeap per key (bytes, median of 3 rounds of %,d keys; limit %d per %s)%n", keys, LIMIT, WINDOW);
        System.out.printf("%-28s %14s %22s%n", "limiter", "limiter alone", "in KeyedRateLimiter");
        int row = 0;
        for (Case c : cases) {
            if (c.name().startsWith("baseline")) {
                continue;
            }
            double[] m = memory.get(row++);
            System.out.printf("%-28s %14.0f %22.0f%n", c.name(), m[0], m[1]);
            memoryCsv.append(String.format(Locale.ROOT, "%s,%.1f,%.1f,%d%n", c.name(), m[0], m[1], keys));
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("limiter-cost.csv"), costCsv);
        Files.writeString(out.resolve("limiter-memory.csv"), memoryCsv);
        Files.writeString(out.resolve("limiter-cost.svg"), CostChart.svg(costs.stream().map(Cost::name).toList(),
                List.of("nanoTime clock, 1 thread", "nanoTime clock, 2 threads sharing one limiter", "cached clock, 1 thread",
                        "cached clock, 2 threads sharing one limiter"),
                List.of(costs.stream().map(c -> median(c.nanoTime1())).toList(),
                        costs.stream().map(c -> median(c.nanoTime2())).toList(),
                        costs.stream().map(c -> median(c.cached1())).toList(),
                        costs.stream().map(c -> median(c.cached2())).toList())));
        System.out.printf("%nwrote %s, %s, %s%n", out.resolve("limiter-cost.csv"), out.resolve("limiter-memory.csv"),
                out.resolve("limiter-cost.svg"));
    }

    private static String cell(double[] values) {
        return String.format(Locale.ROOT, "%.1f [%.1f-%.1f]", median(values), min(values), max(values));
    }

    private static String csvRow(String name, String clock, int threads, double[] values, int runs, int millis) {
        return String.format(Locale.ROOT, "%s,%s,%d,%.2f,%.2f,%.2f,%d,%d%n", name, clock, threads, median(values), min(values),
                max(values), runs, millis);
    }
}
