package dev.c1m.limit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link NanoClock} that moves only when a test advances it. It starts 5 s before
 * {@code Long.MAX_VALUE}, so that a test which advances it further crosses the wrap-around of
 * {@code nanoTime}, where a limiter that compares times with {@code <} instead of a subtraction fails.
 */
final class ManualClock implements NanoClock {

    private final AtomicLong now = new AtomicLong(Long.MAX_VALUE - Duration.ofSeconds(5).toNanos());

    @Override
    public long nanoTime() {
        return now.get();
    }

    void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    void advanceMillis(long millis) {
        advance(Duration.ofMillis(millis));
    }
}
