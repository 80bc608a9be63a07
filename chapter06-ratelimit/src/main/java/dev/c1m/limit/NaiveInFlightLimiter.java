package dev.c1m.limit;

import java.util.concurrent.Semaphore;

/**
 * THE MISTAKE, kept for comparison with {@link InFlightLimiter}: a semaphore whose callers wait
 * as long as it takes. It does cap the work in flight, but under overload every excess request
 * joins an unbounded line: memory grows with the line, each waiter's latency grows with it, and
 * clients that gave up long ago are still served when their turn comes, which is wasted work at
 * the worst moment. A bare Go buffered channel used as a semaphore behaves the same way.
 *
 * <p>Thread-safe. Do not copy this class; its test shows the line growing without limit.
 */
public final class NaiveInFlightLimiter {

    private final Semaphore permits;

    public NaiveInFlightLimiter(int maxInFlight) {
        this.permits = new Semaphore(maxInFlight, true);
    }

    /** Waits, without any bound, for a permit. */
    public void acquire() throws InterruptedException {
        permits.acquire();
    }

    public void release() {
        permits.release();
    }

    /** Threads waiting for a permit (an estimate, as {@link Semaphore#getQueueLength()} says). */
    public int waiting() {
        return permits.getQueueLength();
    }
}
