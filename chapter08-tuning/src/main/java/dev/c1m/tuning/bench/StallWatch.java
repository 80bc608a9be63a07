package dev.c1m.tuning.bench;

import java.util.function.LongSupplier;

/**
 * A nanosecond clock that remembers the longest pause between two consecutive reads: handed to
 * {@link dev.c1m.tuning.LoadEngine}, which reads its clock at least once per loop and once per
 * ready key, it shows when the load generator itself was starved of CPU. A pause longer than the
 * connect timeout makes the engine count connections the kernel had already completed as
 * {@code CONNECT_TIMEOUT} (it expires pending connects before it reads the rest of the selector's
 * events), so a benchmark can flag such runs instead of reporting them as the server's fault.
 *
 * <p>Not thread-safe: read by the engine's single thread, inspected after the run.
 */
final class StallWatch implements LongSupplier {

    private final LongSupplier clock;
    private long last = Long.MIN_VALUE;
    private long longestGap;

    StallWatch(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public long getAsLong() {
        long now = clock.getAsLong();
        if (last != Long.MIN_VALUE) {
            longestGap = Math.max(longestGap, now - last);
        }
        last = now;
        return now;
    }

    /** The longest time between two reads so far; 0 before the second read. */
    long longestGapNanos() {
        return longestGap;
    }
}
