package dev.c1m.limit;

import java.time.Duration;

/**
 * Sliding window counter: keeps the counts of the current and the previous fixed window and
 * estimates the number of requests in the sliding window ending now as
 * {@code previous * (unelapsed fraction of the current window) + current}, admitting a request
 * while that estimate, including it, stays at or below {@code limit}.
 *
 * <p>Constant memory (two counters), like {@link FixedWindowLimiter}, without its boundary
 * burst: right after a boundary the previous window still weighs fully, and new requests are
 * admitted only as fast as its weight decays. It is an approximation that assumes the previous
 * window's requests were spread evenly. If they were bunched at its start it admits fewer than
 * the exact log would; if they were bunched at its end, a sliding window can hold up to
 * {@code limit + previous * f} admissions at fraction {@code f} into the current window, which
 * stays below {@code 2 * limit} and, unlike the fixed window, does not arrive as one burst.
 *
 * <p><b>Threads.</b> Thread-safe: one short {@code synchronized} section per decision, no
 * allocation. The comparison is done in integers, scaled by the window length in nanoseconds:
 * {@code limit * windowNanos} must fit in a long (checked by the constructor).
 */
public final class SlidingWindowCounterLimiter implements RateLimiter {

    private final NanoClock clock;
    private final long windowNanos;
    private final long scaledLimit;
    private long currentStart; // guarded by this
    private long previous;     // guarded by this
    private long current;      // guarded by this

    public SlidingWindowCounterLimiter(int limit, Duration window, NanoClock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.clock = clock;
        this.windowNanos = FixedWindowLimiter.requirePositive(window);
        this.scaledLimit = Math.multiplyExact(limit, windowNanos);
        this.currentStart = clock.nanoTime();
    }

    @Override
    public synchronized boolean tryAcquire() {
        long now = clock.nanoTime();
        roll(now);
        long intoCurrent = now - currentStart;
        long weighted = previous * (windowNanos - intoCurrent) + (current + 1) * windowNanos;
        if (weighted > scaledLimit) {
            return false;
        }
        current++;
        return true;
    }

    private void roll(long now) {
        long windowsPassed = (now - currentStart) / windowNanos;
        if (windowsPassed == 0) {
            return;
        }
        previous = windowsPassed == 1 ? current : 0;
        current = 0;
        currentStart += windowsPassed * windowNanos;
    }

    @Override
    public String toString() {
        return "SlidingWindowCounterLimiter[limit=" + scaledLimit / windowNanos + ", window=" + windowNanos + "ns]";
    }
}
