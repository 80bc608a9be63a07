package dev.c1m.echo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads lines from a byte stream with a hard limit on their length: the bounded replacement for
 * {@code BufferedReader.readLine()}, which grows its buffer for as long as a peer keeps sending
 * bytes without a newline.
 *
 * <p>Lines end with {@code \n}; a {@code \r} just before it is dropped. The limit counts the
 * line's bytes without its terminator. Bytes are collected first and decoded only once the line
 * is complete, so a multi-byte UTF-8 character split across reads decodes correctly, and invalid
 * UTF-8 becomes U+FFFD instead of an exception. A last line that the peer ends with EOF instead
 * of a newline is still returned, like Go's {@code bufio.Scanner} does.
 *
 * <p>Reads go through one 8 KiB buffer; a line that spans reads is copied into a second array
 * that grows up to the limit. Not thread-safe: one connection's thread owns it. After a
 * {@link LineTooLongException} the reader is unusable and the connection should be closed.
 */
public final class LineReader {

    private static final int READ_BUFFER_BYTES = 8 * 1024;
    private static final int INITIAL_PARTIAL_BYTES = 256;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[READ_BUFFER_BYTES];
    private int start;
    private int end;

    /** The start of a line that did not end inside {@link #buffer}; null until one is needed. */
    private byte[] partial;
    private int partialLength;

    public LineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Returns the next line without its terminator, or null at the end of the stream.
     *
     * @throws LineTooLongException if the line is longer than the limit
     */
    public String readLine() throws IOException {
        while (true) {
            int newline = indexOfNewline();
            if (newline >= 0) {
                String line = completeLine(newline);
                start = newline + 1;
                return line;
            }
            keepPartial(start, end - start);
            start = 0;
            end = 0;
            int read = in.read(buffer);
            if (read < 0) {
                return partialLength > 0 ? takePartial() : null;
            }
            end = read;
        }
    }

    /**
     * Whether a complete line is already buffered, so that the next {@link #readLine()} returns
     * without reading the stream. A server flushes its replies unless this is true: it batches
     * the answers to lines that arrived together, and never holds an answer back while the peer
     * has sent only part of its next line (the peer may be waiting for that answer first).
     */
    public boolean hasBufferedLine() {
        return indexOfNewline() >= 0;
    }

    /**
     * Whether any byte read from the stream is still unparsed: a complete line, or the start of
     * one. A server that drains tells from this (and the stream) that it stands between requests.
     */
    public boolean hasBufferedInput() {
        return start < end;
    }

    private int indexOfNewline() {
        for (int i = start; i < end; i++) {
            if (buffer[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private String completeLine(int newline) throws LineTooLongException {
        if (partialLength == 0) {
            return decode(buffer, start, newline - start);
        }
        keepPartial(start, newline - start);
        return takePartial();
    }

    /**
     * Appends to the partial line. One byte over the limit is allowed here because it may be the
     * {@code \r} of a {@code \r\n}; {@link #decode} makes the final check.
     */
    private void keepPartial(int from, int length) throws LineTooLongException {
        if (length == 0) {
            return;
        }
        int needed = partialLength + length;
        if (needed > maxLineBytes + 1) {
            throw new LineTooLongException(maxLineBytes);
        }
        if (partial == null) {
            partial = new byte[Math.max(INITIAL_PARTIAL_BYTES, length)];
        } else if (needed > partial.length) {
            partial = Arrays.copyOf(partial, Math.min(maxLineBytes + 1, Math.max(needed, partial.length * 2)));
        }
        System.arraycopy(buffer, from, partial, partialLength, length);
        partialLength = needed;
    }

    private String takePartial() throws LineTooLongException {
        int length = partialLength;
        partialLength = 0;
        return decode(partial, 0, length);
    }

    private String decode(byte[] bytes, int from, int length) throws LineTooLongException {
        if (length > 0 && bytes[from + length - 1] == '\r') {
            length--;
        }
        if (length > maxLineBytes) {
            throw new LineTooLongException(maxLineBytes);
        }
        return new String(bytes, from, length, StandardCharsets.UTF_8);
    }
}
