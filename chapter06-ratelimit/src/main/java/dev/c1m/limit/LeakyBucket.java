package dev.c1m.limit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Leaky bucket as a queue: requests enter a bucket that lets exactly one out every
 * {@code rate.nanosPerPermit()}; at most {@code queueCapacity} requests wait in it, and a request
 * that finds it full is refused. Where a {@link TokenBucket} lets a burst through at once, the
 * leaky bucket smooths it: the output is evenly spaced whatever the input looks like, at the
 * price of delay.
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>{@link #tryEnqueue()} admits a request into the queue and returns how long the caller
 *       must hold it before processing it (for example with a reactor timer), or
 *       {@link #REFUSED}. This is the smoothing shaper.</li>
 *   <li>{@link #tryAcquire()} (the {@link RateLimiter} view) admits a request only if it may
 *       leave now, without waiting: a strict spacing policer that allows no burst at all.</li>
 * </ul>
 *
 * <p><b>Implementation.</b> One {@link AtomicLong}: the earliest instant at which the next
 * request may leave. A request admitted at {@code now} leaves at {@code max(nextSlot, now)};
 * the queue is full when that is more than {@code queueCapacity} intervals away. Lock-free and
 * allocation-free.
 *
 * <p><b>Threads.</b> Thread-safe.
 *
 * <p>Not handled: the holding itself (this class computes the delay; the caller schedules the
 * work), and cancelling a reservation whose request has gone away (its slot stays used).
 */
public final class LeakyBucket implements RateLimiter {

    /** Returned by {@link #tryEnqueue()} when the bucket is full. */
    public static final long REFUSED = -1;

    private final NanoClock clock;
    private final long interval;
    private final long maxDelay;
    private final AtomicLong nextSlot;

    public LeakyBucket(Rate rate, int queueCapacity, NanoClock clock) {
        if (queueCapacity < 0) {
            throw new IllegalArgumentException("queueCapacity must not be negative: " + queueCapacity);
        }
        this.clock = clock;
        this.interval = rate.nanosPerPermit();
        this.maxDelay = Math.multiplyExact(interval, (long) queueCapacity);
        this.nextSlot = new AtomicLong(clock.nanoTime());
    }

    /**
     * Admits one request into the bucket; returns the nanoseconds it must wait before it leaves
     * (0 means now), or {@link #REFUSED} if {@code queueCapacity} requests already wait.
     */
    public long tryEnqueue() {
        return reserve(maxDelay);
    }

    /** Admits a request only if it may leave the bucket now. */
    @Override
    public boolean tryAcquire() {
        return reserve(0) == 0;
    }

    private long reserve(long acceptableDelay) {
        long now = clock.nanoTime();
        while (true) {
            long current = nextSlot.get();
            long slot = current - now > 0 ? current : now;
            long delay = slot - now;
            if (delay > acceptableDelay) {
                return REFUSED;
            }
            if (nextSlot.compareAndSet(current, slot + interval)) {
                return delay;
            }
        }
    }

    @Override
    public String toString() {
        return "LeakyBucket[interval=" + interval + "ns, maxDelay=" + maxDelay + "ns]";
    }
}
