package dev.c1m.echo;

import java.time.Duration;

/**
 * How long an accept loop waits after {@code accept()} fails before it tries again.
 *
 * <p>{@code accept()} fails for reasons that retrying at once cannot fix: the most common is
 * EMFILE ("Too many open files"), where the pending connection stays in the kernel's backlog and
 * every retry fails again immediately. A loop that retries without pausing burns a core and
 * floods the log until descriptors free up. This policy doubles the pause after each consecutive
 * failure, from {@code initial} up to {@code max}, and starts again from {@code initial} after a
 * successful accept. Go's {@code net/http} server does the same (5 ms doubling to 1 s).
 *
 * <p>Owned by the accept loop's thread. A blocking accept loop sleeps through
 * {@link #pauseAfterFailure()}; a selector loop, which must keep serving, takes
 * {@link #nextPause()} and stops watching its listener until then. The {@link Sleeper} is
 * injectable so that tests can record the pauses instead of waiting for them.
 */
public final class AcceptBackoff {

    /** Pauses the calling thread. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Duration initial;
    private final Duration max;
    private final Sleeper sleeper;
    private Duration next;

    public AcceptBackoff(Duration initial, Duration max, Sleeper sleeper) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initial = initial;
        this.max = max;
        this.sleeper = sleeper;
        this.next = initial;
    }

    /** 5 ms doubling up to 1 s, sleeping for real. */
    public static AcceptBackoff standard() {
        return new AcceptBackoff(Duration.ofMillis(5), Duration.ofSeconds(1),
                duration -> Thread.sleep(duration));
    }

    /** Waits for the current pause and doubles the next one; returns the pause it waited. */
    public Duration pauseAfterFailure() throws InterruptedException {
        Duration pause = nextPause();
        sleeper.sleep(pause);
        return pause;
    }

    /**
     * The current pause, without waiting for it, and doubles the next one: for a loop that must
     * not sleep (a selector thread stops watching its listener until then instead).
     */
    public Duration nextPause() {
        Duration pause = next;
        next = pause.multipliedBy(2).compareTo(max) > 0 ? max : pause.multipliedBy(2);
        return pause;
    }

    /** After a successful accept: the next failure pauses for {@code initial} again. */
    public void reset() {
        next = initial;
    }
}
