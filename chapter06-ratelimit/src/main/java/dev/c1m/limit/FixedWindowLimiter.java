package dev.c1m.limit;

import java.time.Duration;

/**
 * Fixed window counter: time is cut into consecutive windows of length {@code window}, starting
 * when the limiter is created; each window admits at most {@code limit} requests, and the count
 * starts again from zero at every window boundary.
 *
 * <p>Cheapest in memory (a counter and a window start) and simple to explain, but inaccurate at
 * the boundaries: {@code limit} requests at the very end of one window and {@code limit} more at
 * the start of the next are all admitted, so up to {@code 2 * limit} requests pass within a
 * span much shorter than one window (the "boundary burst", shown in its test). Use it where that
 * is acceptable, such as coarse quotas per minute or per day.
 *
 * <p><b>Threads.</b> Thread-safe: one short {@code synchronized} section per decision, no
 * allocation.
 */
public final class FixedWindowLimiter implements RateLimiter {

    private final NanoClock clock;
    private final int limit;
    private final long windowNanos;
    private long windowStart; // guarded by this
    private int count;        // guarded by this

    public FixedWindowLimiter(int limit, Duration window, NanoClock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.clock = clock;
        this.limit = limit;
        this.windowNanos = requirePositive(window);
        this.windowStart = clock.nanoTime();
    }

    @Override
    public synchronized boolean tryAcquire() {
        long now = clock.nanoTime();
        long elapsed = now - windowStart;
        if (elapsed >= windowNanos) {
            windowStart += elapsed - elapsed % windowNanos;
            count = 0;
        }
        if (count < limit) {
            count++;
            return true;
        }
        return false;
    }

    static long requirePositive(Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        return window.toNanos();
    }

    @Override
    public String toString() {
        return "FixedWindowLimiter[limit=" + limit + ", window=" + windowNanos + "ns]";
    }
}
