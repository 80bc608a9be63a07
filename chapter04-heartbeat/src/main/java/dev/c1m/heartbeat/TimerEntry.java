package dev.c1m.heartbeat;

/**
 * One pending timeout in a {@link TimingWheel}: a node of the doubly linked list that is the
 * wheel's bucket, plus its deadline.
 *
 * <p>Extend it to make the timeout and the state it guards one object: {@link IdleTracker} is a
 * connection's activity state and its timer entry at once, so a million connections cost a
 * million of these and no separate task objects. An entry is scheduled at most once at a time;
 * scheduling it again moves it, without allocating. {@link TimingWheel#schedule(Runnable, long, long)}
 * wraps a plain {@link Runnable} for callers that do not want to subclass.
 *
 * <p>Size: 12 bytes of object header, an 8-byte deadline, two 4-byte links (compressed oops) and a
 * 4-byte bucket index: 32 bytes, the JVM's smallest size for this shape. Subclass fields come on
 * top. Owned by the wheel's thread, like the wheel itself: every field is read and written only
 * there.
 */
public abstract class TimerEntry {

    static final int NOT_SCHEDULED = -1;

    long deadlineNanos;
    TimerEntry prev;
    TimerEntry next;
    int bucket = NOT_SCHEDULED;

    /** Whether this entry waits in a wheel now. */
    public final boolean isScheduled() {
        return bucket != NOT_SCHEDULED;
    }

    /** The deadline it was last scheduled for, in the wheel's clock (nanoseconds). */
    public final long deadlineNanos() {
        return deadlineNanos;
    }

    /**
     * Called by {@link TimingWheel#expire} on the wheel's thread once the deadline has passed.
     * The entry is already out of the wheel, so the method may schedule it again (a re-arm), or
     * schedule or cancel any other entry.
     *
     * @param nowNanos the time {@code expire} was called with
     */
    protected abstract void onExpiry(long nowNanos);
}
