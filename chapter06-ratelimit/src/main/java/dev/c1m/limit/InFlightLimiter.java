package dev.c1m.limit;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the requests in flight at {@code maxInFlight}. A request that finds the cap reached waits,
 * in arrival order, for at most {@code maxWait}; at most {@code maxWaiting} requests wait at a
 * time, and one that finds the waiting line full is refused at once. So a caller learns its fate
 * in bounded time, and the line of waiters, with the memory and latency it stands for, is
 * bounded too (compare {@link NaiveInFlightLimiter}, whose line grows without bound).
 *
 * <p>This is Go's buffered channel used as a semaphore, plus the two bounds the bare channel
 * lacks. Each {@link Outcome#ADMITTED} must be followed by exactly one {@link #release()},
 * in a {@code finally} block.
 *
 * <p><b>Implementation.</b> A fair {@link Semaphore} holds the permits and the FIFO line;
 * {@code tryAcquire(0, NANOSECONDS)} is used for the first attempt because, unlike the untimed
 * {@code tryAcquire()}, it respects fairness and does not overtake the waiters. An
 * {@link AtomicInteger} bounds the line. Nothing is allocated on the fast path (a waiter gets one
 * queue node from the semaphore).
 *
 * <p><b>Threads.</b> Thread-safe. {@link #acquire()} blocks, so it belongs on a worker or virtual
 * thread, never on a reactor thread; a reactor uses {@link #tryAcquireNow()} instead.
 */
public final class InFlightLimiter {

    /** What {@link #acquire()} decided. */
    public enum Outcome {
        /** A permit was taken: call {@link #release()} when the request is done. */
        ADMITTED,
        /** The waiting line was full: refused without waiting. */
        REFUSED_LINE_FULL,
        /** Waited {@code maxWait} without a permit becoming free. */
        TIMED_OUT
    }

    private final int maxInFlight;
    private final int maxWaiting;
    private final long maxWaitNanos;
    private final Semaphore permits;
    /** Places taken in the waiting line; a caller takes one just before it queues on the semaphore. */
    private final AtomicInteger placesTaken = new AtomicInteger();

    public InFlightLimiter(int maxInFlight, int maxWaiting, Duration maxWait) {
        if (maxInFlight < 1 || maxWaiting < 0 || maxWait.isNegative()) {
            throw new IllegalArgumentException("need maxInFlight >= 1, maxWaiting >= 0, maxWait >= 0; got "
                    + maxInFlight + ", " + maxWaiting + ", " + maxWait);
        }
        this.maxInFlight = maxInFlight;
        this.maxWaiting = maxWaiting;
        this.maxWaitNanos = maxWait.toNanos();
        this.permits = new Semaphore(maxInFlight, true);
    }

    /** Takes a permit, waiting for at most {@code maxWait} if none is free and the line has room. */
    public Outcome acquire() throws InterruptedException {
        if (permits.tryAcquire(0, TimeUnit.NANOSECONDS)) {
            return Outcome.ADMITTED;
        }
        if (placesTaken.incrementAndGet() > maxWaiting) {
            placesTaken.decrementAndGet();
            return Outcome.REFUSED_LINE_FULL;
        }
        try {
            return permits.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS) ? Outcome.ADMITTED : Outcome.TIMED_OUT;
        } finally {
            placesTaken.decrementAndGet();
        }
    }

    /** Takes a permit only if one is free now and nobody waits for it; never blocks. */
    public boolean tryAcquireNow() {
        try {
            return permits.tryAcquire(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Returns the permit of a request that was {@link Outcome#ADMITTED}. */
    public void release() {
        permits.release();
    }

    public int inFlight() {
        return maxInFlight - permits.availablePermits();
    }

    /**
     * Threads queued for a permit now (from the semaphore's queue, so a thread counts once it is
     * really waiting, not while it is still on its way into the line).
     */
    public int waiting() {
        return permits.getQueueLength();
    }
}
