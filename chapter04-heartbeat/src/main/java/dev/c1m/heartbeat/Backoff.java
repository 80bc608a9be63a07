package dev.c1m.heartbeat;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential growth with "full jitter" (each delay uniform in
 * {@code [0, min(cap, base * 2^attempt)]}), a cap on the delay and on the number of attempts,
 * and a reset after a success.
 *
 * <p>Why jitter: when a server restarts, every client loses its connection at the same instant.
 * Without jitter they all retry at base, 2 base, 4 base... together, and each retry is a
 * synchronized storm of connects that can knock the fresh server over again
 * ({@link NaiveBackoff} shows it). Full jitter spreads each wave over its whole interval; the
 * AWS Architecture Blog's "Exponential Backoff and Jitter" (Marc Brooker, 2015) measured it as
 * the variant with the least total work.
 *
 * <p>Owned by the reconnecting thread; not thread-safe. The random source is injected so tests
 * use a seeded one. Not handled: sleeping (the caller waits for the returned delay).
 */
public final class Backoff {

    private final long baseNanos;
    private final long capNanos;
    private final int maxAttempts;
    private final RandomGenerator random;
    private int attempts;

    /**
     * @param base        the first delay's upper bound
     * @param cap         no delay is longer than this
     * @param maxAttempts how many delays may be taken before {@link #hasAttemptsLeft()} says no;
     *                    {@link Integer#MAX_VALUE} for no limit
     */
    public Backoff(Duration base, Duration cap, int maxAttempts, RandomGenerator random) {
        if (base.toNanos() <= 0 || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= cap: " + base + ", " + cap);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be positive: " + maxAttempts);
        }
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
        this.maxAttempts = maxAttempts;
        this.random = random;
    }

    public boolean hasAttemptsLeft() {
        return attempts < maxAttempts;
    }

    /**
     * The delay before the next attempt, drawn uniformly from {@code [0, ceiling(attempts)]}.
     *
     * @throws IllegalStateException once the attempts are used up
     */
    public Duration nextDelay() {
        if (!hasAttemptsLeft()) {
            throw new IllegalStateException("no attempts left after " + attempts);
        }
        long ceiling = ceilingNanos(attempts++);
        return Duration.ofNanos(random.nextLong(ceiling + 1));
    }

    /** The envelope: the largest delay attempt number {@code attempt} (from 0) may draw. */
    public long ceilingNanos(int attempt) {
        if (attempt >= 62 || baseNanos > capNanos >> attempt) {
            return capNanos;
        }
        return Math.min(capNanos, baseNanos << attempt);
    }

    /** After a successful connection: the next failure starts again from {@code base}. */
    public void reset() {
        attempts = 0;
    }

    /** Delays taken since the last reset. */
    public int attempts() {
        return attempts;
    }
}
