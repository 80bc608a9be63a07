package dev.c1m.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * Circuit breaker around a downstream call (a database, another service) made by a request
 * handler: when too many recent calls fail, stop calling for a while and fail fast instead,
 * which protects both the downstream (it gets room to recover) and this server (its threads and
 * in-flight slots are not tied up waiting for a dead dependency).
 *
 * <p><b>States and transitions</b> (each reported to the {@link Listener}, after the change):
 * <pre>
 *   CLOSED    --failure rate &gt;= threshold over the last windowSize calls
 *               (once at least minimumCalls are recorded)------------&gt; OPEN
 *   OPEN      --openDuration elapsed, seen by the next tryAcquire------&gt; HALF_OPEN
 *   HALF_OPEN --all halfOpenProbes probes succeeded---------------------&gt; CLOSED
 *   HALF_OPEN --any probe failed-----------------------------------------&gt; OPEN (for openDuration again)
 * </pre>
 * No other transition exists: CLOSED never goes to HALF_OPEN, OPEN never closes directly.
 * In CLOSED every call is permitted; in OPEN none; in HALF_OPEN only {@code halfOpenProbes}
 * calls in total, the others are refused until the probes decide.
 *
 * <p><b>Permits.</b> {@link #tryAcquire()} returns a permit number (or {@link #NOT_PERMITTED}),
 * and the caller reports the outcome with that number. The number identifies the state period
 * the call was admitted in, so a result that arrives after a transition (a slow call admitted
 * while CLOSED that fails after the breaker opened, or succeeds while the probes run) is ignored
 * instead of being counted in the wrong state; in particular a late success can never close an
 * open breaker.
 *
 * <p><b>Threads.</b> Thread-safe: one {@code synchronized} section per call, no allocation (the
 * window is a preallocated ring). The listener runs on the thread that caused the transition,
 * while the lock is held: keep it short (count, log) and do not call back into the breaker.
 *
 * <p>Every permit must be answered, in a {@code finally}: a probe whose outcome is never reported
 * keeps the breaker HALF_OPEN, refusing everything (a production breaker adds a maximum time in
 * HALF_OPEN; left as an exercise).
 *
 * <p>Not handled: slow calls counted as failures (report them with {@link #onFailure} if the
 * caller times them out), time-based windows, and the fallback itself (the caller decides what to
 * answer when refused, for example {@code error: downstream unavailable}).
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    /** Observes every state transition. */
    @FunctionalInterface
    public interface Listener {
        void onTransition(State from, State to);
    }

    /**
     * @param windowSize           how many recent calls the failure rate is computed over
     * @param minimumCalls         no opening before this many calls are recorded (1..windowSize)
     * @param failureRateThreshold open when failures / recorded calls reaches this (0 &lt; x &lt;= 1)
     * @param openDuration         how long to refuse before probing
     * @param halfOpenProbes       calls let through to probe; all must succeed to close
     */
    public record Settings(int windowSize, int minimumCalls, double failureRateThreshold, Duration openDuration,
                           int halfOpenProbes) {
        public Settings {
            if (windowSize < 1 || minimumCalls < 1 || minimumCalls > windowSize || halfOpenProbes < 1) {
                throw new IllegalArgumentException("need windowSize >= 1, 1 <= minimumCalls <= windowSize, "
                        + "halfOpenProbes >= 1");
            }
            if (!(failureRateThreshold > 0 && failureRateThreshold <= 1)) {
                throw new IllegalArgumentException("failureRateThreshold must be in (0, 1]: " + failureRateThreshold);
            }
            FixedWindowLimiter.requirePositive(openDuration);
        }
    }

    /** Returned by {@link #tryAcquire()} when the call must not be made. */
    public static final long NOT_PERMITTED = -1;

    private final Settings settings;
    private final NanoClock clock;
    private final Listener listener;
    private final long openNanos;
    /** Outcomes of the last calls in CLOSED, true = failure; a ring. Guarded by this. */
    private final boolean[] failedRing;
    private int ringNext;      // guarded by this
    private int recorded;      // guarded by this
    private int failures;      // guarded by this
    private State state = State.CLOSED; // guarded by this
    /** Increments on every transition; permits carry it. Guarded by this. */
    private long period;
    private long openedAt;     // guarded by this
    private int probesIssued;  // guarded by this
    private int probesSucceeded; // guarded by this

    public CircuitBreaker(Settings settings, NanoClock clock, Listener listener) {
        this.settings = settings;
        this.clock = clock;
        this.listener = Objects.requireNonNull(listener);
        this.openNanos = settings.openDuration().toNanos();
        this.failedRing = new boolean[settings.windowSize()];
    }

    /** A permit for one call, to be passed to {@link #onSuccess} or {@link #onFailure}; or {@link #NOT_PERMITTED}. */
    public synchronized long tryAcquire() {
        if (state == State.OPEN && clock.nanoTime() - openedAt >= openNanos) {
            transition(State.HALF_OPEN);
        }
        switch (state) {
            case CLOSED -> {
                return period;
            }
            case HALF_OPEN -> {
                if (probesIssued < settings.halfOpenProbes()) {
                    probesIssued++;
                    return period;
                }
                return NOT_PERMITTED;
            }
            default -> {
                return NOT_PERMITTED;
            }
        }
    }

    public synchronized void onSuccess(long permit) {
        if (permit != period) {
            return; // admitted in an earlier state period: stale
        }
        if (state == State.CLOSED) {
            record(false);
        } else if (state == State.HALF_OPEN && ++probesSucceeded == settings.halfOpenProbes()) {
            transition(State.CLOSED);
        }
    }

    public synchronized void onFailure(long permit) {
        if (permit != period) {
            return;
        }
        if (state == State.CLOSED) {
            record(true);
            if (recorded >= settings.minimumCalls() && failures >= settings.failureRateThreshold() * recorded) {
                transition(State.OPEN);
            }
        } else if (state == State.HALF_OPEN) {
            transition(State.OPEN);
        }
    }

    private void record(boolean failed) {
        if (recorded == failedRing.length) {
            if (failedRing[ringNext]) {
                failures--;
            }
        } else {
            recorded++;
        }
        failedRing[ringNext] = failed;
        if (failed) {
            failures++;
        }
        ringNext = (ringNext + 1) % failedRing.length;
    }

    private void transition(State to) {
        State from = state;
        assert isLegal(from, to) : from + " -> " + to;
        state = to;
        period++;
        switch (to) {
            case OPEN -> openedAt = clock.nanoTime();
            case HALF_OPEN -> {
                probesIssued = 0;
                probesSucceeded = 0;
            }
            case CLOSED -> {
                ringNext = 0;
                recorded = 0;
                failures = 0;
            }
        }
        listener.onTransition(from, to);
    }

    private static boolean isLegal(State from, State to) {
        return switch (from) {
            case CLOSED -> to == State.OPEN;
            case OPEN -> to == State.HALF_OPEN;
            case HALF_OPEN -> to == State.CLOSED || to == State.OPEN;
        };
    }

    /** The state as of the last call; an OPEN breaker whose duration has elapsed turns HALF_OPEN on the next {@link #tryAcquire()}. */
    public synchronized State state() {
        return state;
    }
}
