package dev.c1m.tuning;

import java.util.function.LongSupplier;

/**
 * Spreads connection attempts evenly at a fixed rate per second: after {@code t} seconds it has
 * granted {@code rate * t} attempts in all, never more, and never more than one second's worth at
 * once after a pause (so a stalled loop does not fire a burst that overflows the server's accept
 * queue). A rate of 0 means unlimited.
 *
 * <p>Not thread-safe; owned by the load generator's selector thread. Time comes from the
 * injected nano clock.
 */
public final class ConnectPacer {

    private final int ratePerSecond;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long granted;

    public ConnectPacer(int ratePerSecond, LongSupplier nanoClock) {
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("rate must be >= 0, got " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /** How many attempts may start now, at most {@code wanted}; the caller is assumed to use them all. */
    public int take(int wanted) {
        if (wanted <= 0) {
            return 0;
        }
        if (ratePerSecond == 0) {
            granted += wanted;
            return wanted;
        }
        long elapsed = nanoClock.getAsLong() - startNanos;
        // whole seconds and the rest apart: elapsed * rate overflows a long after 15 minutes at 10M/s
        long due = elapsed / 1_000_000_000L * ratePerSecond + elapsed % 1_000_000_000L * ratePerSecond / 1_000_000_000L;
        long available = Math.min(due - granted, ratePerSecond);
        if (available < due - granted) {
            granted = due - available; // forget what a pause left behind, beyond one second's worth
        }
        int now = (int) Math.max(0, Math.min(available, wanted));
        granted += now;
        return now;
    }
}
