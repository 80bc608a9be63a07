package dev.c1m.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The per-message half of an echo server: frames the reply to one received line into an
 * outgoing batch, and writes the batch out. Two implementations let the chapter measure what the
 * collector sees per message: {@link PooledReplyWriter} (no allocation) and
 * {@link AllocatingReplyWriter} (the usual String-per-line code).
 *
 * <p>Threads: one instance per connection, used by that connection's thread only.
 */
public interface ReplyWriter extends AutoCloseable {

    /**
     * Adds the reply to the line held in {@code source[start, end)} (terminator excluded) to the
     * current batch, writing the batch to {@code out} first if the reply does not fit.
     */
    void append(ByteBuffer source, int start, int end, WritableByteChannel out) throws IOException;

    /** Writes the current batch to {@code out} completely (blocking channel) and ends it. */
    void flush(WritableByteChannel out) throws IOException;

    /** Drops any unwritten batch and gives back what the writer holds. */
    @Override
    void close();
}
