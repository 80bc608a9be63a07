package dev.c1m.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What every handle a pool lends shares ({@link Pooled} for objects, {@link PooledBuffer} for
 * direct buffers): whether it is lent now, and the leak tracker watching it while it is. One
 * atomic transition decides each return, so a double release, or two threads releasing the same
 * handle at once, is caught exactly once and the tracker hears of the return exactly once.
 *
 * <p>Threads: {@link #markLent} runs on the borrowing thread, before the handle is handed out;
 * {@link #markReturned} may run on any thread the handle was passed to.
 */
abstract class Lease {

    private static final int RETURNED = 0;
    private static final int LENT = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Lease.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = RETURNED;
    private LeakDetector.Tracker tracker; // written before the volatile store of LENT, read after the CAS

    /** Whether the handle is lent now (its holder may use what it lends). */
    final boolean isLent() {
        return state == LENT;
    }

    /** RETURNED -> LENT, watched by {@code tracker} (null when this loan is not sampled). */
    final void markLent(LeakDetector.Tracker tracker) {
        this.tracker = tracker;
        state = LENT;
    }

    /** LENT -> RETURNED; false if it was not lent (a double release). */
    final boolean markReturned() {
        if (!STATE.compareAndSet(this, LENT, RETURNED)) {
            return false;
        }
        LeakDetector.Tracker t = tracker;
        if (t != null) {
            tracker = null;
            t.released();
        }
        return true;
    }
}
