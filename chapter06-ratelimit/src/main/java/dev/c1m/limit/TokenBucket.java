package dev.c1m.limit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Token bucket: a bucket holds at most {@code burst} tokens and refills at a steady {@link Rate};
 * each request takes one token, and a request that finds the bucket empty is refused. It allows
 * bursts of up to {@code burst} requests after a quiet period and {@code rate} on average.
 *
 * <p><b>Implementation.</b> The bucket is kept as one number, the instant at which it will be
 * full again ({@code fullAt}), instead of a token count plus a last-refill time. With
 * {@code T = rate.nanosPerPermit()}, the missing credit at time {@code now} is
 * {@code max(0, fullAt - now)} nanoseconds, so the bucket holds
 * {@code (burst * T - missing) / T} tokens. Taking a token pushes {@code fullAt} forward by
 * {@code T}. This is the "generic cell rate algorithm" (GCRA) form of the token bucket: exact
 * integer arithmetic, no refill loop, and a single {@link AtomicLong}, so a decision is one
 * compare-and-set, lock-free and allocation-free.
 *
 * <p><b>Threads.</b> Thread-safe; share one instance for a global limit.
 *
 * <p>Not handled: taking several tokens at once, and waiting for a token (a caller that wants to
 * wait computes the delay itself; this class only answers yes or no).
 */
public final class TokenBucket implements RateLimiter {

    private final NanoClock clock;
    private final long nanosPerToken;
    /** A request is admitted while the missing credit stays at or below this. */
    private final long maxDeficitBeforeTake;
    private final int burst;
    private final AtomicLong fullAt;

    /** A full bucket of {@code burst} tokens refilling at {@code rate}. */
    public TokenBucket(Rate rate, int burst, NanoClock clock) {
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1: " + burst);
        }
        this.clock = clock;
        this.burst = burst;
        this.nanosPerToken = rate.nanosPerPermit();
        this.maxDeficitBeforeTake = Math.multiplyExact(nanosPerToken, (long) burst - 1);
        this.fullAt = new AtomicLong(clock.nanoTime());
    }

    @Override
    public boolean tryAcquire() {
        long now = clock.nanoTime();
        while (true) {
            long current = fullAt.get();
            long base = current - now > 0 ? current : now;
            if (base - now > maxDeficitBeforeTake) {
                return false;
            }
            if (fullAt.compareAndSet(current, base + nanosPerToken)) {
                return true;
            }
        }
    }

    /** Whole tokens in the bucket now; for observation and tests. */
    public int availableTokens() {
        long missing = Math.max(0, fullAt.get() - clock.nanoTime());
        return (int) ((nanosPerToken * burst - missing) / nanosPerToken);
    }

    @Override
    public String toString() {
        return "TokenBucket[burst=" + burst + ", nanosPerToken=" + nanosPerToken + "]";
    }
}
