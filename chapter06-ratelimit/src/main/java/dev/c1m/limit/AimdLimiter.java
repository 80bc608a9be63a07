package dev.c1m.limit;

import java.time.Duration;

/**
 * An in-flight cap that finds its own value from observed latency, with additive increase and
 * multiplicative decrease (AIMD, the rule TCP congestion control uses for its window): every
 * request that completes within {@code latencyTarget} while the limit is actually in use raises
 * the limit by one; every request slower than the target, or dropped (timed out, refused
 * downstream), multiplies it by {@code backoffRatio}. The limit stays within
 * {@code [minLimit, maxLimit]}.
 *
 * <p>Why it works: while the server has spare capacity, latency stays flat and the limit creeps
 * up; once requests start queueing inside the server (or its downstream), latency rises above
 * the target and the limit drops quickly, shedding the excess at the door instead of letting
 * every admitted request get slow. The only hand-set number is the latency the service promises,
 * not its capacity, which changes with hardware, load mix and the health of dependencies.
 *
 * <p>The limit grows only while at least half of it is in flight: a server at 10 requests in
 * flight says nothing about whether 500 would be fine, so an idle period must not inflate the
 * limit (Netflix's concurrency-limits applies the same "app-limited" rule).
 *
 * <p>One decrease per round-trip: after a decrease, the requests that were already in flight
 * were admitted under the old, too high limit, so their slow completions say nothing new; they
 * are counted off without decreasing again (TCP reduces its window once per round-trip for the
 * same reason). Without this rule one burst of slow responses would collapse the limit to its
 * minimum.
 *
 * <p>Usage: {@link #tryAcquire()}; if true, run the request, measure its latency and report it
 * with {@link #onSuccess(long)} or {@link #onDropped()}, exactly once, in a {@code finally}.
 *
 * <p><b>Threads.</b> Thread-safe: one short {@code synchronized} section per call, no allocation.
 * Not handled: completions are not matched to admissions, so "in flight at the last decrease" is
 * a count, not a set (close enough when latencies are similar); a latency target that is too
 * tight keeps the limit at {@code minLimit}.
 */
public final class AimdLimiter {

    private final int minLimit;
    private final int maxLimit;
    private final long latencyTargetNanos;
    private final double backoffRatio;
    private int limit;    // guarded by this
    private int inFlight; // guarded by this
    /** Completions still to come from requests in flight at the last decrease. Guarded by this. */
    private int admittedBeforeDecrease;

    public AimdLimiter(int initialLimit, int minLimit, int maxLimit, Duration latencyTarget, double backoffRatio) {
        if (minLimit < 1 || minLimit > initialLimit || initialLimit > maxLimit) {
            throw new IllegalArgumentException("need 1 <= minLimit <= initialLimit <= maxLimit; got "
                    + minLimit + ", " + initialLimit + ", " + maxLimit);
        }
        if (!(backoffRatio > 0 && backoffRatio < 1)) {
            throw new IllegalArgumentException("backoffRatio must be in (0, 1): " + backoffRatio);
        }
        this.limit = initialLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.latencyTargetNanos = FixedWindowLimiter.requirePositive(latencyTarget);
        this.backoffRatio = backoffRatio;
    }

    /** Admits a request if fewer than {@link #limit()} are in flight; never blocks. */
    public synchronized boolean tryAcquire() {
        if (inFlight >= limit) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** An admitted request completed after {@code latencyNanos}. */
    public synchronized void onSuccess(long latencyNanos) {
        int inFlightBefore = inFlight;
        boolean admittedBeforeLastDecrease = release();
        if (latencyNanos > latencyTargetNanos) {
            if (!admittedBeforeLastDecrease) {
                decrease();
            }
        } else if (inFlightBefore * 2 >= limit) {
            limit = Math.min(maxLimit, limit + 1);
        }
    }

    /** An admitted request failed in a way that signals overload (timeout, refusal downstream). */
    public synchronized void onDropped() {
        if (!release()) {
            decrease();
        }
    }

    /** Counts one completion off; true if it belongs to a request admitted before the last decrease. */
    private boolean release() {
        if (inFlight == 0) {
            throw new IllegalStateException("completion reported without a matching tryAcquire");
        }
        inFlight--;
        if (admittedBeforeDecrease > 0) {
            admittedBeforeDecrease--;
            return true;
        }
        return false;
    }

    private void decrease() {
        limit = Math.max(minLimit, (int) (limit * backoffRatio));
        admittedBeforeDecrease = inFlight;
    }

    public synchronized int limit() {
        return limit;
    }

    public synchronized int inFlight() {
        return inFlight;
    }
}
