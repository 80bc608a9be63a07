package dev.c1m.concurrency;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * At most {@code permits} callers inside a section at once: how to limit concurrency with virtual
 * threads. Start one virtual thread per task and let each take a permit around the scarce part
 * (a database call, a CPU-heavy step), instead of pooling virtual threads to get a limit. The Go
 * idiom is a buffered channel used as a semaphore.
 *
 * <p>Waiting is bounded: a caller that gets no permit within {@code maxWait} gets a
 * {@link TimeoutException} and can answer "busy" instead of queueing forever. Permits are not
 * fair-ordered (a fair semaphore costs throughput); waiting callers are parked, which for a
 * virtual thread costs no OS thread.
 *
 * <p>Thread-safe.
 */
public final class ConcurrencyLimit {

    private final Semaphore permits;
    private final Duration maxWait;

    public ConcurrencyLimit(int permits, Duration maxWait) {
        this.permits = new Semaphore(permits);
        this.maxWait = maxWait;
    }

    /** Runs {@code section} holding a permit, waiting at most {@code maxWait} for one. */
    public <T> T call(Callable<T> section) throws Exception {
        if (!permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("no permit within " + maxWait);
        }
        try {
            return section.call();
        } finally {
            permits.release();
        }
    }

    /** Permits free now. */
    public int available() {
        return permits.availablePermits();
    }
}
