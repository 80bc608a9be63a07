package dev.c1m.pool;

import dev.c1m.echo.EchoProtocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Frames echo replies into a direct buffer taken from a {@link BufferPool}, without allocating:
 * the reply prefix comes from a constant, the line's bytes are copied buffer-to-buffer, and the
 * batch buffer is acquired when the first reply of a batch arrives and released as soon as the
 * batch is written, so an idle connection holds no output buffer.
 *
 * <p>Lines that are not well-formed UTF-8 (see {@link Utf8}) are decoded and re-encoded like
 * chapter 1 does, so the reply is the same byte for byte; only that rare path allocates.
 *
 * <p>Threads: one instance per connection, confined to its thread.
 */
public final class PooledReplyWriter implements ReplyWriter {

    /** The batch buffer's size class: one reply to the longest line fits, with room for many short ones. */
    public static final int BATCH_BYTES = 16 * 1024;

    private static final byte[] PREFIX = EchoProtocol.REPLY_PREFIX.getBytes(StandardCharsets.UTF_8);

    private final BufferPool pool;
    private PooledBuffer batch;

    public PooledReplyWriter(BufferPool pool) {
        this.pool = pool;
    }

    @Override
    public void append(ByteBuffer source, int start, int end, WritableByteChannel out) throws IOException {
        int length = end - start;
        if (!Utf8.isWellFormed(source, start, end)) {
            appendDecoded(source, start, length, out);
            return;
        }
        ByteBuffer target = room(PREFIX.length + length + 1, out);
        target.put(PREFIX);
        target.put(target.position(), source, start, length);
        target.position(target.position() + length);
        target.put((byte) '\n');
    }

    private void appendDecoded(ByteBuffer source, int start, int length, WritableByteChannel out) throws IOException {
        byte[] raw = new byte[length];
        source.get(start, raw);
        byte[] reply = EchoProtocol.replyBytes(new String(raw, StandardCharsets.UTF_8));
        room(reply.length, out).put(reply);
    }

    /** The batch buffer, with at least {@code bytes} free, flushing or acquiring as needed. */
    private ByteBuffer room(int bytes, WritableByteChannel out) throws IOException {
        if (batch != null && batch.buffer().remaining() < bytes) {
            flush(out);
        }
        if (batch == null) {
            batch = pool.acquire(Math.max(bytes, BATCH_BYTES));
        }
        return batch.buffer();
    }

    @Override
    public void flush(WritableByteChannel out) throws IOException {
        if (batch == null) {
            return;
        }
        ByteBuffer buffer = batch.buffer();
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (batch != null) {
            PooledBuffer held = batch;
            batch = null;
            held.release();
        }
    }
}
