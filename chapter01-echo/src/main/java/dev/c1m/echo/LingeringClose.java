package dev.c1m.echo;

import java.io.IOException;
import java.io.InputStream;
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

    private LingeringClose() {
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
