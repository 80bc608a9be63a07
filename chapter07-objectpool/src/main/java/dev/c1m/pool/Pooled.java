package dev.c1m.pool;

/**
 * A borrowed object from an {@link ObjectPool}, and the ticket to give it back.
 *
 * <pre>{@code
 * try (Pooled<StringBuilder> lease = pool.borrow()) {
 *     StringBuilder sb = lease.get();
 *     ...
 * }                                  // released here, reset by the pool's hook
 * }</pre>
 *
 * <p>Life cycle: IDLE -> BORROWED on borrow, BORROWED -> IDLE on {@link #release()}. Releasing
 * an IDLE handle (a double release) throws {@link IllegalStateException} at once, and so does
 * {@link #get()} on it. One handle exists per pooled object and is reused, so a stale handle
 * whose object has since been borrowed again looks BORROWED and cannot be told apart: keep the
 * handle's scope short (try-with-resources), never store it. The buffer pool's debug mode
 * ({@link BufferPool.Settings#debug()}) catches that case for buffers, where it corrupts data.
 *
 * <p>Threads: the state is atomic, so the borrower may hand the handle to another thread that
 * releases it; the object itself is as thread-safe as its class.
 */
public final class Pooled<T> extends Lease implements AutoCloseable {

    private final ObjectPool<T> pool;
    private final T object;

    Pooled(ObjectPool<T> pool, T object) {
        this.pool = pool;
        this.object = object;
    }

    /** The borrowed object. */
    public T get() {
        if (!isLent()) {
            throw new IllegalStateException("use after release: this " + object.getClass().getSimpleName()
                    + " was already given back to pool '" + pool.name() + "'");
        }
        return object;
    }

    /** Gives the object back to its pool; a second call throws. */
    public void release() {
        pool.release(this);
    }

    /** Same as {@link #release()}, for try-with-resources. */
    @Override
    public void close() {
        release();
    }

    T object() {
        return object;
    }
}
