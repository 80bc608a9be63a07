package dev.c1m.heartbeat;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes connections that had no traffic for the idle timeout, with one timer entry per
 * connection and no timer operation per message.
 *
 * <p>The rule, as production idle handlers apply it (Netty's {@code IdleStateHandler}): each
 * connection records the time of its last activity ({@link IdleTracker#recordActivity}, a plain
 * store). Its entry in the wheel is armed once for {@code lastActivity + timeout}. When the entry
 * expires, the detector looks at the recorded time: if there was activity since, it re-arms for
 * the remainder ({@code lastActivity + timeout}, which is in the future); if not, the connection
 * has been idle for the whole timeout and goes to the {@link IdleListener}, with a logged reason.
 * A busy connection thus costs one re-arm per timeout period, whatever its message rate, and a
 * silent one is closed no earlier than T after its last byte and no later than T plus one tick.
 *
 * <p>With a {@link SelfProtection}, idle connections are not evicted at once: they are collected
 * for one window, and the whole window's batch is judged together, so that a partition that
 * silences most peers at once evicts none of them (instead of the first share of them, as a
 * per-connection decision would). Eviction is then up to one window later.
 *
 * <p>Threads: every method except {@link IdleTracker#recordActivity} runs on the wheel's thread
 * (a reactor thread, or a {@link WheelTimer}'s thread through {@code execute}), and so does the
 * listener. {@link #newTracker} only builds the object and may run anywhere. Not handled: write
 * timeouts (a peer that stops reading is a different failure, for chapter 5's watermarks) and
 * closing the connection itself, which is the listener's job.
 */
public final class IdleDetector<C> {

    private static final System.Logger LOG = System.getLogger(IdleDetector.class.getName());

    private final TimingWheel wheel;
    private final long timeoutNanos;
    private final IdleListener<C> listener;
    private final SelfProtection protection;
    private final long windowNanos;
    private final List<IdleTracker<C>> pendingEviction = new ArrayList<>();
    private final TimerEntry windowEnd = new TimerEntry() {
        @Override
        protected void onExpiry(long nowNanos) {
            judgePendingEvictions(nowNanos);
        }
    };
    private int tracked;
    private long evicted;
    private long rearmed;

    /** A detector that evicts each idle connection as soon as it is found. */
    public IdleDetector(TimingWheel wheel, Duration timeout, IdleListener<C> listener) {
        this(wheel, timeout, listener, null, Duration.ZERO);
    }

    /**
     * A detector that judges idle connections in batches of one {@code window} through
     * {@code protection} ({@code null} for none).
     */
    public IdleDetector(TimingWheel wheel, Duration timeout, IdleListener<C> listener,
                        SelfProtection protection, Duration window) {
        if (timeout.toNanos() <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (protection != null && window.toNanos() <= 0) {
            throw new IllegalArgumentException("window must be positive with self-protection: " + window);
        }
        this.wheel = wheel;
        this.timeoutNanos = timeout.toNanos();
        this.listener = listener;
        this.protection = protection;
        this.windowNanos = window.toNanos();
    }

    /** A tracker for {@code connection}, active as of {@code nowNanos}; not watched until {@link #start}. Any thread. */
    public IdleTracker<C> newTracker(C connection, long nowNanos) {
        return new IdleTracker<>(connection, this, nowNanos);
    }

    /** Starts watching a new tracker: its deadline is its last activity plus the timeout. */
    public void start(IdleTracker<C> tracker) {
        if (tracker.state != IdleTracker.State.NEW) {
            throw new IllegalStateException("tracker already started: " + tracker.state);
        }
        tracker.state = IdleTracker.State.WATCHED;
        tracked++;
        wheel.schedule(tracker, tracker.lastActivityNanos() + timeoutNanos);
    }

    /** {@link #newTracker} and {@link #start} in one, for a reactor that accepts on the wheel's thread. */
    public IdleTracker<C> track(C connection, long nowNanos) {
        IdleTracker<C> tracker = newTracker(connection, nowNanos);
        start(tracker);
        return tracker;
    }

    /** Stops watching: the connection ended by itself. Idempotent; a no-op after eviction. */
    public void stop(IdleTracker<C> tracker) {
        switch (tracker.state) {
            case NEW -> tracker.state = IdleTracker.State.STOPPED;
            case WATCHED, PENDING_EVICTION -> {
                wheel.cancel(tracker);
                tracker.state = IdleTracker.State.STOPPED;
                tracked--;
            }
            case EVICTED, STOPPED -> { }
        }
    }

    /** Connections watched now, including those awaiting a verdict. */
    public int trackedCount() {
        return tracked;
    }

    /** Connections handed to the listener since creation. */
    public long evictedCount() {
        return evicted;
    }

    /** Deadlines that found recent activity and were pushed back. */
    public long rearmedCount() {
        return rearmed;
    }

    void deadlineReached(IdleTracker<C> tracker, long nowNanos) {
        long lastActivity = tracker.lastActivityNanos();
        long idleNanos = nowNanos - lastActivity;
        if (idleNanos < timeoutNanos) {
            rearmed++;
            wheel.schedule(tracker, lastActivity + timeoutNanos);
        } else if (protection == null) {
            evict(tracker, idleNanos);
        } else {
            tracker.state = IdleTracker.State.PENDING_EVICTION;
            pendingEviction.add(tracker);
            if (!windowEnd.isScheduled()) {
                wheel.schedule(windowEnd, nowNanos + windowNanos);
            }
        }
    }

    private void judgePendingEvictions(long nowNanos) {
        List<IdleTracker<C>> stillIdle = new ArrayList<>();
        for (IdleTracker<C> tracker : pendingEviction) {
            if (tracker.state != IdleTracker.State.PENDING_EVICTION) {
                continue;
            }
            if (nowNanos - tracker.lastActivityNanos() < timeoutNanos) {
                watchAgain(tracker, tracker.lastActivityNanos() + timeoutNanos);
            } else {
                stillIdle.add(tracker);
            }
        }
        pendingEviction.clear();
        if (protection.allowsEviction(nowNanos, stillIdle.size(), tracked)) {
            stillIdle.forEach(tracker -> evict(tracker, nowNanos - tracker.lastActivityNanos()));
        } else {
            for (IdleTracker<C> tracker : stillIdle) {
                watchAgain(tracker, nowNanos + timeoutNanos);
                spare(tracker, nowNanos - tracker.lastActivityNanos());
            }
        }
    }

    private void spare(IdleTracker<C> tracker, long idleNanos) {
        try {
            listener.onSpared(tracker.connection(), idleNanos);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "idle listener failed for " + tracker.connection(), e);
        }
    }

    private void watchAgain(IdleTracker<C> tracker, long deadlineNanos) {
        tracker.state = IdleTracker.State.WATCHED;
        rearmed++;
        wheel.schedule(tracker, deadlineNanos);
    }

    private void evict(IdleTracker<C> tracker, long idleNanos) {
        tracker.state = IdleTracker.State.EVICTED;
        tracked--;
        evicted++;
        LOG.log(Level.INFO, "closing idle connection {0}: no traffic for {1} ms (limit {2} ms)",
                tracker.connection(), idleNanos / 1_000_000, timeoutNanos / 1_000_000);
        try {
            listener.onIdle(tracker.connection(), idleNanos);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "idle listener failed for " + tracker.connection(), e);
        }
    }
}
