package dev.c1m.heartbeat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One connection's idle-detection state: when it last saw traffic, and its timer entry in the
 * {@link IdleDetector}'s wheel, in one object.
 *
 * <p>The connection calls {@link #recordActivity} on every read, from its own thread. That is a
 * single release-store of a {@code long} (a plain {@code mov} on x86): no timer is touched per
 * message. The detector, on the wheel's thread, reads the value when the entry expires.
 *
 * <p>Size: 56 bytes (the 32 of a {@link TimerEntry}, the last activity, the connection, the
 * detector and the state), measured by {@code WheelVersusSchedulerBenchmark}.
 *
 * <p>States, all changed on the wheel's thread by the detector:
 * <pre>
 * NEW -&gt; WATCHED                 start()
 * WATCHED -&gt; WATCHED             deadline reached with recent activity: re-armed for the remainder
 * WATCHED -&gt; PENDING_EVICTION    deadline reached idle, with self-protection: waits for the window's verdict
 * PENDING_EVICTION -&gt; WATCHED    activity in the meantime, or self-protection engaged
 * WATCHED | PENDING_EVICTION -&gt; EVICTED   idle for the whole timeout; the listener closes it
 * NEW | WATCHED | PENDING_EVICTION -&gt; STOPPED   stop(): the connection ended by itself
 * </pre>
 *
 * @param <C> the connection type (a socket, a reactor's connection object)
 */
public final class IdleTracker<C> extends TimerEntry {

    enum State { NEW, WATCHED, PENDING_EVICTION, EVICTED, STOPPED }

    private static final VarHandle LAST_ACTIVITY;

    static {
        try {
            LAST_ACTIVITY = MethodHandles.lookup().findVarHandle(IdleTracker.class, "lastActivityNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final C connection;
    private final IdleDetector<C> detector;
    @SuppressWarnings("unused") // accessed through LAST_ACTIVITY
    private long lastActivityNanos;
    State state = State.NEW;

    IdleTracker(C connection, IdleDetector<C> detector, long nowNanos) {
        this.connection = connection;
        this.detector = detector;
        LAST_ACTIVITY.setRelease(this, nowNanos);
    }

    /** Notes traffic at {@code nowNanos}. Any thread; costs one ordered store, no timer operation. */
    public void recordActivity(long nowNanos) {
        LAST_ACTIVITY.setRelease(this, nowNanos);
    }

    /** When traffic was last recorded. */
    public long lastActivityNanos() {
        return (long) LAST_ACTIVITY.getAcquire(this);
    }

    /**
     * Stops watching: the connection ended by itself. The same as {@link IdleDetector#stop} on the
     * detector that made this tracker, for an owner that no longer knows which one that was (a
     * reloaded timeout gives new connections a new detector). Wheel's thread; idempotent.
     */
    public void stopWatching() {
        detector.stop(this);
    }

    public C connection() {
        return connection;
    }

    @Override
    protected void onExpiry(long nowNanos) {
        detector.deadlineReached(this, nowNanos);
    }
}
