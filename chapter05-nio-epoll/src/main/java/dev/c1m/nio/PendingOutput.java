package dev.c1m.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;

/**
 * The output of one connection that its socket did not take yet: exists only while the peer's
 * receive window (or our send buffer) is full, and is released as soon as it drains.
 *
 * <p>A queue of chunks from the reactor's {@link BufferSource}, each in write mode (bytes in
 * {@code [0, position)}): a first one of 4 KiB for the usual small leftover, then chunks of up to
 * {@value #CHUNK_BYTES} bytes. Not one buffer grown by doubling: a pool of size classes has a
 * largest class, and a peer that sends without reading can make more output than that before
 * the high watermark stops its reads (an empty line of 1 byte is answered with 7), so one
 * growing buffer would outgrow the pool and cost the connection. Its size is what
 * {@link Watermarks} compare against. Touched only by the owning reactor thread; not thread-safe.
 */
final class PendingOutput {

    private static final int INITIAL_BYTES = 4 * 1024;
    static final int CHUNK_BYTES = 16 * 1024;

    private final BufferSource buffers;
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private int size;

    /** Starts with the remaining bytes of {@code first}. */
    PendingOutput(BufferSource buffers, ByteBuffer first) {
        this.buffers = buffers;
        append(first);
    }

    int size() {
        return size;
    }

    /** Copies all of {@code bytes} in, taking new chunks as the last one fills. */
    void append(ByteBuffer bytes) {
        while (bytes.hasRemaining()) {
            ByteBuffer tail = chunks.peekLast();
            if (tail == null || !tail.hasRemaining()) {
                int wanted = chunks.isEmpty() ? Math.max(INITIAL_BYTES, bytes.remaining()) : bytes.remaining();
                tail = buffers.acquire(Math.min(CHUNK_BYTES, wanted));
                chunks.addLast(tail);
            }
            int n = Math.min(bytes.remaining(), tail.remaining());
            tail.put(tail.position(), bytes, bytes.position(), n);
            tail.position(tail.position() + n);
            bytes.position(bytes.position() + n);
            size += n;
        }
    }

    /** Writes what the channel takes, chunk by chunk, and gives back the chunks emptied; true once nothing is left. */
    boolean writeTo(WritableByteChannel channel) throws IOException {
        while (!chunks.isEmpty()) {
            ByteBuffer head = chunks.peekFirst();
            head.flip();
            try {
                size -= channel.write(head);
            } finally {
                head.compact();
            }
            if (head.position() > 0) {
                return false; // the socket is full again
            }
            buffers.release(chunks.pollFirst());
        }
        return true;
    }

    void release() {
        for (ByteBuffer chunk : chunks) {
            buffers.release(chunk);
        }
        chunks.clear();
        size = 0;
    }
}
