package dev.c1m.lifecycle;

import java.io.IOException;
import java.net.Socket;

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
 * When not to: whenever the last bytes written matter, because they may be thrown away unsent;
 * and never as a general cure for TIME_WAIT, which exists to keep a late duplicate segment of an
 * old connection from being read as part of a new one with the same addresses and ports.
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
}
