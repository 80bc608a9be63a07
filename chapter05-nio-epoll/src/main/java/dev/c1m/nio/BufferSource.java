package dev.c1m.nio;

import java.nio.ByteBuffer;

/**
 * Where a reactor gets its byte buffers: the one read buffer and one write stage per reactor
 * thread, and the short-lived per-connection buffers that exist only while a connection has a
 * partial message or unsent output.
 *
 * <p>This is the seam for chapter 7, which replaces the default ({@link #heap()}, a plain
 * allocation per request) with a pooled allocator of direct buffers. Every buffer obtained from
 * {@link #acquire} is given back exactly once with {@link #release} when its owner is done, so
 * a pool can recycle it; the default simply lets the garbage collector have it.
 *
 * <p>Threads: each reactor has its own source and calls it only from its reactor thread, so an
 * implementation may be thread-confined (no locks). Not handled here: limits on the total memory
 * handed out (chapter 6 and chapter 7).
 */
public interface BufferSource {

    /**
     * A buffer with at least {@code minCapacity} bytes of capacity, position 0, limit = capacity.
     * Its contents are unspecified.
     */
    ByteBuffer acquire(int minCapacity);

    /** Gives back a buffer from {@link #acquire}; the caller must not touch it afterwards. */
    void release(ByteBuffer buffer);

    /** Allocates a fresh heap buffer of exactly the requested size each time; release does nothing. */
    static BufferSource heap() {
        return new BufferSource() {
            @Override
            public ByteBuffer acquire(int minCapacity) {
                return ByteBuffer.allocate(minCapacity);
            }

            @Override
            public void release(ByteBuffer buffer) {
                // the garbage collector reclaims it
            }
        };
    }
}
