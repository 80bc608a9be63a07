package dev.c1m.tuning.server;

import dev.c1m.nio.BufferSource;
import dev.c1m.pool.BufferPool;
import dev.c1m.pool.OwnedBuffers;

import java.nio.ByteBuffer;

/**
 * Chapter 7's pool of direct buffers behind chapter 5's {@link BufferSource}: a reactor's read
 * buffer, its write stage, and the short-lived buffers of partial lines and pending output all
 * come from one bounded {@link BufferPool} per process, so the memory all connections can hold in
 * buffers has a ceiling however they behave.
 *
 * <p>One per reactor, confined to its thread (through {@link OwnedBuffers}); the pool is shared. When
 * the pool is exhausted, {@code acquire} throws, and the reactor closes the one connection that
 * asked (chapter 5 closes a connection whose handler throws): the others keep their buffers.
 */
final class PooledBufferSource implements BufferSource {

    private final OwnedBuffers buffers;

    PooledBufferSource(BufferPool pool) {
        this.buffers = new OwnedBuffers(pool);
    }

    @Override
    public ByteBuffer acquire(int minCapacity) {
        return buffers.acquire(minCapacity);
    }

    @Override
    public void release(ByteBuffer buffer) {
        buffers.release(buffer);
    }
}
