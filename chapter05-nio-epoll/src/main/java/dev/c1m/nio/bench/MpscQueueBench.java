package dev.c1m.nio.bench;

import dev.c1m.echo.demo.Options;
import dev.c1m.nio.MpscQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Compares the reactor's hand-off queue with a lock-based queue (and the JDK's CAS-based
 * {@link ConcurrentLinkedQueue}) as 1 to 8 producer threads push items to one consumer, the
 * shape of traffic into a reactor. Reports the median of several rounds in million items per
 * second, and how often one {@code poll()} stalled the consumer for over 100 microseconds (as
 * when a producer holding the lock is preempted); writes a CSV and an SVG chart.
 *
 * <pre>
 * java -cp chapter05-nio-epoll/target/classes:chapter04-heartbeat/target/classes:chapter01-echo/target/classes \
 *      dev.c1m.nio.bench.MpscQueueBench [--items 4000000] [--rounds 5] [--out chapter05-nio-epoll/results]
 * </pre>
 */
public final class MpscQueueBench {

    private static final String USAGE = """
            usage: MpscQueueBench [--items N] [--rounds N] [--out DIR]
              --items   items per measurement, split over the producers (default 4000000)
              --rounds  measured rounds per cell, after one warm-up round (default 9)
              --out     directory for mpsc-queue.csv and mpsc-queue.svg (default chapter05-nio-epoll/results)""";
    private static final int[] PRODUCERS = {1, 2, 4, 8};
    private static final long STALL_NANOS = 100_000;

    /** The two operations the benchmark needs, over any queue. */
    private interface HandOff {
        void offer(Long item);

        Long poll();
    }

    /** The baseline: a deque guarded by one lock, taken by every producer and by the consumer. */
    private static final class LockedQueue implements HandOff {
        private final ReentrantLock lock = new ReentrantLock();
        private final ArrayDeque<Long> items = new ArrayDeque<>();

        @Override
        public void offer(Long item) {
            lock.lock();
            try {
                items.addLast(item);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Long poll() {
            lock.lock();
            try {
                return items.pollFirst();
            } finally {
                lock.unlock();
            }
        }
    }

    private record Candidate(String name, Supplier<HandOff> factory) {
    }

    private MpscQueueBench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parseOrExit(args, USAGE, List.of("items", "rounds", "out"), List.of());
        int items = options.integer("items", 4_000_000, 1_000, Integer.MAX_VALUE);
        int rounds = options.integer("rounds", 9, 1, 100);
        Path out = Path.of(options.string("out", "chapter05-nio-epoll/results"));
        List<Candidate> candidates = List.of(
                new Candidate("MpscQueue (getAndSet)", () -> {
                    MpscQueue<Long> queue = new MpscQueue<>();
                    return new HandOff() {
                        public void offer(Long item) {
                            queue.offer(item);
                        }

                        public Long poll() {
                            return queue.poll();
                        }
                    };
                }),
                new Candidate("ConcurrentLinkedQueue (CAS)", () -> {
                    ConcurrentLinkedQueue<Long> queue = new ConcurrentLinkedQueue<>();
                    return new HandOff() {
                        public void offer(Long item) {
                            queue.offer(item);
                        }

                        public Long poll() {
                            return queue.poll();
                        }
                    };
                }),
                new Candidate("ReentrantLock + ArrayDeque", LockedQueue::new));
        System.out.printf("MpscQueueBench: %,d items per run, %d rounds, %d cores, %s%n",
                items, rounds, Runtime.getRuntime().availableProcessors(), Runtime.version());

        StringBuilder csv = new StringBuilder("queue,producers,round,million_items_per_s,consumer_stalls_over_100us\n");
        List<BarChart.Series> series = new ArrayList<>();
        StringBuilder stallTable = new StringBuilder();
        System.out.printf("%-30s %s%n", "median Mitems/s", Arrays.toString(PRODUCERS) + " producers");
        for (Candidate candidate : candidates) {
            List<Double> medians = new ArrayList<>();
            List<Long> stallMedians = new ArrayList<>();
            for (int producers : PRODUCERS) {
                run(candidate.factory().get(), producers, items, false); // warm-up
                double[] throughput = new double[rounds];
                long[] stalls = new long[rounds];
                for (int round = 0; round < rounds; round++) {
                    throughput[round] = run(candidate.factory().get(), producers, items, false).millionItemsPerSecond();
                    stalls[round] = run(candidate.factory().get(), producers, items, true).consumerStalls();
                    csv.append(String.format(Locale.ROOT, "%s,%d,%d,%.3f,%d%n",
                            candidate.name(), producers, round, throughput[round], stalls[round]));
                }
                Arrays.sort(throughput);
                Arrays.sort(stalls);
                medians.add(throughput[rounds / 2]);
                stallMedians.add(stalls[rounds / 2]);
                System.err.printf(Locale.ROOT, "  %s, %d producers: %s Mitems/s, stalls %s%n",
                        candidate.name(), producers, Arrays.toString(throughput), Arrays.toString(stalls));
            }
            series.add(new BarChart.Series(candidate.name(), medians));
            System.out.printf(Locale.ROOT, "%-30s %s%n", candidate.name(),
                    medians.stream().map(m -> String.format(Locale.ROOT, "%6.2f", m)).toList());
            stallTable.append(String.format(Locale.ROOT, "%-30s %s%n", candidate.name(), stallMedians));
        }
        System.out.printf("%n%-30s %s%n%s", "median consumer stalls >100us", Arrays.toString(PRODUCERS) + " producers",
                stallTable);
        Files.createDirectories(out);
        Files.writeString(out.resolve("mpsc-queue.csv"), csv);
        BarChart.write(out.resolve("mpsc-queue.svg"), "Hand-off queue throughput, one consumer (median of " + rounds + ")",
                "million items / s", Arrays.stream(PRODUCERS).mapToObj(p -> p + " producer" + (p > 1 ? "s" : "")).toList(), series);
        System.out.println("wrote " + out.resolve("mpsc-queue.csv") + " and " + out.resolve("mpsc-queue.svg"));
    }

    /**
     * Throughput from the first offer to the last poll, and how many times one {@code poll()}
     * call took the consumer over 100 microseconds (for a reactor: a stall of its event loop).
     */
    private record Result(double millionItemsPerSecond, long consumerStalls) {
    }

    /**
     * One run. With {@code timePolls}, every poll is timed to count stalls, which costs two
     * {@code nanoTime()} calls per poll; so throughput and stalls come from separate runs.
     */
    private static Result run(HandOff queue, int producers, int items, boolean timePolls) throws InterruptedException {
        int perProducer = items / producers;
        Long[] boxes = new Long[perProducer]; // boxed once, outside the measurement
        for (int i = 0; i < perProducer; i++) {
            boxes[i] = (long) i;
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (Long box : boxes) {
                    queue.offer(box);
                }
            }));
        }
        long total = (long) perProducer * producers;
        long stalls = 0;
        long begin = System.nanoTime();
        start.countDown();
        for (long received = 0; received < total; ) {
            long before = timePolls ? System.nanoTime() : 0;
            Long item = queue.poll();
            if (timePolls && System.nanoTime() - before > STALL_NANOS) {
                stalls++;
            }
            if (item != null) {
                received++;
            } else {
                Thread.onSpinWait();
            }
        }
        long elapsed = System.nanoTime() - begin;
        for (Thread thread : threads) {
            thread.join();
        }
        return new Result(total / (elapsed / 1e9) / 1e6, stalls);
    }
}
