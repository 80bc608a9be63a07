package dev.c1m.echo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Ends a connection whose peer may still be sending, without destroying the last reply.
 *
 * <p>If a socket is closed while unread bytes sit in its receive buffer, the kernel answers with
 * a reset (RST) instead of a FIN, and the peer may lose data it had not read yet, such as the
 * error line explaining why it is being disconnected. The fix, used by Apache httpd and nginx as
 * "lingering close": send a FIN with {@link Socket#shutdownOutput()}, then read and discard what
 * the peer still sends, for a bounded time and number of bytes, before closing.
 *
 * <p>Called on the connection's own thread, which it blocks for at most {@code timeout}.
 */
public final class LingeringClose {

    /** The longest a lingering close waits for the peer to stop sending: about one round trip of a slow network, many times over. */
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** The most a lingering close reads and discards before it gives up and closes anyway. */
    private static final long DEFAULT_MAX_DISCARD_BYTES = 256 * 1024;

    private LingeringClose() {
    }

    /**
     * The line protocol's answer to an over-long line: whatever {@code out} holds, then
     * {@code error: line too long}, flushed, then {@link #drain(Socket)}, since the peer is likely
     * still sending the rest of that line. Does not close the socket.
     */
    public static void refuseLineTooLong(Socket socket, OutputStream out) throws IOException {
        out.write(EchoProtocol.lineBytes(EchoProtocol.LINE_TOO_LONG));
        out.flush();
        drain(socket);
    }

    /** {@link #drain(Socket, Duration, long)} with {@link #DEFAULT_TIMEOUT} and {@link #DEFAULT_MAX_DISCARD_BYTES}. */
    public static void drain(Socket socket) throws IOException {
        drain(socket, DEFAULT_TIMEOUT, DEFAULT_MAX_DISCARD_BYTES);
    }

    /**
     * Sends FIN, then discards input until the peer closes, {@code timeout} passes, or
     * {@code maxDiscardBytes} have been read. Does not close the socket.
     */
    public static void drain(Socket socket, Duration timeout, long maxDiscardBytes) throws IOException {
        socket.shutdownOutput();
        long deadline = System.nanoTime() + timeout.toNanos();
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[4096];
        long discarded = 0;
        while (discarded < maxDiscardBytes) {
            long remainingMillis = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            if (remainingMillis <= 0) {
                return;
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
            int read;
            try {
                read = in.read(sink);
            } catch (SocketTimeoutException e) {
                return;
            }
            if (read < 0) {
                return;
            }
            discarded += read;
        }
    }
}
