package dev.c1m.nio;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/** A heap {@link BufferSource} that counts the buffers currently handed out, for memory assertions. */
final class CountingBufferSource implements BufferSource {

    private final AtomicInteger outstanding = new AtomicInteger();

    @Override
    public ByteBuffer acquire(int minCapacity) {
        outstanding.incrementAndGet();
        return ByteBuffer.allocate(minCapacity);
    }

    @Override
    public void release(ByteBuffer buffer) {
        outstanding.decrementAndGet();
    }

    /** Buffers acquired and not yet released. */
    int outstanding() {
        return outstanding.get();
    }
}
