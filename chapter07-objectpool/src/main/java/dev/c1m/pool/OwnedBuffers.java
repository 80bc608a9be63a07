package dev.c1m.pool;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * A {@link BufferPool} seen through plain {@link ByteBuffer}s, for code that passes buffers
 * around without their handles: chapter 5's {@code BufferSource} ({@code ByteBuffer
 * acquire(int)}, {@code void release(ByteBuffer)}) is exactly this shape.
 *
 * <p>It remembers which handle each outstanding buffer belongs to, in an
 * {@link IdentityHashMap} (open addressing: no allocation per entry once the table has grown to
 * the peak number of outstanding buffers). Releasing a buffer that is not outstanding here (a
 * double release, or a buffer from somewhere else) throws {@link IllegalStateException}. Because
 * this map holds the handles, the pool's garbage-based leak detection cannot see buffers lost
 * behind it; {@link #outstanding()} shows them instead, and {@link #releaseAll()} takes them back
 * when their owner (a reactor, a connection) is gone.
 *
 * <p>Threads: confined to the first thread that acquires through it (a reactor thread; it may be
 * created elsewhere), checked with {@code assert}; the pool behind it may be shared.
 */
public final class OwnedBuffers {

    private final BufferPool pool;
    private Thread owner; // the first thread to acquire; never changes afterwards
    private final IdentityHashMap<ByteBuffer, PooledBuffer> outstanding = new IdentityHashMap<>();

    public OwnedBuffers(BufferPool pool) {
        this.pool = pool;
    }

    /** A buffer with at least {@code minBytes}, position 0, limit = capacity. */
    public ByteBuffer acquire(int minBytes) {
        assert inOwnerThread();
        PooledBuffer handle = pool.acquire(minBytes);
        ByteBuffer buffer = handle.buffer();
        outstanding.put(buffer, handle);
        return buffer;
    }

    /** Gives back a buffer from {@link #acquire}; the caller must not touch it afterwards. */
    public void release(ByteBuffer buffer) {
        assert inOwnerThread();
        PooledBuffer handle = outstanding.remove(buffer);
        if (handle == null) {
            throw new IllegalStateException("release of a buffer that is not outstanding here: "
                    + "released twice, or acquired from somewhere else");
        }
        handle.release();
    }

    /** Buffers acquired and not yet released. */
    public int outstanding() {
        assert inOwnerThread();
        return outstanding.size();
    }

    /** Releases every outstanding buffer (their owner is gone); returns how many there were. */
    public int releaseAll() {
        assert inOwnerThread();
        List<PooledBuffer> handles = new ArrayList<>(outstanding.values());
        outstanding.clear();
        handles.forEach(PooledBuffer::release);
        return handles.size();
    }

    private boolean inOwnerThread() {
        if (owner == null) {
            owner = Thread.currentThread();
        }
        return Thread.currentThread() == owner;
    }
}
