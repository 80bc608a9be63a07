package dev.c1m.pool;

import java.nio.ByteBuffer;

/**
 * A direct buffer lent by a {@link BufferPool}: the handle its owner holds, and the ticket to give
 * it back. Ownership is explicit: whoever holds the handle owns the buffer until
 * {@link #release()}, and must not touch the buffer (or any view of it) afterwards.
 *
 * <p>Life cycle: OWNED -> RELEASED on {@link #release()}; a second release, or {@link #buffer()}
 * after release, throws {@link IllegalStateException}. In the normal mode each slot of memory has
 * one handle that is reused, so a stale handle kept past its release and a later re-acquire of
 * the same slot cannot be told apart; in debug mode every acquire gets a fresh handle and a fresh
 * view, so stale handles always fail (see {@link BufferPool.Settings#debug()}).
 *
 * <p>Keep the handle, not only its {@code ByteBuffer}, for as long as the buffer is in use: leak
 * detection watches the handle.
 *
 * <p>Threads: the owner may pass the handle to another thread (through a queue or anything else
 * that orders the two threads' accesses); release may happen on any thread.
 */
public final class PooledBuffer extends Lease {

    final BufferPool.Slot slot;
    private final ByteBuffer buffer;

    PooledBuffer(BufferPool.Slot slot, ByteBuffer buffer) {
        this.slot = slot;
        this.buffer = buffer;
    }

    /** The buffer: direct, capacity = its size class, position 0 and limit = capacity when acquired. */
    public ByteBuffer buffer() {
        if (!isLent()) {
            throw new IllegalStateException("use after release: this " + buffer.capacity()
                    + "-byte buffer was already given back to its pool");
        }
        return buffer;
    }

    /** The size class: the buffer's capacity. */
    public int capacity() {
        return buffer.capacity();
    }

    /** Gives the buffer back; a second call throws. */
    public void release() {
        slot.pool().release(this);
    }

    ByteBuffer view() {
        return buffer;
    }
}
