package dev.c1m.heartbeat;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A {@link TimingWheel} on a thread of its own, for blocking servers that have no reactor thread
 * to drive one: the thread wakes once per tick, runs the tasks other threads handed it with
 * {@link #execute}, then expires what is due.
 *
 * <p>Other threads never touch the wheel. They pass work through {@link #execute} (a lock-free
 * queue, the same hand-off a reactor uses), and that work calls {@link #wheel()} on the timer
 * thread. Tasks run in the order they were queued, so a connection thread that queues "start
 * tracking" and later "stop tracking" has them applied in that order. Queued tasks wait for the
 * next tick: at most one tick of latency, which is why this suits timeouts of seconds, not
 * microseconds.
 *
 * <p>The thread is a platform thread named {@code <name>-wheel}; {@link #close()} stops it and
 * waits for it. Not handled: tasks queued after close are dropped (logged at DEBUG).
 */
public final class WheelTimer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WheelTimer.class.getName());

    private final TimingWheel wheel;
    private final LongSupplier clock;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    private WheelTimer(String name, Duration tick, int wheelSize, LongSupplier clock) {
        this.clock = clock;
        this.wheel = new TimingWheel(tick, wheelSize, clock.getAsLong());
        this.thread = Thread.ofPlatform().name(name + "-wheel").unstarted(this::run);
    }

    /** Starts a timer thread on {@link System#nanoTime()}. */
    public static WheelTimer start(String name, Duration tick, int wheelSize) {
        return start(name, tick, wheelSize, System::nanoTime);
    }

    /**
     * Starts a timer thread on {@code clock} (nanoseconds). With a manual clock, as tests use, the
     * thread still wakes at least once per real tick and expires whatever the clock says is due.
     */
    public static WheelTimer start(String name, Duration tick, int wheelSize, LongSupplier clock) {
        WheelTimer timer = new WheelTimer(name, tick, wheelSize, clock);
        timer.thread.start();
        return timer;
    }

    /** Runs {@code task} on the timer thread at its next tick; callable from any thread. */
    public void execute(Runnable task) {
        if (closed) {
            LOG.log(Level.DEBUG, "timer closed; task dropped");
            return;
        }
        tasks.add(task);
    }

    /**
     * The wheel. Hand it to classes that keep it (an {@link IdleDetector}) from any thread, but
     * call its methods only on the timer thread: in tasks given to {@link #execute} and in expiry
     * callbacks.
     */
    public TimingWheel wheel() {
        return wheel;
    }

    /** The clock the wheel runs on. */
    public long nowNanos() {
        return clock.getAsLong();
    }

    public boolean inTimerThread() {
        return Thread.currentThread() == thread;
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(Math.min(wheel.tickNanos(), wheel.nanosUntilNextTick(clock.getAsLong())));
            runQueuedTasks();
            wheel.expire(clock.getAsLong());
        }
    }

    private void runQueuedTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "timer task failed; the timer goes on", e);
            }
        }
    }

    /** Stops the thread and waits for it; pending timeouts never fire. Idempotent. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
