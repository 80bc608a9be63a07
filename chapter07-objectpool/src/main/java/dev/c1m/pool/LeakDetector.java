package dev.c1m.pool;

import java.lang.System.Logger.Level;
import java.lang.ref.Cleaner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Finds pooled objects that were borrowed and then dropped without being released, and says
 * where they were borrowed: the technique of Netty's {@code ResourceLeakDetector}.
 *
 * <p>How it works: on a <em>sampled</em> borrow the pool calls {@link #track}, which records the
 * borrow site (a {@link Throwable}, i.e. a stack trace) and registers the handle the borrower
 * holds with a {@link Cleaner}. A release calls {@link Tracker#released()}, which unregisters it.
 * If the handle becomes unreachable first, the garbage collector enqueues its phantom reference,
 * the cleaner thread runs the tracker, and the tracker reports the leak with its borrow site.
 * The tracker never refers to the handle itself, or the handle could never become unreachable.
 *
 * <p>Sampling: capturing a stack trace costs microseconds and a few kilobytes, so by default only
 * one borrow in {@code samplingInterval} is tracked (1 = every borrow, for tests and debugging;
 * 0 = off). A leak in a hot path is found anyway, because it happens thousands of times.
 * Leaks are seen only after a garbage collection has found the handle unreachable, which may
 * take minutes on a quiet heap: this finds bugs, it does not bound memory.
 *
 * <p>Threads: {@link #sample} and {@link #track} run on the borrowing thread, reports on the
 * shared cleaner thread ({@code pool-leak-detector}); the listener must be thread-safe.
 */
public final class LeakDetector {

    private static final System.Logger LOG = System.getLogger(LeakDetector.class.getName());
    private static final Cleaner CLEANER =
            Cleaner.create(Thread.ofPlatform().daemon().name("pool-leak-detector").factory());

    private final String poolName;
    private final int samplingInterval;
    private final Consumer<LeakReport> listener;

    /**
     * @param samplingInterval track one borrow in this many (1 = all, 0 = none)
     * @param listener         called for each leak, after it is logged at WARNING
     */
    public LeakDetector(String poolName, int samplingInterval, Consumer<LeakReport> listener) {
        if (samplingInterval < 0) {
            throw new IllegalArgumentException("samplingInterval must be 0 (off) or more, got " + samplingInterval);
        }
        this.poolName = poolName;
        this.samplingInterval = samplingInterval;
        this.listener = listener;
    }

    /** Tracks one borrow in {@code samplingInterval}, logging leaks only. */
    public static LeakDetector sampling(String poolName, int samplingInterval) {
        return new LeakDetector(poolName, samplingInterval, report -> { });
    }

    public static LeakDetector disabled(String poolName) {
        return sampling(poolName, 0);
    }

    /** Whether to track this borrow; allocation-free. */
    public boolean sample() {
        return samplingInterval == 1
                || (samplingInterval > 1 && ThreadLocalRandom.current().nextInt(samplingInterval) == 0);
    }

    /**
     * Starts watching {@code handle}: if it becomes unreachable before {@link Tracker#released()},
     * {@code afterLeak} runs and then the leak is reported (on the cleaner thread). Neither
     * {@code afterLeak} nor anything it captures may refer to {@code handle}.
     */
    public Tracker track(Object handle, Runnable afterLeak) {
        Throwable site = new Throwable("borrowed from pool '" + poolName + "' by thread '"
                + Thread.currentThread().getName() + "' here, never released");
        Tracker tracker = new Tracker(site, afterLeak);
        tracker.cleanable = CLEANER.register(handle, tracker);
        return tracker;
    }

    /** One tracked borrow. */
    public final class Tracker implements Runnable {
        private final Throwable borrowSite;
        private final Runnable afterLeak;
        private volatile boolean released;
        private Cleaner.Cleanable cleanable;

        private Tracker(Throwable borrowSite, Runnable afterLeak) {
            this.borrowSite = borrowSite;
            this.afterLeak = afterLeak;
        }

        /** The borrow ended properly: stop watching. */
        public void released() {
            released = true;
            cleanable.clean();
        }

        /** Runs once: on {@link #released()} (does nothing) or when the handle was collected. */
        @Override
        public void run() {
            if (released) {
                return;
            }
            afterLeak.run(); // first, so that whoever hears of the leak sees the pool already repaired
            LOG.log(Level.WARNING, "LEAK: an object of pool '" + poolName
                    + "' was garbage-collected without being released", borrowSite);
            listener.accept(new LeakReport(poolName, borrowSite));
        }
    }
}
