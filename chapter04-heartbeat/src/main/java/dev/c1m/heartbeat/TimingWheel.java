package dev.c1m.heartbeat;

import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * A hashed timing wheel: a ring of buckets, one per tick, each a linked list of
 * {@link TimerEntry}s. Scheduling and cancelling are O(1); advancing costs one bucket visit per
 * tick plus the entries in it. This is the structure of Varghese and Lauck's "scheme 6" ("Hashed
 * and Hierarchical Timing Wheels", SOSP 1987), behind Netty's {@code HashedWheelTimer} and
 * Kafka's purgatory.
 *
 * <pre>
 *   tick = 1 ms, wheelSize = 8: deadline d goes to bucket (tick index of d) &amp; 7
 *
 *          cursor (next tick to run)
 *             v
 *   +----+----+----+----+----+----+----+----+
 *   | 0  | 1  | 2  | 3  | 4  | 5  | 6  | 7  |   a deadline 11 ticks ahead lands in
 *   +----+----+-+--+----+----+----+----+----+   bucket (1 + 11) &amp; 7 and is skipped on the
 *               |                               first visit: its deadline is not due yet
 *             [e1] &lt;-&gt; [e2] &lt;-&gt; [e3]
 * </pre>
 *
 * <p><b>Time.</b> The wheel has no clock of its own: its owner passes the current time (in
 * nanoseconds, from any monotonic source such as {@link System#nanoTime()} or a test's manual
 * clock) to {@link #expire}. A reactor calls {@code expire} on each turn of its loop and uses
 * {@link #nanosUntilNextTick} as its select timeout; {@link WheelTimer} runs a wheel on a thread
 * of its own. Tick {@code k} covers the interval {@code (start + k*tick, start + (k+1)*tick]}
 * and runs once the time reaches its end, so a timeout never fires before its deadline and, if
 * {@code expire} is called promptly, at most one tick after it.
 *
 * <p><b>Tuning.</b> The tick is the precision: 1-100 ms suits idle and heartbeat timeouts, which
 * are seconds long and need no more. The wheel size (a power of two) trades memory (8 bytes per
 * bucket: a head and a tail reference) for scanning: a deadline more than one rotation ({@code tick * wheelSize}) ahead
 * waits in its bucket and is looked at, and skipped, once per rotation. Size the rotation to
 * cover the usual timeout and long ones cost little.
 *
 * <p><b>Thread.</b> Not thread-safe, on purpose: one thread owns the wheel and every entry in it
 * (a reactor thread, or {@link WheelTimer}'s thread), so there is no lock or atomic on any path.
 * The first thread to schedule, cancel or expire becomes the owner; with assertions on
 * ({@code -ea}) a call from any other thread fails. Expiry callbacks run on the owner, inside
 * {@code expire}: keep them short and never block.
 *
 * <p><b>Not handled.</b> Ordering inside one tick is insertion order, not deadline order. If the
 * owner does not call {@code expire} for a long time, the next call catches up tick by tick:
 * correct, and cheap for empty buckets, but the expiry is as late as the owner was.
 */
public final class TimingWheel {

    private static final System.Logger LOG = System.getLogger(TimingWheel.class.getName());

    private final long tickNanos;
    private final int mask;
    private final long startNanos;
    private final TimerEntry[] heads;
    private final TimerEntry[] tails;
    /** The index of the next tick to run; every tick before it has run. */
    private long nextTick;
    /** The entry {@link #expire} will visit next; moved on when that entry is unlinked. */
    private TimerEntry cursor;
    private int size;
    /** The thread that first used the wheel; checked only by assertions. */
    private Thread owner;

    /**
     * @param tick       the wheel's precision, at least 1 microsecond
     * @param wheelSize  the number of buckets, a power of two, at least 2
     * @param startNanos the current time: tick 0 starts here
     */
    public TimingWheel(Duration tick, int wheelSize, long startNanos) {
        if (tick.toNanos() < 1_000) {
            throw new IllegalArgumentException("tick must be at least 1 microsecond: " + tick);
        }
        if (wheelSize < 2 || Integer.bitCount(wheelSize) != 1) {
            throw new IllegalArgumentException("wheelSize must be a power of two, at least 2: " + wheelSize);
        }
        this.tickNanos = tick.toNanos();
        this.mask = wheelSize - 1;
        this.startNanos = startNanos;
        this.heads = new TimerEntry[wheelSize];
        this.tails = new TimerEntry[wheelSize];
    }

    /**
     * Schedules {@code entry} to expire at {@code deadlineNanos}; if it is already scheduled, it
     * moves (a re-arm that allocates nothing). A deadline in the past expires at the next tick.
     */
    public void schedule(TimerEntry entry, long deadlineNanos) {
        assert inOwnerThread() : "wheel used outside its owner thread " + owner;
        if (entry.isScheduled()) {
            unlink(entry);
        }
        long tick = Math.max(tickOf(deadlineNanos), nextTick);
        entry.deadlineNanos = deadlineNanos;
        link(entry, (int) (tick & mask));
    }

    /** Runs {@code task} on the wheel's thread once {@code delayNanos} have passed since {@code nowNanos}. */
    public TimerEntry schedule(Runnable task, long nowNanos, long delayNanos) {
        TimerEntry entry = new RunnableEntry(task);
        schedule(entry, nowNanos + delayNanos);
        return entry;
    }

    /** Takes {@code entry} out of the wheel; false if it was not scheduled (already expired or cancelled). */
    public boolean cancel(TimerEntry entry) {
        assert inOwnerThread() : "wheel used outside its owner thread " + owner;
        if (!entry.isScheduled()) {
            return false;
        }
        unlink(entry);
        return true;
    }

    /**
     * Runs every tick that has ended by {@code nowNanos}, calling {@link TimerEntry#onExpiry} for
     * each entry whose deadline is due, in tick order.
     *
     * @return the number of entries that expired
     */
    public int expire(long nowNanos) {
        assert inOwnerThread() : "wheel used outside its owner thread " + owner;
        int expired = 0;
        while (nowNanos - tickEnd(nextTick) >= 0) {
            long tick = nextTick++;
            expired += runBucket((int) (tick & mask), tickEnd(tick), nowNanos);
        }
        return expired;
    }

    /** How long until the next tick ends (0 if it has): the longest a reactor may block in select. */
    public long nanosUntilNextTick(long nowNanos) {
        return Math.max(0, tickEnd(nextTick) - nowNanos);
    }

    /** Entries scheduled now. */
    public int size() {
        return size;
    }

    public long tickNanos() {
        return tickNanos;
    }

    private boolean inOwnerThread() {
        if (owner == null) {
            owner = Thread.currentThread();
        }
        return owner == Thread.currentThread();
    }

    private int runBucket(int bucket, long tickEnd, long nowNanos) {
        int expired = 0;
        TimerEntry entry = heads[bucket];
        while (entry != null) {
            cursor = entry.next;
            if (entry.deadlineNanos - tickEnd <= 0) {
                unlink(entry);
                expired++;
                runExpiry(entry, nowNanos);
            }
            entry = cursor;
        }
        return expired;
    }

    private static void runExpiry(TimerEntry entry, long nowNanos) {
        try {
            entry.onExpiry(nowNanos);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "timer task failed; the wheel goes on", e);
        }
    }

    /** The index of the tick whose interval contains {@code deadlineNanos}. */
    private long tickOf(long deadlineNanos) {
        long sinceStart = deadlineNanos - startNanos;
        return sinceStart <= 0 ? 0 : (sinceStart - 1) / tickNanos;
    }

    private long tickEnd(long tick) {
        return startNanos + (tick + 1) * tickNanos;
    }

    private void link(TimerEntry entry, int bucket) {
        entry.bucket = bucket;
        entry.next = null;
        entry.prev = tails[bucket];
        if (tails[bucket] == null) {
            heads[bucket] = entry;
        } else {
            tails[bucket].next = entry;
        }
        tails[bucket] = entry;
        size++;
    }

    private void unlink(TimerEntry entry) {
        int bucket = entry.bucket;
        if (entry == cursor) {
            cursor = entry.next;
        }
        if (entry.prev == null) {
            heads[bucket] = entry.next;
        } else {
            entry.prev.next = entry.next;
        }
        if (entry.next == null) {
            tails[bucket] = entry.prev;
        } else {
            entry.next.prev = entry.prev;
        }
        entry.prev = null;
        entry.next = null;
        entry.bucket = TimerEntry.NOT_SCHEDULED;
        size--;
    }

    /** The entry behind {@link #schedule(Runnable, long, long)}. */
    private static final class RunnableEntry extends TimerEntry {

        private final Runnable task;

        RunnableEntry(Runnable task) {
            this.task = task;
        }

        @Override
        protected void onExpiry(long nowNanos) {
            task.run();
        }
    }
}
