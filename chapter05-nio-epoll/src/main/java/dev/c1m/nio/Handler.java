package dev.c1m.nio;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The protocol logic of one connection, in Doug Lea's sense: the reactor reads bytes and hands
 * them here; the handler decodes what it can, answers through {@link Connection#write}, and
 * keeps a partial message for the next call.
 *
 * <p>One handler per connection, created by a {@link Factory} when the connection is registered,
 * and called only on that connection's reactor thread, never concurrently: a handler needs no
 * locks, and must never block (a blocked handler stalls every connection of its reactor; hand
 * blocking work to another executor and come back with {@link Reactor#execute}).
 *
 * <p>Exceptions: a {@link ProtocolException} or any other exception thrown from a callback closes
 * this connection (logged with the reason) and nothing else.
 */
public interface Handler {

    /** Creates the handler for a newly registered connection; called on its reactor thread. */
    @FunctionalInterface
    interface Factory {
        Handler create(Connection connection);
    }

    /**
     * Bytes arrived. {@code input} is the reactor's shared read buffer, positioned at the new
     * bytes: it is valid only during this call and is reused for the next connection, so a
     * handler must consume it completely and copy whatever partial message it needs to keep
     * (preferably into a buffer from {@link Connection#buffers()}, released once the message is
     * complete).
     */
    void onInput(Connection connection, ByteBuffer input) throws IOException;

    /**
     * The peer shut down its output (end of stream). The default finishes the queued output and
     * then closes the connection.
     */
    default void onEndOfInput(Connection connection) throws IOException {
        connection.closeAfterFlush();
    }

    /**
     * The connection is closed, for whatever reason; called exactly once, and never inside
     * another callback of this handler (a connection closed during {@code onInput}, by the
     * handler or by a write that failed, tells it once {@code onInput} has returned). Release any
     * buffers the handler still holds. Must not throw.
     */
    default void onClosed(Connection connection) {
    }
}
