package dev.c1m.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The output of one connection that its socket did not take yet: exists only while the peer's
 * receive window (or our send buffer) is full, and is released as soon as it drains.
 *
 * <p>A single buffer from the reactor's {@link BufferSource}, in write mode (bytes in
 * {@code [0, position)}), grown by doubling when an append does not fit. Its size is what
 * {@link Watermarks} compare against. Touched only by the owning reactor thread; not thread-safe.
 */
final class PendingOutput {

    private static final int INITIAL_BYTES = 4 * 1024;

    private final BufferSource buffers;
    private ByteBuffer buffer;

    /** Starts with the remaining bytes of {@code first}. */
    PendingOutput(BufferSource buffers, ByteBuffer first) {
        this.buffers = buffers;
        this.buffer = buffers.acquire(Math.max(INITIAL_BYTES, first.remaining()));
        buffer.put(first);
    }

    int size() {
        return buffer.position();
    }

    void append(ByteBuffer bytes) {
        int needed = buffer.position() + bytes.remaining();
        if (needed > buffer.capacity()) {
            ByteBuffer larger = buffers.acquire(Math.max(needed, 2 * buffer.capacity()));
            buffer.flip();
            larger.put(buffer);
            buffers.release(buffer);
            buffer = larger;
        }
        buffer.put(bytes);
    }

    /** Writes what the channel takes; true once nothing is left. */
    boolean writeTo(WritableByteChannel channel) throws IOException {
        buffer.flip();
        try {
            channel.write(buffer);
        } finally {
            buffer.compact();
        }
        return buffer.position() == 0;
    }

    void release() {
        buffers.release(buffer);
        buffer = null;
    }
}
