package dev.c1m.pool;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * THE MISTAKE, kept for contrast with {@link ObjectPool}: the pool most tutorials show (a queue;
 * take one or make one; put it back).
 *
 * <p>What is wrong with it:
 * <ul>
 *   <li>No bound: a burst of N concurrent borrowers creates N objects, and the pool keeps all N
 *       forever after the burst, as live old-generation data the collector must trace on every
 *       full marking. {@code NaiveObjectPoolTest} shows the pool holding the whole burst.</li>
 *   <li>No reset: the next borrower gets the last one's data (a half-written buffer, a previous
 *       user's fields). The test shows it.</li>
 *   <li>No double-release check: releasing twice puts the same object in the queue twice, and two
 *       borrowers later share it.</li>
 *   <li>{@code synchronized}: every borrow and release of every thread contends on one lock.</li>
 * </ul>
 *
 * <p>Threads: any; one lock for everything.
 */
public final class NaiveObjectPool<T> {

    private final ArrayDeque<T> idle = new ArrayDeque<>();
    private final Supplier<T> factory;

    public NaiveObjectPool(Supplier<T> factory) {
        this.factory = factory;
    }

    public synchronized T borrow() {
        T object = idle.poll();
        return object != null ? object : factory.get();
    }

    public synchronized void release(T object) {
        idle.push(object);
    }

    public synchronized int idle() {
        return idle.size();
    }
}
