package dev.c1m.lifecycle;

import java.io.IOException;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * Closes a connection with a reset (RST) instead of the orderly FIN exchange, by setting
 * {@code SO_LINGER} to 0 before {@code close()}: Go's {@code SetLinger(0)}.
 *
 * <p>What it does: the kernel discards whatever is still unsent in the send buffer, sends RST,
 * and frees the socket at once, so the side that resets keeps no TIME_WAIT entry. The peer's next
 * read or write fails with "Connection reset".
 *
 * <p>When to use it: to cut off a peer that misbehaves (it will not get a polite goodbye anyway),
 * or on a client that opens many short connections to the same server and has agreed with it that
 * replies are complete before closing, where TIME_WAIT would otherwise hold thousands of ports.
 * A load generator that has read every reply it waited for is such a client (chapter 8's resets
 * its connections at the end of a run, so that the next run's {@code bind()} calls need not
 * search past a hundred thousand ports still in TIME_WAIT). When not to: whenever the last bytes
 * written matter, because they may be thrown away unsent; and never as a general cure for TIME_WAIT, which exists to keep a late duplicate segment of an
 * old connection from being read as part of a new one with the same addresses and ports.
 *
 * <p>A non-blocking channel registered with a selector is closed only when the selector next
 * flushes its key. Without linger 0 the JDK shuts the output down at once, so the peer reads EOF
 * and the connection takes the orderly path after all; with linger 0 it does not, and the reset
 * goes out at the deferred close.
 *
 * <p>Stateless; call it from the thread that owns the socket.
 */
public final class AbortiveClose {

    private AbortiveClose() {
    }

    /** Resets and closes {@code socket}. */
    public static void reset(Socket socket) throws IOException {
        try {
            socket.setSoLinger(true, 0);
        } finally {
            socket.close();
        }
    }

    /** Resets and closes {@code channel}; if it is registered, the reset goes out at the selector's next flush. */
    public static void reset(SocketChannel channel) throws IOException {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } finally {
            channel.close();
        }
    }
}
