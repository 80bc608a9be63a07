package dev.c1m.pool;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * THE MISTAKE, kept for contrast with {@link ObjectPool}: a per-thread cache in a
 * {@link ThreadLocal}, the usual Java translation of "one buffer per worker".
 *
 * <p>With a fixed pool of 8 platform threads this works: 8 objects, each reused millions of times.
 * With a virtual thread per connection it is the opposite of a pool: every connection's thread
 * creates its own object, uses it for that connection's life, and takes it to the garbage
 * collector when it ends. A million connections hold a million objects (at 16 KiB each, 16 GiB),
 * and nothing is ever reused across connections. {@code NaiveThreadLocalCacheTest} shows 1,000
 * virtual threads making 1,000 objects where a bounded pool of 8 makes 8.
 *
 * <p>The fix is to share objects between threads: a bounded {@link ObjectPool} (whose thread-id
 * based slot choice keeps most of the locality a per-thread cache gives) or, for an event loop, a
 * cache owned by the loop's few carrier threads (chapter 5's per-reactor buffers). Go's
 * {@code sync.Pool} is per-P (per processor), not per goroutine, for the same reason.
 *
 * <p>Threads: any; each thread sees its own object.
 */
public final class NaiveThreadLocalCache<T> {

    private final LongAdder created = new LongAdder();
    private final ThreadLocal<T> perThread;

    public NaiveThreadLocalCache(Supplier<T> factory) {
        this.perThread = ThreadLocal.withInitial(() -> {
            created.increment();
            return factory.get();
        });
    }

    /** This thread's object, created on its first call. */
    public T get() {
        return perThread.get();
    }

    /** Objects created so far: one per thread that ever called {@link #get()}. */
    public long created() {
        return created.sum();
    }
}
