package dev.c1m.limit;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One {@link RateLimiter} per key (a client address, a connection, a user), created on first
 * use, with bounded memory: at most {@code maxKeys} limiters are kept, keys idle for longer than
 * {@code idleTimeout} are dropped, and when the table is full the least recently used key is
 * evicted to make room (counted in {@link #evictions()}).
 *
 * <p><b>Choosing the idle timeout.</b> Evicting a key forgets its history, which forgives it.
 * Pick {@code idleTimeout} at least as long as the limiter needs to return to its fresh state
 * (a token bucket's {@code burst * interval}, a window's length): then idle eviction never
 * forgives anything, and only the LRU eviction of a full table does. Size {@code maxKeys} above
 * the number of keys active within one idle timeout, and watch {@link #evictions()}: a steady
 * count means the table is too small or someone is cycling through many keys (many source
 * addresses) on purpose.
 *
 * <p><b>Implementation.</b> An access-ordered {@link LinkedHashMap}: its eldest entry is the
 * least recently used one, so both evictions look only at the head, O(1) amortized per call.
 * A lookup of a known key allocates nothing; a new key allocates its limiter and one map entry.
 *
 * <p><b>Threads.</b> Thread-safe: the map is guarded by this object's monitor (one short
 * critical section per call); the limiter itself is consulted outside it. One lock for all keys
 * is fine for one acceptor thread or a few reactors; striping by key hash is an exercise.
 */
public final class KeyedRateLimiter<K> {

    private final NanoClock clock;
    private final int maxKeys;
    private final long idleNanos;
    private final Function<? super K, ? extends RateLimiter> factory;
    private final LinkedHashMap<K, Entry> limiters = new LinkedHashMap<>(16, 0.75f, true); // guarded by this
    private long evictions; // guarded by this

    private static final class Entry {
        final RateLimiter limiter;
        long lastUsed;

        Entry(RateLimiter limiter, long lastUsed) {
            this.limiter = limiter;
            this.lastUsed = lastUsed;
        }
    }

    public KeyedRateLimiter(int maxKeys, Duration idleTimeout, Function<? super K, ? extends RateLimiter> factory,
                            NanoClock clock) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1: " + maxKeys);
        }
        this.clock = clock;
        this.maxKeys = maxKeys;
        this.idleNanos = FixedWindowLimiter.requirePositive(idleTimeout);
        this.factory = factory;
    }

    /** Takes one permit from {@code key}'s limiter, creating it if needed. */
    public boolean tryAcquire(K key) {
        return limiterFor(key).tryAcquire();
    }

    private synchronized RateLimiter limiterFor(K key) {
        long now = clock.nanoTime();
        dropIdle(now);
        Entry entry = limiters.get(key);
        if (entry == null) {
            if (limiters.size() >= maxKeys) {
                Iterator<Entry> eldest = limiters.values().iterator();
                eldest.next();
                eldest.remove();
                evictions++;
            }
            entry = new Entry(factory.apply(key), now);
            limiters.put(key, entry);
        }
        entry.lastUsed = now;
        return entry.limiter;
    }

    private void dropIdle(long now) {
        Iterator<Map.Entry<K, Entry>> oldestFirst = limiters.entrySet().iterator();
        while (oldestFirst.hasNext() && now - oldestFirst.next().getValue().lastUsed >= idleNanos) {
            oldestFirst.remove();
        }
    }

    /** Keys currently holding a limiter (idle keys are dropped lazily, on the next call). */
    public synchronized int size() {
        return limiters.size();
    }

    /** Keys evicted because the table was full (not counting idle keys dropped). */
    public synchronized long evictions() {
        return evictions;
    }
}
