package dev.c1m.lifecycle;

import dev.c1m.echo.EchoProtocol;
import dev.c1m.echo.LineReader;
import dev.c1m.echo.LineTooLongException;
import dev.c1m.echo.LingeringClose;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Serves one connection of a {@link LifecycleServer} with the {@link EchoProtocol} and decides
 * how it ends. Returns the {@link CloseReason}; the server closes the socket.
 *
 * <p>The socket's read timeout is the server's tick, not a protocol timeout: a read that times
 * out is a wake-up in which the session checks two things. If the peer has been silent for longer
 * than the idle timeout (by the injected clock), it ends with {@code IDLE_TIMEOUT}. If the server
 * is draining and the connection is between requests (no partial line held, nothing buffered,
 * nothing waiting in the kernel), it ends with {@code DRAINED}. After every flush it makes the
 * same drain check, so a busy connection stops right after answering what it had received.
 * A read timeout leaves the socket and the {@link LineReader} usable, so a wake-up loses nothing.
 *
 * <p>Ends: end of stream -> replies flushed, {@code PEER_CLOSED} (half-close works: the peer can
 * still read everything); over-long line -> error line, lingering close, {@code LINE_TOO_LONG}.
 * Owned by the connection's thread; the draining flag is read from the server.
 */
final class EchoSession {

    private final Socket socket;
    private final TrackedConnection connection;
    private final ServerLimits limits;
    private final WriteWatchdog watchdog;
    private final Runnable onWriteTimeout;
    private final BooleanSupplier draining;

    EchoSession(Socket socket, TrackedConnection connection, ServerLimits limits, WriteWatchdog watchdog,
                Runnable onWriteTimeout, BooleanSupplier draining) {
        this.socket = socket;
        this.connection = connection;
        this.limits = limits;
        this.watchdog = watchdog;
        this.onWriteTimeout = onWriteTimeout;
        this.draining = draining;
    }

    CloseReason run() throws IOException {
        ObservedInputStream in = new ObservedInputStream(socket.getInputStream(), connection);
        LineReader reader = new LineReader(in, limits.maxLineBytes());
        try (WriteWatchdog.WatchedOutputStream watched =
                     watchdog.watch(socket.getOutputStream(), limits.writeTimeout(), onWriteTimeout)) {
            OutputStream out = new BufferedOutputStream(watched);
            while (true) {
                String line;
                try {
                    line = reader.readLine();
                } catch (SocketTimeoutException tick) {
                    connection.recordWakeup();
                    if (connection.idleFor().compareTo(limits.idleTimeout()) > 0) {
                        return CloseReason.IDLE_TIMEOUT;
                    }
                    if (draining.getAsBoolean() && betweenRequests(in, reader)) {
                        return CloseReason.DRAINED;
                    }
                    continue;
                } catch (LineTooLongException tooLong) {
                    LingeringClose.refuseLineTooLong(socket, out);
                    return CloseReason.LINE_TOO_LONG;
                }
                if (line == null) {
                    out.flush();
                    return CloseReason.PEER_CLOSED;
                }
                out.write(EchoProtocol.replyBytes(line));
                if (!reader.hasBufferedLine()) {
                    out.flush();
                    connection.recordActivity();
                    if (draining.getAsBoolean() && betweenRequests(in, reader)) {
                        return CloseReason.DRAINED;
                    }
                }
            }
        }
    }

    /** No partial line held, nothing parsed-but-unread, and nothing waiting in the kernel. */
    private boolean betweenRequests(ObservedInputStream in, LineReader reader) throws IOException {
        return in.atLineBoundary() && !reader.hasBufferedInput() && in.available() == 0;
    }
}
