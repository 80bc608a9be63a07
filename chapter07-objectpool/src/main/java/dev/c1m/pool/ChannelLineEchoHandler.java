package dev.c1m.pool;

import dev.c1m.echo.ConnectionHandler;
import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineTooLongException;
import dev.c1m.echo.LingeringClose;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Chapter 1's line protocol over a blocking {@link SocketChannel}, with every buffer from a
 * {@link BufferPool}: the smallest honest message path on which to measure allocation per
 * message. (Chapter 5's reactor runs the same read path non-blocking; this chapter does not copy
 * it.)
 *
 * <p>Per connection: one read buffer from the pool (big enough for the longest line and its
 * {@code \r\n}), held while the connection lives, and a {@link ReplyWriter}. Per read: scan the
 * new bytes for {@code \n}, hand each complete line to the writer as a range of the read buffer
 * (no copy, no {@code String}), flush once every complete line is answered (so a pipelining
 * client gets replies in few writes and a one-line client is never kept waiting), then compact
 * the partial line to the front. A line over the limit gets {@code error: line too long} and the
 * connection is closed; the last line before EOF is answered like any other.
 *
 * <p>Threads: {@link #serve} runs on the connection's thread; the instance is shared by all
 * connections and stateless. Not handled: timeouts (chapter 2), non-blocking I/O (chapter 5).
 */
public final class ChannelLineEchoHandler implements ConnectionHandler {

    private static final byte[] TOO_LONG = (EchoProtocol.LINE_TOO_LONG + "\n").getBytes(StandardCharsets.UTF_8);

    private final BufferPool buffers;
    private final Supplier<ReplyWriter> writers;
    private final int maxLineBytes;

    /** @param writers makes one writer per connection */
    public ChannelLineEchoHandler(BufferPool buffers, Supplier<ReplyWriter> writers, int maxLineBytes) {
        this.buffers = buffers;
        this.writers = writers;
        this.maxLineBytes = maxLineBytes;
    }

    /** Serves a socket accepted through a {@code ServerSocketChannel} (its adaptor {@code socket()}). */
    @Override
    public void handle(Socket socket) throws IOException {
        SocketChannel channel = socket.getChannel();
        if (channel == null) {
            throw new IllegalArgumentException("needs a socket accepted from ServerSocketChannel.socket()");
        }
        try {
            serve(channel);
        } catch (LineTooLongException tooLong) {
            LingeringClose.drain(socket);
            throw tooLong;
        }
    }

    /** Answers every line read from {@code channel} until EOF; the channel must be blocking. */
    public void serve(ByteChannel channel) throws IOException {
        PooledBuffer input = buffers.acquire(maxLineBytes + 2);
        try (ReplyWriter replies = writers.get()) {
            ByteBuffer in = input.buffer();
            int scanned = 0; // bytes at the front of `in` already known to hold no newline
            while (true) {
                if (channel.read(in) < 0) {
                    answerLastLine(in, replies, channel);
                    return;
                }
                int lineStart = 0;
                for (int i = scanned; i < in.position(); i++) {
                    if (in.get(i) == '\n') {
                        answer(in, lineStart, i, replies, channel);
                        lineStart = i + 1;
                    }
                }
                replies.flush(channel);
                rejectIfTooLong(in.position() - lineStart, replies, channel);
                in.flip().position(lineStart);
                in.compact();
                scanned = in.position();
            }
        } finally {
            input.release();
        }
    }

    private void answer(ByteBuffer in, int start, int newline, ReplyWriter replies, ByteChannel channel)
            throws IOException {
        int end = newline > start && in.get(newline - 1) == '\r' ? newline - 1 : newline;
        if (end - start > maxLineBytes) {
            tooLong(replies, channel);
        }
        replies.append(in, start, end, channel);
    }

    /** A last line ended by EOF instead of a newline is answered too, its {@code \r} dropped as chapter 1 drops it. */
    private void answerLastLine(ByteBuffer in, ReplyWriter replies, ByteChannel channel) throws IOException {
        int end = in.position();
        if (end > 0 && in.get(end - 1) == '\r') {
            end--;
        }
        if (in.position() > 0) {
            if (end > maxLineBytes) {
                tooLong(replies, channel);
            }
            replies.append(in, 0, end, channel);
        }
        replies.flush(channel);
    }

    /** A partial line may still lose a trailing {@code \r}, hence the one byte of slack. */
    private void rejectIfTooLong(int partialBytes, ReplyWriter replies, ByteChannel channel) throws IOException {
        if (partialBytes > maxLineBytes + 1) {
            tooLong(replies, channel);
        }
    }

    private void tooLong(ReplyWriter replies, ByteChannel channel) throws IOException {
        replies.flush(channel);
        ByteBuffer error = ByteBuffer.wrap(TOO_LONG);
        while (error.hasRemaining()) {
            channel.write(error);
        }
        throw new LineTooLongException(maxLineBytes);
    }
}
