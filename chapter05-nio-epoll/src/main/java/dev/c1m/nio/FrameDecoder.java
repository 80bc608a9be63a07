package dev.c1m.nio;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Splits a byte stream into length-prefixed frames as it arrives in chunks of any size.
 *
 * <pre>
 * +--------+--------+--------+--------+--------------- ... ---------------+
 * |   length: signed 32-bit, big-endian  |   payload: exactly length bytes |
 * |   0 &lt;= length &lt;= maxFrameBytes       |                                 |
 * +--------+--------+--------+--------+--------------- ... ---------------+
 * </pre>
 * A length prefix is the usual binary answer to "sticky and half packets": the reader knows how
 * many bytes the message has before it arrives, so it never scans for a delimiter and payloads
 * may contain any byte. A negative length, or one above {@code maxFrameBytes}, is a
 * {@link ProtocolException}: without that check one four-byte header such as
 * {@code 0x7fffffff} would make the server allocate 2 GiB.
 *
 * <p>Memory: a frame that arrives whole is passed on as a view of the caller's buffer; only a
 * frame split across reads is copied into a buffer of exactly its length from the
 * {@link BufferSource}, released once it completes. A split length prefix needs no buffer (its
 * bytes accumulate in an int). So a peer can make the decoder hold at most
 * {@code maxFrameBytes}, and an idle connection's decoder holds nothing. Not thread-safe: one
 * connection's reactor thread owns it. After a {@link ProtocolException} it is unusable.
 */
public final class FrameDecoder {

    /** Which part of a frame the next byte belongs to. */
    private enum State { LENGTH, PAYLOAD }

    /** Bytes in the length prefix. */
    public static final int LENGTH_BYTES = Integer.BYTES;

    private final int maxFrameBytes;
    private final BufferSource buffers;
    private State state = State.LENGTH;
    private int lengthBytesRead;
    private int length;
    /** The payload of a frame split across reads; null otherwise. */
    private ByteBuffer partial;

    public FrameDecoder(int maxFrameBytes, BufferSource buffers) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes must not be negative: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.buffers = buffers;
    }

    /**
     * Passes the payload of every frame completed by {@code input} to {@code frames}, in order:
     * a read-only view valid only during that call. Consumes {@code input} completely.
     *
     * @throws ProtocolException on a negative length or one above the maximum
     */
    public void decode(ByteBuffer input, Consumer<ByteBuffer> frames) throws ProtocolException {
        while (input.hasRemaining()) {
            if (state == State.LENGTH) {
                readLength(input);
            } else {
                readPayload(input, frames);
            }
        }
        if (state == State.PAYLOAD && length == 0) {
            emitEmpty(frames); // a zero-length frame whose header ended this chunk
        }
    }

    /** Whether part of a frame is held (a buffer only if payload bytes are). */
    public boolean hasPartialFrame() {
        return state == State.PAYLOAD || lengthBytesRead > 0;
    }

    /** Gives back the buffer of a split frame, if any; call when the connection closes. */
    public void release() {
        if (partial != null) {
            buffers.release(partial);
            partial = null;
        }
    }

    private void readLength(ByteBuffer input) throws ProtocolException {
        if (lengthBytesRead == 0 && input.remaining() >= LENGTH_BYTES) {
            length = input.getInt();
        } else {
            length = (length << 8) | (input.get() & 0xFF);
            if (++lengthBytesRead < LENGTH_BYTES) {
                return;
            }
            lengthBytesRead = 0;
        }
        if (length < 0) {
            throw new ProtocolException("negative frame length " + length);
        }
        if (length > maxFrameBytes) {
            throw new ProtocolException("frame length " + length + " exceeds the maximum " + maxFrameBytes);
        }
        state = State.PAYLOAD;
    }

    private void readPayload(ByteBuffer input, Consumer<ByteBuffer> frames) {
        if (partial == null && input.remaining() >= length) {
            ByteBuffer payload = input.slice(input.position(), length).asReadOnlyBuffer();
            input.position(input.position() + length);
            nextFrame();
            frames.accept(payload);
            return;
        }
        if (partial == null) {
            partial = buffers.acquire(length);
            partial.limit(length);
        }
        int chunk = Math.min(partial.remaining(), input.remaining());
        partial.put(partial.position(), input, input.position(), chunk);
        partial.position(partial.position() + chunk);
        input.position(input.position() + chunk);
        if (!partial.hasRemaining()) {
            ByteBuffer payload = partial.flip().asReadOnlyBuffer();
            try {
                nextFrame();
                frames.accept(payload);
            } finally {
                release();
            }
        }
    }

    private void emitEmpty(Consumer<ByteBuffer> frames) {
        nextFrame();
        frames.accept(ByteBuffer.allocate(0).asReadOnlyBuffer());
    }

    private void nextFrame() {
        state = State.LENGTH;
        length = 0;
    }
}
