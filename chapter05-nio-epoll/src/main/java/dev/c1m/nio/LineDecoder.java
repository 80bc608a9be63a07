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
 * {@code maxLineBytes + 1} bytes.
 *
 * <p>Two ways to receive lines: {@link #decode} as {@code String}s, decoded from UTF-8 only once
 * a line is complete (a character split across reads decodes correctly; invalid bytes become
 * U+FFFD); or {@link #decodeBytes} as undecoded bytes, for a handler that can answer without a
 * {@code String} (chapter 1's echo of an ASCII line is its own bytes behind a prefix, see
 * {@link LineProtocolHandler}).
 *
 * <p>Memory: complete lines are passed on straight from the caller's buffer; only an unfinished
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
     * Passes every line completed by {@code input} to {@code lines}, in order, decoded from UTF-8,
     * and keeps the rest of an unfinished line. Consumes {@code input} completely.
     *
     * @throws ProtocolException if a line is longer than the limit
     */
    public void decode(ByteBuffer input, Consumer<String> lines) throws ProtocolException {
        decodeBytes(input, lines, (strings, bytes) -> strings.accept(utf8(bytes)));
    }

    /** {@link #decodeBytes(ByteBuffer, Object, LineSink)} for a plain consumer of each line's bytes. */
    public void decodeBytes(ByteBuffer input, Consumer<ByteBuffer> lines) throws ProtocolException {
        decodeBytes(input, lines, Consumer::accept);
    }

    /**
     * Receives each line's bytes with a context object. It lets a caller on the hot path pass one
     * long-lived sink and its context instead of a lambda that captures them, which would be a new
     * object on every read (C1, which the C1M workers run, does not remove such allocations; in
     * {@code perf} each went through the VM's slow path, {@code Unsafe_AllocateInstance}).
     */
    @FunctionalInterface
    public interface LineSink<C> {
        void accept(C context, ByteBuffer line);
    }

    /**
     * Passes the bytes of every line completed by {@code input} to {@code lines}, in order, and
     * keeps the rest of an unfinished line; consumes {@code input} completely. A line's bytes,
     * without its terminator, are the remaining bytes of a buffer that is either {@code input}
     * itself (its limit moved to the line's end) or the decoder's partial-line buffer: valid only
     * during the call, to be read but not kept. Nothing is copied or allocated for a line that
     * arrived whole.
     *
     * @throws ProtocolException if a line is longer than the limit
     */
    public <C> void decodeBytes(ByteBuffer input, C context, LineSink<C> lines) throws ProtocolException {
        int end = input.limit();
        while (input.hasRemaining()) {
            int newline = indexOfNewline(input);
            if (newline < 0) {
                keep(input, input.remaining());
                return;
            }
            if (partial == null) {
                try {
                    input.limit(lineEnd(input, input.position(), newline));
                    lines.accept(context, input);
                } finally {
                    input.limit(end);
                }
            } else {
                keep(input, newline - input.position());
                takePartial(context, lines);
            }
            input.position(newline + 1);
        }
    }

    /**
     * At the end of the stream: passes an unfinished last line to {@code lines}, the way Go's
     * {@code bufio.Scanner} returns a last line without a newline, and releases its buffer.
     */
    public void finish(Consumer<String> lines) throws ProtocolException {
        finishBytes(lines, (strings, bytes) -> strings.accept(utf8(bytes)));
    }

    /** {@link #finishBytes(Object, LineSink)} for a plain consumer of the last line's bytes. */
    public void finishBytes(Consumer<ByteBuffer> lines) throws ProtocolException {
        finishBytes(lines, Consumer::accept);
    }

    /** {@link #finish} for {@link #decodeBytes}: the last line's bytes, if any. */
    public <C> void finishBytes(C context, LineSink<C> lines) throws ProtocolException {
        if (partial != null) {
            takePartial(context, lines);
        }
    }

    /**
     * Decodes the remaining bytes of {@code bytes} as UTF-8, invalid sequences as U+FFFD (what
     * {@code new String(bytes, UTF_8)} does), without moving its position.
     */
    public static String utf8(ByteBuffer bytes) {
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining(), StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(bytes.position(), copy);
        return new String(copy, StandardCharsets.UTF_8);
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

    /** Passes the unfinished line, now complete, to {@code lines} and releases its buffer. */
    private <C> void takePartial(C context, LineSink<C> lines) throws ProtocolException {
        try {
            partial.flip();
            partial.limit(lineEnd(partial, 0, partial.limit()));
            lines.accept(context, partial);
        } finally {
            release();
        }
    }

    /**
     * The end of the line in {@code bytes[from, newline)}: before a final {@code \r}.
     *
     * @throws ProtocolException if the line is longer than the limit
     */
    private int lineEnd(ByteBuffer bytes, int from, int newline) throws ProtocolException {
        int end = newline > from && bytes.get(newline - 1) == '\r' ? newline - 1 : newline;
        if (end - from > maxLineBytes) {
            throw new ProtocolException("line longer than " + maxLineBytes + " bytes");
        }
        return end;
    }
}
