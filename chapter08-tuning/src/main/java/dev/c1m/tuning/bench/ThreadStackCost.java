package dev.c1m.tuning.bench;

import dev.c1m.echo.bench.ChildJvm;
import dev.c1m.echo.demo.ConsoleLog;
import dev.c1m.echo.demo.Options;
import dev.c1m.tuning.ExitWithParent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;

/**
 * Measures what {@code -Xss} changes for platform threads (a thread-per-connection server's
 * cost): each configuration starts a child JVM that parks N threads after each has used about
 * 16 KiB of stack (a modest handler's depth), and reports per thread the virtual memory reserved
 * ({@code VmSize}) and the memory actually resident ({@code VmRSS}).
 *
 * <pre>
 * CP=$(printf '%s/target/classes:' chapter0*)   # every chapter's classes, from the repository root
 * java -cp "$CP" \
 *      dev.c1m.tuning.bench.ThreadStackCost [--threads 2000] [--runs 3] [--out chapter08-tuning/results]
 * </pre>
 * Writes {@code thread-stack.csv}. The baseline is the JDK's default stack size (1 MiB on Linux x64);
 * JDK 25 refuses to start below 136k.
 */
public final class ThreadStackCost {

    private static final List<String> STACKS = List.of("default", "-Xss512k", "-Xss256k", "-Xss160k");

    private ThreadStackCost() {
    }

    public static void main(String[] args) throws Exception {
        ConsoleLog.oneLinePerRecord();
        Options o = Options.parseOrExit(args, "usage: ThreadStackCost [--threads N] [--runs N] [--out DIR]",
                List.of("threads", "runs", "out"), List.of());
        int threads = o.integer("threads", 2000, 1, 15_000);
        int runs = o.integer("runs", 3, 1, 20);
        Path out = Path.of(o.string("out", "chapter08-tuning/results"));
        List<String> csv = new ArrayList<>(List.of("stack,run,threads,virtual_bytes_per_thread,rss_bytes_per_thread"));
        System.out.printf("%d parked platform threads, ~16 KiB of stack used each, %d runs%n%n%-10s %22s %18s%n",
                threads, runs, "stack", "reserved KiB/thread", "RSS KiB/thread");
        for (String stack : STACKS) {
            long[] virtual = new long[runs];
            long[] rss = new long[runs];
            for (int run = 0; run < runs; run++) {
                List<String> jvm = stack.equals("default") ? List.of("-Xmx64m") : List.of("-Xmx64m", stack);
                try (ChildJvm child = ChildJvm.start(List.of(), jvm, Child.class, "" + threads)) {
                    Matcher m = child.awaitLine("PER_THREAD virtual=(\\d+) rss=(\\d+)", Duration.ofSeconds(120));
                    virtual[run] = Long.parseLong(m.group(1));
                    rss[run] = Long.parseLong(m.group(2));
                }
                csv.add(String.format(Locale.ROOT, "%s,%d,%d,%d,%d", stack, run + 1, threads, virtual[run], rss[run]));
            }
            System.out.printf("%-10s %22d %18.1f%n", stack, SampleStats.of(virtual).median() / 1024,
                    SampleStats.of(rss).median() / 1024.0);
        }
        Files.createDirectories(out);
        Files.write(out.resolve("thread-stack.csv"), csv);
        System.out.println("\nwrote " + out.resolve("thread-stack.csv"));
    }

    /** The measured JVM: parks N threads that each touched some stack, prints the growth per thread. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            ExitWithParent.whenStandardInputEnds(1); // no orphan if the benchmark is killed
            int threads = Integer.parseInt(args[0]);
            CountDownLatch parked = new CountDownLatch(threads);
            CountDownLatch release = new CountDownLatch(1);
            long virtualBefore = status("VmSize:");
            long rssBefore = status("VmRSS:");
            for (int i = 0; i < threads; i++) {
                Thread.ofPlatform().daemon().start(() -> {
                    useStack(64, parked, release);
                });
            }
            parked.await();
            System.out.println("PER_THREAD virtual=" + (status("VmSize:") - virtualBefore) / threads
                    + " rss=" + (status("VmRSS:") - rssBefore) / threads);
            release.countDown();
        }

        /** About 256 bytes of frame per level: 64 levels touch roughly 16 KiB. */
        private static long useStack(int depth, CountDownLatch parked, CountDownLatch release) {
            long a = depth, b = a * 3, c = b ^ a, d = c + b, e = d * 7, f = e - c, g = f | a, h = g & b;
            if (depth == 0) {
                parked.countDown();
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                return h;
            }
            return useStack(depth - 1, parked, release) + a + b + c + d + e + f + g + h;
        }

        private static long status(String field) throws Exception {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith(field))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).findFirst().orElseThrow();
        }
    }
}
