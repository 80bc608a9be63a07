package dev.c1m.limit;

import java.time.Duration;

/**
 * A steady rate: {@code permits} per {@code period}, for example 100 per second. Limiters use it
 * as the whole-nanosecond interval between two permits ({@link #nanosPerPermit()}), so their
 * arithmetic is exact integer arithmetic with no floating-point drift.
 *
 * <p>Not handled: rates faster than one permit per nanosecond (refused by the constructor).
 */
public record Rate(long permits, Duration period) {

    public Rate {
        if (permits <= 0) {
            throw new IllegalArgumentException("permits must be positive: " + permits);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        if (period.toNanos() / permits == 0) {
            throw new IllegalArgumentException("rate faster than one permit per nanosecond: " + permits + " per " + period);
        }
    }

    public static Rate perSecond(long permits) {
        return new Rate(permits, Duration.ofSeconds(1));
    }

    /** The interval between two permits, rounded down to a whole nanosecond. */
    public long nanosPerPermit() {
        return period.toNanos() / permits;
    }

    @Override
    public String toString() {
        return permits + "/" + period;
    }
}
