package dev.c1m.heartbeat.bench;

import dev.c1m.echo.demo.Options;
import dev.c1m.heartbeat.IdleDetector;
import dev.c1m.heartbeat.IdleTracker;
import dev.c1m.heartbeat.TimerEntry;
import dev.c1m.heartbeat.TimingWheel;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One measurement of one timer implementation in a fresh JVM, started by
 * {@link WheelVersusSchedulerBenchmark}: holds N pending timeouts (one per simulated connection)
 * and prints one {@code RESULT} line with the cost of scheduling them, the heap they hold, the
 * cost of re-arming them on activity and of cancelling them.
 *
 * <p>Implementations ({@code --impl}):
 * <ul>
 *   <li>{@code wheel-tracker}: an {@link IdleDetector} on a {@link TimingWheel}, one
 *       {@link IdleTracker} per connection. Activity is {@link IdleTracker#recordActivity} (a store);
 *       the re-arm happens once per idle period, when the deadline finds recent activity.</li>
 *   <li>{@code wheel-runnable}: {@link TimingWheel#schedule(Runnable, long, long)} with a lambda
 *       per connection, the shape of a generic timer API. Activity re-arms by cancel + schedule.</li>
 *   <li>{@code stpe}: {@link ScheduledThreadPoolExecutor} (one thread, remove-on-cancel on so
 *       cancelled tasks do not pile up). Activity re-arms by cancel + schedule, as a naive idle
 *       timer does on every message.</li>
 * </ul>
 * The wheel cases run on the calling thread (as a reactor would own them); the executor takes a
 * lock on every call. Heap is measured with {@link Runtime} after {@code System.gc()}, the
 * connections and the handle array allocated before the baseline so only the timers count.
 */
public final class TimerCostProbe {

    private static final long TIMEOUT_NANOS = Duration.ofSeconds(30).toNanos();
    private static final Duration TICK = Duration.ofMillis(100);
    private static final int WHEEL_SIZE = 512;

    private TimerCostProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Options options = Options.parse(args, List.of("impl", "timeouts"), List.of());
        String impl = options.string("impl", "wheel-tracker");
        int n = options.integer("timeouts", 1_000_000, 1, 50_000_000);
        Object[] connections = new Object[n];
        for (int i = 0; i < n; i++) {
            connections[i] = new Object();
        }
        Subject warmUp = subject(impl);
        measure(warmUp, connections, Math.min(n, 200_000));
        warmUp.close();
        Subject subject = subject(impl);
        Result result = measure(subject, connections, n);
        subject.close();
        System.out.println(String.format(Locale.ROOT,
                "RESULT impl=%s timeouts=%d schedule_ns=%.1f bytes=%.1f rearm_ns=%.1f cancel_ns=%.1f",
                impl, n, result.scheduleNs, result.bytes, result.rearmNs, result.cancelNs));
    }

    private record Result(double scheduleNs, double bytes, double rearmNs, double cancelNs) {
    }

    private static Result measure(Subject subject, Object[] connections, int n) throws InterruptedException {
        Object[] handles = new Object[n];
        long before = usedHeapAfterGc();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            handles[i] = subject.schedule(connections[i]);
        }
        double scheduleNs = (System.nanoTime() - start) / (double) n;
        double bytes = (usedHeapAfterGc() - before) / (double) n;
        double rearmNs = subject.rearmAll(handles, n) / (double) n;
        start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            subject.cancel(handles[i]);
        }
        double cancelNs = (System.nanoTime() - start) / (double) n;
        if (subject.pending() != 0) {
            throw new IllegalStateException(subject.pending() + " timeouts still pending after cancel");
        }
        return new Result(scheduleNs, bytes, rearmNs, cancelNs);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    private static Subject subject(String impl) {
        return switch (impl) {
            case "wheel-tracker" -> new WheelTrackers();
            case "wheel-runnable" -> new WheelRunnables();
            case "stpe" -> new Scheduler();
            default -> throw new IllegalArgumentException("unknown --impl " + impl);
        };
    }

    /** One timer implementation under test. */
    private interface Subject {
        Object schedule(Object connection);

        /** Simulates one message on each connection; returns the total nanoseconds it cost. */
        long rearmAll(Object[] handles, int n);

        void cancel(Object handle);

        int pending();

        default void close() {
        }
    }

    private static final class WheelTrackers implements Subject {
        private long now = 0;
        private final TimingWheel wheel = new TimingWheel(TICK, WHEEL_SIZE, now);
        private final IdleDetector<Object> detector = new IdleDetector<>(wheel, Duration.ofNanos(TIMEOUT_NANOS),
                (connection, idle) -> { });

        @Override
        public Object schedule(Object connection) {
            return detector.track(connection, now);
        }

        /**
         * A message on every connection, then the clock passes the deadline: each deadline finds
         * activity and re-arms once. The cost per message is the store plus that re-arm (charged
         * in full, as if each connection sent one message per idle period: the worst case).
         */
        @Override
        @SuppressWarnings("unchecked")
        public long rearmAll(Object[] handles, int n) {
            long start = System.nanoTime();
            now += TIMEOUT_NANOS / 2;
            for (int i = 0; i < n; i++) {
                ((IdleTracker<Object>) handles[i]).recordActivity(now);
            }
            now += TIMEOUT_NANOS / 2 + TICK.toNanos();
            wheel.expire(now);
            long elapsed = System.nanoTime() - start;
            if (detector.evictedCount() != 0 || wheel.size() != n) {
                throw new IllegalStateException("re-arm lost timeouts: " + wheel.size());
            }
            return elapsed;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void cancel(Object handle) {
            detector.stop((IdleTracker<Object>) handle);
        }

        @Override
        public int pending() {
            return wheel.size();
        }
    }

    private static final class WheelRunnables implements Subject {
        private final TimingWheel wheel = new TimingWheel(TICK, WHEEL_SIZE, 0);

        @Override
        public Object schedule(Object connection) {
            return wheel.schedule(() -> connection.hashCode(), 0, TIMEOUT_NANOS);
        }

        @Override
        public long rearmAll(Object[] handles, int n) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                wheel.schedule((TimerEntry) handles[i], TIMEOUT_NANOS + 1);
            }
            return System.nanoTime() - start;
        }

        @Override
        public void cancel(Object handle) {
            wheel.cancel((TimerEntry) handle);
        }

        @Override
        public int pending() {
            return wheel.size();
        }
    }

    private static final class Scheduler implements Subject {
        private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);

        Scheduler() {
            executor.setRemoveOnCancelPolicy(true);
        }

        @Override
        public Object schedule(Object connection) {
            return executor.schedule(() -> connection.hashCode(), TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
        }

        @Override
        public long rearmAll(Object[] handles, int n) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ((ScheduledFuture<?>) handles[i]).cancel(false);
                Object previous = handles[i];
                handles[i] = executor.schedule(() -> previous.hashCode(), TIMEOUT_NANOS, TimeUnit.NANOSECONDS);
            }
            return System.nanoTime() - start;
        }

        @Override
        public void cancel(Object handle) {
            ((ScheduledFuture<?>) handle).cancel(false);
        }

        @Override
        public int pending() {
            return executor.getQueue().size();
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
