package dev.c1m.limit;

import java.time.Duration;

/**
 * Sliding window log: remembers the admission time of each of the last {@code limit} admitted
 * requests and admits a new one only if fewer than {@code limit} of them lie within the last
 * {@code window}. Exact: no span of length {@code window} ever holds more than {@code limit}
 * admissions, with no boundary burst.
 *
 * <p>The price is memory proportional to the limit: a ring of {@code limit} timestamps (8 bytes
 * each), allocated once up front, so a decision allocates nothing. Fine for a global limit or
 * small per-key limits; too heavy for a limit of thousands per key over many keys, where
 * {@link SlidingWindowCounterLimiter} approximates it in constant memory.
 *
 * <p><b>Threads.</b> Thread-safe: one short {@code synchronized} section per decision.
 */
public final class SlidingWindowLogLimiter implements RateLimiter {

    private final NanoClock clock;
    private final long windowNanos;
    /** Admission times, oldest at {@code oldest}; a ring of {@code limit} slots. Guarded by this. */
    private final long[] admittedAt;
    private int oldest; // guarded by this
    private int size;   // guarded by this

    public SlidingWindowLogLimiter(int limit, Duration window, NanoClock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.clock = clock;
        this.windowNanos = FixedWindowLimiter.requirePositive(window);
        this.admittedAt = new long[limit];
    }

    @Override
    public synchronized boolean tryAcquire() {
        long now = clock.nanoTime();
        while (size > 0 && now - admittedAt[oldest] >= windowNanos) {
            oldest = (oldest + 1) % admittedAt.length;
            size--;
        }
        if (size == admittedAt.length) {
            return false;
        }
        admittedAt[(oldest + size) % admittedAt.length] = now;
        size++;
        return true;
    }

    @Override
    public String toString() {
        return "SlidingWindowLogLimiter[limit=" + admittedAt.length + ", window=" + windowNanos + "ns]";
    }
}
