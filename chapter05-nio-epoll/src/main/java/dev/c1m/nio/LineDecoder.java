package dev.c1m.nio;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a byte stream into lines as it arrives in chunks of any size: the non-blocking
 * counterpart of chapter 1's {@code LineReader}, and the answer to "sticky and half packets".
 * TCP delivers a byte stream, not messages: one read may end in the middle of a line (a half
 * packet) or carry many lines (sticky packets), and both happen on every busy connection.
 *
 * <p>Lines end with {@code \n}; a {@code \r} just before it is dropped. The limit counts a
 * line's bytes without its terminator; a longer line is a {@link ProtocolException}, detected as
 * soon as the partial line exceeds it, so a peer cannot make the decoder buffer more than
 * {@code maxLineBytes + 1} bytes. Bytes are decoded as UTF-8 only once a line is complete (a
 * character split across reads decodes correctly; invalid bytes become U+FFFD).
 *
 * <p>Memory: complete lines are decoded straight from the caller's buffer; only an unfinished
 * line is copied, into a buffer from the {@link BufferSource} that is released as soon as the
 * line completes, so an idle connection's decoder holds no buffer. Not thread-safe: one
 * connection's reactor thread owns it. After a {@link ProtocolException} it is unusable.
 */
public final class LineDecoder {

    private static final int INITIAL_PARTIAL_BYTES = 256;

    private final int maxLineBytes;
    private final BufferSource buffers;
    /** The start of an unfinished line, in write mode; null while there is none. */
    private ByteBuffer partial;

    public LineDecoder(int maxLineBytes, BufferSource buffers) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
        this.buffers = buffers;
    }

    /**
     * Passes every line completed by {@code input} to {@code lines}, in order, and keeps the rest
     * of an unfinished line. Consumes {@code input} completely.
     *
     * @throws ProtocolException if a line is longer than the limit
     */
    public void decode(ByteBuffer input, Consumer<String> lines) throws ProtocolException {
        while (input.hasRemaining()) {
            int newline = indexOfNewline(input);
            if (newline < 0) {
                keep(input, input.remaining());
                return;
            }
            int length = newline - input.position();
            String line;
            if (partial == null) {
                line = decode(input, input.position(), length);
            } else {
                keep(input, length);
                line = takePartial();
            }
            input.position(newline + 1);
            lines.accept(line);
        }
    }

    /**
     * At the end of the stream: passes an unfinished last line to {@code lines}, the way Go's
     * {@code bufio.Scanner} returns a last line without a newline, and releases its buffer.
     */
    public void finish(Consumer<String> lines) throws ProtocolException {
        if (partial != null) {
            lines.accept(takePartial());
        }
    }

    /** Whether an unfinished line is held (and with it, a buffer). */
    public boolean hasPartialLine() {
        return partial != null;
    }

    /** Gives back the buffer of an unfinished line, if any; call when the connection closes. */
    public void release() {
        if (partial != null) {
            buffers.release(partial);
            partial = null;
        }
    }

    private static int indexOfNewline(ByteBuffer input) {
        for (int i = input.position(), end = input.limit(); i < end; i++) {
            if (input.get(i) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Appends {@code length} bytes from {@code input} to the unfinished line. One byte over the
     * limit is allowed here, because it may be the {@code \r} of a {@code \r\n}.
     */
    private void keep(ByteBuffer input, int length) throws ProtocolException {
        int held = partial == null ? 0 : partial.position();
        int needed = held + length;
        if (needed > maxLineBytes + 1) {
            throw new ProtocolException("line longer than " + maxLineBytes + " bytes");
        }
        if (length == 0) {
            return;
        }
        if (partial == null) {
            partial = buffers.acquire(Math.min(maxLineBytes + 1, Math.max(INITIAL_PARTIAL_BYTES, length)));
        } else if (needed > partial.capacity()) {
            ByteBuffer larger = buffers.acquire(Math.min(maxLineBytes + 1, Math.max(needed, 2 * partial.capacity())));
            partial.flip();
            larger.put(partial);
            buffers.release(partial);
            partial = larger;
        }
        partial.put(partial.position(), input, input.position(), length);
        partial.position(needed);
        input.position(input.position() + length);
    }

    private String takePartial() throws ProtocolException {
        try {
            return decode(partial, 0, partial.position());
        } finally {
            release();
        }
    }

    private String decode(ByteBuffer bytes, int from, int length) throws ProtocolException {
        if (length > 0 && bytes.get(from + length - 1) == '\r') {
            length--;
        }
        if (length > maxLineBytes) {
            throw new ProtocolException("line longer than " + maxLineBytes + " bytes");
        }
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + from, length, StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[length];
        bytes.get(from, copy);
        return new String(copy, StandardCharsets.UTF_8);
    }
}
